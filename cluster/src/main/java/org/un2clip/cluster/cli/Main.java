package org.un2clip.cluster.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.un2clip.conf.ConfigException;
import org.un2clip.model.io.WeightFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code un2clip} command line. Each subcommand is one small class beside this one. */
@Command(name = "un2clip", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Sharpen CLIP image encoders by inverting a frozen unCLIP generator (un²CLIP).",
        subcommands = {VersionCommand.class, WeightsCommand.class, CheckGoldenCommand.class, DataCommand.class,
                TrainCommand.class, NodeCommand.class, ExportCommand.class, DemoCommand.class, ConsoleCommand.class,
                ReportCommand.class, SoakCommand.class, BenchCommand.class, TokenizeCommand.class, ClipCommand.class, EvalCommand.class, ReconstructCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this without exiting). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof WeightFileException || e instanceof UserError
                    || e instanceof org.un2clip.data.source.DataSourceException) {
                commandLine.getErr().println("un2clip: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** An error in what the user asked for: printed without a stack trace, exit code 2. */
    public static final class UserError extends RuntimeException {
        public UserError(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"un2clip " + projectVersion()};
        }
    }

    static String projectVersion() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("un2clip-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // The version line is informational.
        }
        return p.getProperty("un2clip.version", "unknown");
    }
}
