package org.un2clip.cluster.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.un2clip.model.golden.GoldenCheck;
import org.un2clip.model.golden.GoldenSuites;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check-golden", description = {
        "Build every model part from DIR/manifest.json and DIR/weights.safetensors, run it on the golden inputs",
        "and compare every golden output with its tolerance. Exit 0 only when nothing failed or was skipped."})
final class CheckGoldenCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "A golden directory (default: the public set shipped with the project).")
    Path dir;

    @Option(names = "--only", split = ",", paramLabel = "PREFIX", description = "Only tensors whose names start with these prefixes.")
    List<String> only = new ArrayList<>();

    @Option(names = "--debug", description = "Also compare the debug intermediates (for bisecting a mismatch).")
    boolean debug;

    @Override
    public Integer call() {
        Path golden = dir != null ? dir : ShippedGolden.publicSet();
        System.out.printf("%-58s %12s %10s%n", "tensor", "max |err|", "atol");
        GoldenCheck.Report report = new GoldenCheck(GoldenSuites.all())
                .run(golden, only, debug, r -> System.out.println(r.line()));
        System.out.println(report.summary());
        return report.ok() ? 0 : 1;
    }
}
