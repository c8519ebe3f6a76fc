package org.un2clip.cluster.cli;

import picocli.CommandLine.Command;

/** {@code un2clip bench ...}: benchmark programs, one subcommand per measured part. */
@Command(name = "bench", description = "Benchmarks (speed and memory of the model parts on this machine).",
        subcommands = {BenchClipCommand.class})
final class BenchCommand {
}
