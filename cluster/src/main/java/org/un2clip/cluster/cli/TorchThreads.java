package org.un2clip.cluster.cli;

import picocli.CommandLine.Option;

/**
 * {@code --threads N}: PyTorch's intra-op threads, set before the engine loads. libtorch's default (one per core)
 * spin-waits when other processes share the cores and was 5–20× slower on a loaded machine; on a dedicated machine
 * the default is right. A picocli mixin, so every command that runs DJL spells the option the same way.
 */
final class TorchThreads {
    @Option(names = "--threads", defaultValue = "0", description = "PyTorch intra-op threads (default 0: one per core).")
    int threads;

    void apply() {
        set(threads);
    }

    /** Sets the threads unless {@code n} is 0 or the JVM was started with the property. */
    static void set(int n) {
        if (n < 0) {
            throw new Main.UserError("--threads must be 0 (PyTorch's default) or positive, got " + n);
        }
        if (n > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(n));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
