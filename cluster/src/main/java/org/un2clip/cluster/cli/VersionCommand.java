package org.un2clip.cluster.cli;

import ai.djl.engine.Engine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "version", description = "Print the versions of un2clip, Java and (with --engine) the DJL engine.")
final class VersionCommand implements Callable<Integer> {

    @Option(names = "--engine", description = "Also load the PyTorch engine and print its version and devices.")
    boolean engine;

    @Override
    public Integer call() {
        System.out.println("un2clip " + Main.projectVersion());
        System.out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        if (engine) {
            Engine e = Engine.getInstance();
            System.out.println("engine " + e.getEngineName() + " " + e.getVersion() + ", GPUs: " + e.getGpuCount());
        }
        return 0;
    }
}
