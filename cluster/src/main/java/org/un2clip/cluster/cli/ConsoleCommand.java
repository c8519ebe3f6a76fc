package org.un2clip.cluster.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingReader;
import org.un2clip.cluster.control.ConsoleSession;
import org.un2clip.cluster.control.ControlClient;
import org.un2clip.cluster.control.ControlCommand;
import org.un2clip.cluster.control.ControlToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "console", description = {
        "The remote control console of a run: interactive (history, Tab completion, `help`) or one command with",
        "--exec. Talks to the coordinator's control endpoint with the run's token.",
        "Exit code of --exec: 0 done, 1 refused by the run, 2 error."})
final class ConsoleCommand implements Callable<Integer> {

    @Option(names = "--connect", paramLabel = "HOST:PORT",
            description = "The control endpoint (default: RUN_DIR/control.address with --run-dir).")
    String connect;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "The run's token file (default: RUN_DIR/control.token with --run-dir).")
    Path tokenFile;

    @Option(names = "--run-dir", paramLabel = "RUN_DIR",
            description = "A run folder on this host: its control.address and control.token are used.")
    Path runDir;

    @Option(names = "--exec", paramLabel = "CMD", description = "Run one command (e.g. \"set lr 1e-5\") and exit.")
    String exec;

    @Override
    public Integer call() throws IOException {
        String address = connect != null ? connect : fromRunDir("control.address", "--connect");
        Path token = tokenFile != null ? tokenFile : runDir == null ? null : runDir.resolve("control.token");
        if (token == null) {
            throw new Main.UserError("console needs --token-file FILE (or --run-dir RUN_DIR)");
        }
        if (!Files.isReadable(token)) {
            throw new Main.UserError("cannot read the token file " + token);
        }
        ControlClient client;
        try {
            client = new ControlClient(address, ControlToken.readFrom(token));
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        if (exec != null) {
            PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
            ConsoleSession session = new ConsoleSession(client, out);
            ConsoleSession.Outcome outcome = session.execute(exec, ConsoleCommand::sleepUntilInterrupted);
            return switch (outcome) {
                case OK, QUIT -> 0;
                case REFUSED -> 1;
                case ERROR -> 2;
            };
        }
        return interactive(client, address);
    }

    private String fromRunDir(String file, String option) throws IOException {
        if (runDir == null) {
            throw new Main.UserError("console needs " + option + " (or --run-dir RUN_DIR)");
        }
        Path p = runDir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new Main.UserError(p + " does not exist: is the run up, and is this its folder?");
        }
        return Files.readString(p, StandardCharsets.UTF_8).strip();
    }

    private static boolean sleepUntilInterrupted(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int interactive(ControlClient client, String address) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("un2clip")
                    .completer(new StringsCompleter(ControlCommand.WORDS))
                    .variable(LineReader.HISTORY_FILE,
                            Path.of(System.getProperty("user.home"), ".un2clip_console_history"))
                    .build();
            ConsoleSession session = new ConsoleSession(client, terminal.writer());
            terminal.writer().println("un2clip console, connected to " + address + " (help: commands, quit: leave)");
            NonBlockingReader keys = terminal.reader();
            while (true) {
                String line;
                try {
                    line = reader.readLine("un2clip> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return 0;
                }
                // watch refreshes until any key is pressed.
                if (session.execute(line, ms -> readKey(keys, ms)) == ConsoleSession.Outcome.QUIT) {
                    return 0;
                }
            }
        }
    }

    private static boolean readKey(NonBlockingReader keys, long ms) {
        try {
            return keys.read(ms) == NonBlockingReader.READ_EXPIRED;
        } catch (IOException e) {
            return false;
        }
    }
}
