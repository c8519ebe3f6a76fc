package org.un2clip.cluster.cli;

import picocli.CommandLine.Command;

@Command(name = "bench", description = "Benchmarks of the runtime (numbers for the README).",
        subcommands = {BenchLinkCommand.class, BenchShardCommand.class, BenchOverheadCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
