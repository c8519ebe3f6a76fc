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
    /** Safetensors metadata key holding the text tower's {@link ClipTextConfig#toJson()} (full-model exports). */
    public static final String TEXT_CONFIG_METADATA = "un2clip.clip_text_config";
    private static final String HF_TEXT_POSITION_IDS = "text_model.embeddings.position_ids";
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
        Map<String, Tensor> canonical = loadCanonical(format.names(), canonicalShapes, view, what + " (" + format + " naming)");
        canonical.forEach((name, t) -> params.set(name, (name.equals(POSITIONAL) ? PositionalEmbeddings.resize(t, tower.config().grid()) : t).data()));
        return format;
    }

    /** Strictly reads the tensors {@code names} stores {@code canonicalShapes} under, as canonical tensors in that order. */
    private static Map<String, Tensor> loadCanonical(StoredNames names, Map<String, long[]> canonicalShapes, WeightSource view, String what) {
        Map<String, long[]> expected = names.storedShapes(canonicalShapes);
        Map<String, Tensor> stored = new LinkedHashMap<>();
        StrictLoader.load(what, expected, view, true, (name, values) -> stored.put(name, new Tensor(expected.get(name), values)));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : canonicalShapes.keySet()) {
            out.put(name, names.toCanonical(name, stored));
        }
        return out;
    }

    /**
     * Loads the text tower from an OpenAI / open_clip CLIP state dict (text keys at the top level:
     * {@code token_embedding.weight}, {@code positional_embedding}, {@code transformer.*}, {@code ln_final.*},
     * {@code text_projection}; the image tower ({@code visual.*}) and {@code logit_scale} are skipped) or from an
     * HF {@code CLIPModel} ({@code text_model.*} with split q/k/v, {@code text_projection.weight} = projᵀ; the
     * {@code vision_model.*} side is skipped). Strict.
     */
    public static void loadText(ClipText text, WeightSource checkpoint, String what) {
        if (checkpoint.contains("text_model.embeddings.token_embedding.weight")) {
            WeightSource view = checkpoint.renamed(n -> (n.startsWith("text_model.") && !n.equals(HF_TEXT_POSITION_IDS))
                    || n.equals("text_projection.weight") ? n : null);
            loadCanonical(StoredNames.HF_TEXT, text.params().shapes(), view, what + " (HF naming, text tower)")
                    .forEach((name, t) -> text.params().set(name, t.data()));
            return;
        }
        text.params().load(what + " (OpenAI naming, text tower)",
                checkpoint.renamed(n -> n.startsWith("visual.") || n.equals(LOGIT_SCALE) ? null : n), true);
    }

    /**
     * Loads the text tower without {@code text_projection}, for its hidden states only: Stable Diffusion's
     * {@code text_encoder/} is an HF {@code CLIPTextModel}, which has no projection. Strict for every other tensor;
     * the projection stays unset, so {@link ClipText#encode} is meaningless on such a tower.
     */
    public static void loadTextHiddenStates(ClipText text, WeightSource checkpoint, String what) {
        Map<String, long[]> shapes = new LinkedHashMap<>(text.params().shapes());
        shapes.remove("text_projection");
        if (checkpoint.contains("text_model.embeddings.token_embedding.weight")) {
            WeightSource view = checkpoint.renamed(n -> n.startsWith("text_model.") && !n.equals(HF_TEXT_POSITION_IDS) ? n : null);
            loadCanonical(StoredNames.HF_TEXT, shapes, view, what + " (HF naming, text tower without projection)")
                    .forEach((name, t) -> text.params().set(name, t.data()));
            return;
        }
        StrictLoader.load(what + " (OpenAI naming, text tower without projection)", shapes, checkpoint.renamed(
                n -> n.startsWith("visual.") || n.equals(LOGIT_SCALE) || n.equals("text_projection") ? null : n), true, text.params()::set);
    }

    /** Loads both towers and {@code logit_scale} from an OpenAI / open_clip or HF {@code CLIPModel} state dict. */
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

    /**
     * Writes both towers and {@code logit_scale} as one F32 state dict, both configs in the metadata, in OpenAI naming
     * ({@code naming} OPENAI: {@code visual.*}, the text keys at the top level) or HF {@code CLIPModel} naming (HF:
     * {@code vision_model.*}, {@code text_model.*}, the projections transposed): what {@link #loadModel} reads back,
     * bit for bit.
     */
    public static void exportModel(ClipModel model, Path file, ClipVisionFormat naming) throws IOException {
        if (naming == ClipVisionFormat.OPENAI_BARE) {
            throw new IllegalArgumentException("a whole CLIP model is written in OPENAI or HF naming, not " + naming);
        }
        boolean hf = naming == ClipVisionFormat.HF;
        SafeTensorsWriter writer = new SafeTensorsWriter();
        writer.metadata("format", "pt");
        writer.metadata(CONFIG_METADATA, toJson(model.vision().config().toJson()));
        writer.metadata(TEXT_CONFIG_METADATA, toJson(model.text().config().toJson()));
        naming.fromCanonical(canonicalTensors(model.vision().params()))
                .forEach((name, t) -> writer.add(hf ? name : "visual." + name, t.shape(), t.data()));
        (hf ? StoredNames.HF_TEXT : StoredNames.IDENTITY).fromCanonical(canonicalTensors(model.text().params()))
                .forEach((name, t) -> writer.add(name, t.shape(), t.data()));
        writer.add(LOGIT_SCALE, new long[0], new float[] {model.logitScale()});
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
