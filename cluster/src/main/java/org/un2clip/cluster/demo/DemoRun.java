package org.un2clip.cluster.demo;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.un2clip.actors.objective.demo.DemoSettings;

/** The demo command's body: run the pipeline, write the report, print the short console summary. */
public final class DemoRun {
    private DemoRun() {
    }

    public static Map<String, Object> run(Config config, String configText, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        DemoSettings s = DemoSettings.from(config);
        DemoPipeline.Outcome o;
        try (StageRunner runner = s.runner().equals(DemoSettings.RUNTIME) ? new RuntimeStageRunner(config, out, s.dir().resolve("runtime-logs"))
                : new InProcessStageRunner(config, out)) {
            o = new DemoPipeline(s, runner, out).run();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> summary = DemoReport.write(s.dir(), s, o, wall, configText);
        out.println();
        for (List<String> row : DemoReport.resultTable(o.evaluations())) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-44s", row.get(0).replace("**", "")));
            for (int i = 1; i < row.size(); i++) {
                b.append(String.format(Locale.ROOT, " %18s", row.get(i)));
            }
            out.println(b);
        }
        return summary;
    }
}
