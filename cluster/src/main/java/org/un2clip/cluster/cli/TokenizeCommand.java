package org.un2clip.cluster.cli;

import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.un2clip.model.clip.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tokenize", description = {
        "CLIP token ids of each TEXT (OpenAI BPE, as clip.tokenize(text, truncate=True)): one line of ids per text."})
final class TokenizeCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "TEXT")
    List<String> texts;

    @Option(names = "--context", defaultValue = "77", description = "Context length (default ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--no-pad", description = "Stop each line at the end-of-text id instead of padding with 0.")
    boolean noPad;

    @Override
    public Integer call() {
        if (context < 2) {
            throw new Main.UserError("--context must be at least 2, got " + context);
        }
        ClipTokenizer tokenizer = ClipTokenizer.openAi();
        for (String text : texts) {
            StringJoiner line = new StringJoiner(" ");
            for (long id : tokenizer.tokenize(text, context)) {
                line.add(Long.toString(id));
                if (noPad && id == tokenizer.endOfText()) {
                    break;
                }
            }
            System.out.println(line);
        }
        return 0;
    }
}
