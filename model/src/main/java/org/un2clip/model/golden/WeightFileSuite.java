package org.un2clip.model.golden;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.un2clip.model.io.TensorInfo;
import org.un2clip.model.io.WeightSource;

/**
 * Loader checks: the weights file holds exactly the tensors {@code manifest.weights} lists, with
 * their dtypes and shapes. Reported by check-golden as {@code weights.*} lines.
 */
public final class WeightFileSuite {
    public static final String PREFIX = "weights.";

    private WeightFileSuite() {}

    public static List<GoldenCheck.Result> check(GoldenSet set) {
        List<GoldenCheck.Result> results = new ArrayList<>();
        WeightSource weights = set.weights();
        List<String> problems = new ArrayList<>();
        JsonNode listed = set.manifest().path("weights");
        int count = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = listed.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            count++;
            TensorInfo info = weights.info(e.getKey());
            if (info == null) {
                problems.add("missing " + e.getKey());
                continue;
            }
            long[] shape = new long[e.getValue().path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().path("shape").get(i).asLong();
            }
            if (!Arrays.equals(shape, info.shape()) || !info.dtype().name().equals(e.getValue().path("dtype").asText())) {
                problems.add(e.getKey() + " is " + info.dtype() + info.shapeString() + ", manifest says "
                        + e.getValue().path("dtype").asText() + Arrays.toString(shape));
            }
        }
        for (String name : weights.names()) {
            if (!listed.has(name)) {
                problems.add("unlisted " + name);
            }
        }
        results.add(new GoldenCheck.Result(PREFIX + "manifest (" + count + " tensors)",
                problems.isEmpty() && count > 0 ? GoldenCheck.Status.PASS : GoldenCheck.Status.FAIL, 0, 0,
                count == 0 ? "manifest lists no weights" : String.join("; ", problems.subList(0, Math.min(5, problems.size())))));
        return results;
    }
}
