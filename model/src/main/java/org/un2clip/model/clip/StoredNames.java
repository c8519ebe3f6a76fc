package org.un2clip.model.clip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a CLIP tower's canonical (OpenAI, unprefixed) parameters are stored under another naming, and the exact
 * (bit-preserving) mapping both ways. Hugging Face transformers names both towers alike — {@code <tower>.encoder
 * .layers.N.*} with split q/k/v and a bias-free projection Linear (weight = OpenAI's matrixᵀ) — so one mapping
 * serves the vision and the text tower, given the tower's top-level names.
 */
final class StoredNames {
    /** A stored tensor and how it derives from one canonical parameter. */
    record Part(String name, Kind kind, int index) {}

    enum Kind { COPY, THIRD, TRANSPOSE }

    private static final Pattern BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Map<String, String> HF_BLOCK = Map.of(
            "attn.out_proj.weight", "self_attn.out_proj.weight",
            "attn.out_proj.bias", "self_attn.out_proj.bias",
            "ln_1.weight", "layer_norm1.weight",
            "ln_1.bias", "layer_norm1.bias",
            "ln_2.weight", "layer_norm2.weight",
            "ln_2.bias", "layer_norm2.bias",
            "mlp.c_fc.weight", "mlp.fc1.weight",
            "mlp.c_fc.bias", "mlp.fc1.bias",
            "mlp.c_proj.weight", "mlp.fc2.weight",
            "mlp.c_proj.bias", "mlp.fc2.bias");

    /** The canonical names themselves (OpenAI naming, with or without a prefix the caller strips). */
    static final StoredNames IDENTITY = new StoredNames(n -> List.of(new Part(n, Kind.COPY, 0)));

    /** HF {@code CLIPVisionModelWithProjection} / {@code CLIPModel} vision side. */
    static final StoredNames HF_VISION = hf("vision_model", Map.of(
            "class_embedding", "vision_model.embeddings.class_embedding",
            "positional_embedding", "vision_model.embeddings.position_embedding.weight",
            "conv1.weight", "vision_model.embeddings.patch_embedding.weight",
            "ln_pre.weight", "vision_model.pre_layrnorm.weight",
            "ln_pre.bias", "vision_model.pre_layrnorm.bias",
            "ln_post.weight", "vision_model.post_layernorm.weight",
            "ln_post.bias", "vision_model.post_layernorm.bias"), "proj", "visual_projection.weight");

    /** HF {@code CLIPTextModelWithProjection} / {@code CLIPModel} text side. */
    static final StoredNames HF_TEXT = hf("text_model", Map.of(
            "token_embedding.weight", "text_model.embeddings.token_embedding.weight",
            "positional_embedding", "text_model.embeddings.position_embedding.weight",
            "ln_final.weight", "text_model.final_layer_norm.weight",
            "ln_final.bias", "text_model.final_layer_norm.bias"), "text_projection", "text_projection.weight");

    private final Function<String, List<Part>> parts;

    private StoredNames(Function<String, List<Part>> parts) {
        this.parts = parts;
    }

    private static StoredNames hf(String tower, Map<String, String> top, String projection, String storedProjection) {
        String layerPrefix = tower + ".encoder.layers.";
        return new StoredNames(canonical -> {
            if (canonical.equals(projection)) {
                return List.of(new Part(storedProjection, Kind.TRANSPOSE, 0));
            }
            String mappedTop = top.get(canonical);
            if (mappedTop != null) {
                return List.of(new Part(mappedTop, Kind.COPY, 0));
            }
            Matcher m = BLOCK.matcher(canonical);
            if (!m.matches()) {
                throw new IllegalArgumentException("no HF name for CLIP " + tower + " parameter " + canonical);
            }
            String layer = layerPrefix + m.group(1) + ".";
            String rest = m.group(2);
            if (rest.equals("attn.in_proj_weight") || rest.equals("attn.in_proj_bias")) {
                String suffix = rest.endsWith("weight") ? "weight" : "bias";
                List<Part> qkv = new ArrayList<>();
                String[] names = {"q_proj", "k_proj", "v_proj"};
                for (int i = 0; i < 3; i++) {
                    qkv.add(new Part(layer + "self_attn." + names[i] + "." + suffix, Kind.THIRD, i));
                }
                return qkv;
            }
            String mapped = HF_BLOCK.get(rest);
            if (mapped == null) {
                throw new IllegalArgumentException("no HF name for CLIP " + tower + " parameter " + canonical);
            }
            return List.of(new Part(layer + mapped, Kind.COPY, 0));
        });
    }

    /** Stored name → shape for a tower whose parameters have {@code canonicalShapes} (in the tower's order). */
    Map<String, long[]> storedShapes(Map<String, long[]> canonicalShapes) {
        Map<String, long[]> out = new LinkedHashMap<>();
        canonicalShapes.forEach((name, shape) -> {
            for (Part p : parts.apply(name)) {
                out.put(p.name(), switch (p.kind()) {
                    case COPY -> shape;
                    case THIRD -> thirdShape(shape);
                    case TRANSPOSE -> new long[] {shape[1], shape[0]};
                });
            }
        });
        return out;
    }

    /** Canonical tensors → stored tensors, in the tower's order. Exact: values are only moved. */
    Map<String, Tensor> fromCanonical(Map<String, Tensor> canonical) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        canonical.forEach((name, t) -> {
            for (Part p : parts.apply(name)) {
                out.put(p.name(), switch (p.kind()) {
                    case COPY -> t;
                    case THIRD -> t.rows(p.index(), 3);
                    case TRANSPOSE -> t.transpose();
                });
            }
        });
        return out;
    }

    /** Stored tensors → the canonical parameter {@code canonical}. */
    Tensor toCanonical(String canonical, Map<String, Tensor> stored) {
        List<Part> ps = parts.apply(canonical);
        Part first = ps.get(0);
        return switch (first.kind()) {
            case COPY -> stored.get(first.name());
            case TRANSPOSE -> stored.get(first.name()).transpose();
            case THIRD -> Tensor.concatRows(ps.stream().map(p -> stored.get(p.name())).toArray(Tensor[]::new));
        };
    }

    private static long[] thirdShape(long[] shape) {
        long[] s = shape.clone();
        s[0] = shape[0] / 3;
        return s;
    }
}
