package org.un2clip.cluster.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.un2clip.cluster.demo.DemoRun;
import org.un2clip.conf.Un2clipConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {
        "The miniature un²CLIP experiment, end to end (preset conf/presets/demo.conf): world + pair benchmark, a",
        "detail-blind tiny CLIP, a tiny VAE + unCLIP generator, un²CLIP fine-tuning, evaluation, reconstructions;",
        "writes demo.dir/report.html, report.md, summary.json. Stages whose outputs match the configuration are skipped.",
        "Every training stage runs on the distributed runtime: one local cluster (this process as coordinator, demo.trainers",
        "trainer JVMs) serves them one after the other; --set demo.runner=in-process runs the same arithmetic in this JVM."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "The ~1 minute variant (preset demo-quick: fewer images and steps).")
    boolean quick;

    @Option(names = "--config", description = "A HOCON file or preset instead of demo / demo-quick.")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a configuration key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String preset = config != null ? config : quick ? "demo-quick" : "demo";
        Config c = Un2clipConfig.load(Optional.of(preset), overrides);
        // before the engine loads: PyTorch's OpenMP pool spins when the cores are shared (20x slower at load 15 on 2 cores)
        TorchThreads.set(c.getInt("demo.threads"));
        Map<String, Object> summary = DemoRun.run(c, c.getConfig("demo").root().render(ConfigRenderOptions.concise().setFormatted(true)),
                System.out);
        System.out.printf(Locale.ROOT, "demo done in %.1f s: %s%n", (double) summary.get("wall_seconds"),
                c.getString("demo.dir") + "/report.html");
        return 0;
    }
}
