package org.un2clip.model.clip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.un2clip.model.io.SafeTensorsWriter;
import org.un2clip.model.io.StrictLoader;
import org.un2clip.model.io.TensorInfo;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.ParameterTable;

/**
 * Loads a CLIP vision tower from OpenAI / open_clip / HF checkpoints and exports it to OpenAI or HF naming.
 * Loading is strict (every missing, unexpected or mis-shaped tensor is reported at once, under the file's own
 * names); a positional embedding for another patch grid is interpolated to the tower's grid.
 */
public final class ClipWeights {
    /** Safetensors metadata key holding the tower's {@link ClipVisionConfig#toJson()}. */
    public static final String CONFIG_METADATA = "un2clip.clip_vision_config";
    private static final String POSITIONAL = "positional_embedding";
    private static final String LOGIT_SCALE = "logit_scale";

    private ClipWeights() {}

    /** Loads every parameter of {@code tower} from {@code checkpoint} (naming detected); returns the naming found. */
    public static ClipVisionFormat loadVision(ClipVision tower, WeightSource checkpoint, String what) {
        ClipVisionFormat format = ClipVisionFormat.detect(checkpoint);
        WeightSource view = format.view(checkpoint);
        ParameterTable params = tower.params();
        Map<String, long[]> canonicalShapes = new LinkedHashMap<>(params.shapes());
        long[] storedPositional = storedPositionalShape(format, view, canonicalShapes.get(POSITIONAL));
        if (storedPositional != null) {
            canonicalShapes.put(POSITIONAL, storedPositional);
        }
        Map<String, long[]> expected = format.storedShapes(canonicalShapes);
        Map<String, Tensor> stored = new LinkedHashMap<>();
        StrictLoader.load(what + " (" + format + " naming)", expected, view, true,
                (name, values) -> stored.put(name, new Tensor(expected.get(name), values)));
        for (String name : canonicalShapes.keySet()) {
            Tensor t = format.toCanonical(name, stored);
            if (name.equals(POSITIONAL)) {
                t = PositionalEmbeddings.resize(t, tower.config().grid());
            }
            params.set(name, t.data());
        }
        return format;
    }

    /**
     * Loads the text tower from an OpenAI / open_clip CLIP state dict (text keys at the top level:
     * {@code token_embedding.weight}, {@code positional_embedding}, {@code transformer.*}, {@code ln_final.*},
     * {@code text_projection}); the image tower ({@code visual.*}) and {@code logit_scale} are skipped. Strict.
     */
    public static void loadText(ClipText text, WeightSource checkpoint, String what) {
        text.params().load(what + " (OpenAI naming, text tower)",
                checkpoint.renamed(n -> n.startsWith("visual.") || n.equals(LOGIT_SCALE) ? null : n), true);
    }

    /** Loads both towers and {@code logit_scale} from an OpenAI / open_clip CLIP state dict. */
    public static void loadModel(ClipModel model, WeightSource checkpoint, String what) {
        loadVision(model.vision(), checkpoint, what);
        loadText(model.text(), checkpoint, what);
        if (!checkpoint.contains(LOGIT_SCALE) || checkpoint.info(LOGIT_SCALE).elementCount() != 1) {
            throw new StrictLoader.WeightLoadException(what + ": no scalar " + LOGIT_SCALE);
        }
        model.setLogitScale(checkpoint.readFloats(LOGIT_SCALE)[0]);
    }

    /**
     * The file's positional-embedding shape when it is a different square grid of the right width (to be
     * interpolated), else null (the strict check then reports any mismatch).
     */
    private static long[] storedPositionalShape(ClipVisionFormat format, WeightSource view, long[] wanted) {
        String storedName = format.storedShapes(Map.of(POSITIONAL, wanted)).keySet().iterator().next();
        TensorInfo info = view.info(storedName);
        if (info == null || info.shape().length != 2 || info.shape()[1] != wanted[1] || Arrays.equals(info.shape(), wanted)) {
            return null;
        }
        try {
            PositionalEmbeddings.grid(info.shape()[0]);
            return info.shape();
        } catch (IllegalArgumentException notASquareGrid) {
            return null;
        }
    }

    /** The tower's parameters as heap tensors under their canonical (OpenAI, unprefixed) names. */
    public static Map<String, Tensor> canonicalTensors(ParameterTable params) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        params.arrays().forEach((name, a) -> out.put(name, new Tensor(a.getShape().getShape(), a.toFloatArray())));
        return out;
    }

    /**
     * Writes the tower as F32 safetensors in {@code format}'s naming ({@link ClipVisionFormat#OPENAI}: under
     * {@code visual.}), with the config in the metadata. Exact: a load of the file gives the same bits.
     */
    public static void exportVision(ClipVision tower, Path file, ClipVisionFormat format) throws IOException {
        String prefix = format == ClipVisionFormat.OPENAI ? "visual." : "";
        SafeTensorsWriter writer = new SafeTensorsWriter();
        writer.metadata("format", "pt");
        writer.metadata(CONFIG_METADATA, toJson(tower.config().toJson()));
        format.fromCanonical(canonicalTensors(tower.params()))
                .forEach((name, t) -> writer.add(prefix + name, t.shape(), t.data()));
        writer.write(file);
    }

    private static String toJson(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
