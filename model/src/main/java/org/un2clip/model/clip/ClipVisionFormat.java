package org.un2clip.model.clip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.un2clip.model.io.WeightSource;

/**
 * The checkpoint namings a CLIP vision tower is stored under, and the exact (bit-preserving) mapping between each
 * of them and the tower's own OpenAI names ({@code conv1.weight}, {@code transformer.resblocks.0.attn.in_proj_weight}, ...).
 */
public enum ClipVisionFormat {
    /** OpenAI CLIP and open_clip state dicts: the tower under {@code visual.}. */
    OPENAI,
    /** A bare OpenAI vision tower (no {@code visual.} prefix), as this project writes its fine-tuned encoder. */
    OPENAI_BARE,
    /**
     * HF transformers {@code CLIPVisionModelWithProjection} / {@code CLIPModel}: {@code vision_model.*} with split
     * q/k/v projections, and {@code visual_projection.weight} = projᵀ.
     */
    HF;

    private static final String HF_LAYER = "vision_model.encoder.layers.";
    private static final Pattern BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Map<String, String> HF_TOP = Map.of(
            "class_embedding", "vision_model.embeddings.class_embedding",
            "positional_embedding", "vision_model.embeddings.position_embedding.weight",
            "conv1.weight", "vision_model.embeddings.patch_embedding.weight",
            "ln_pre.weight", "vision_model.pre_layrnorm.weight",
            "ln_pre.bias", "vision_model.pre_layrnorm.bias",
            "ln_post.weight", "vision_model.post_layernorm.weight",
            "ln_post.bias", "vision_model.post_layernorm.bias");
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
    /** HF buffers that carry no weights (older transformers versions save them). */
    private static final String HF_POSITION_IDS = "vision_model.embeddings.position_ids";

    /** Which naming a checkpoint uses, judged by its patch-embedding tensor. */
    public static ClipVisionFormat detect(WeightSource source) {
        if (source.contains("visual.conv1.weight")) {
            return OPENAI;
        }
        if (source.contains("vision_model.embeddings.patch_embedding.weight")) {
            return HF;
        }
        if (source.contains("conv1.weight")) {
            return OPENAI_BARE;
        }
        throw new IllegalArgumentException("not a CLIP vision checkpoint: none of visual.conv1.weight, "
                + "vision_model.embeddings.patch_embedding.weight, conv1.weight is present");
    }

    /** The tensors of this naming that belong to the vision tower (text tower and buffers hidden). */
    public WeightSource view(WeightSource source) {
        return switch (this) {
            case OPENAI -> source.withPrefix("visual.");
            case OPENAI_BARE -> source;
            case HF -> source.renamed(n -> (n.startsWith("vision_model.") || n.startsWith("visual_projection."))
                    && !n.equals(HF_POSITION_IDS) ? n : null);
        };
    }

    /** A stored tensor and how it derives from one canonical parameter. */
    private record Part(String name, Kind kind, int index) {}

    private enum Kind { COPY, THIRD, TRANSPOSE }

    private List<Part> parts(String canonical) {
        if (this != HF) {
            return List.of(new Part(canonical, Kind.COPY, 0));
        }
        if (canonical.equals("proj")) {
            return List.of(new Part("visual_projection.weight", Kind.TRANSPOSE, 0));
        }
        String top = HF_TOP.get(canonical);
        if (top != null) {
            return List.of(new Part(top, Kind.COPY, 0));
        }
        Matcher m = BLOCK.matcher(canonical);
        if (!m.matches()) {
            throw new IllegalArgumentException("no HF name for CLIP vision parameter " + canonical);
        }
        String layer = HF_LAYER + m.group(1) + ".";
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
            throw new IllegalArgumentException("no HF name for CLIP vision parameter " + canonical);
        }
        return List.of(new Part(layer + mapped, Kind.COPY, 0));
    }

    /** Stored name → shape for a tower whose parameters have {@code canonicalShapes} (in the tower's order). */
    public Map<String, long[]> storedShapes(Map<String, long[]> canonicalShapes) {
        Map<String, long[]> out = new LinkedHashMap<>();
        canonicalShapes.forEach((name, shape) -> {
            for (Part p : parts(name)) {
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
    public Map<String, Tensor> fromCanonical(Map<String, Tensor> canonical) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        canonical.forEach((name, t) -> {
            for (Part p : parts(name)) {
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
    public Tensor toCanonical(String canonical, Map<String, Tensor> stored) {
        List<Part> parts = parts(canonical);
        Part first = parts.get(0);
        return switch (first.kind()) {
            case COPY -> stored.get(first.name());
            case TRANSPOSE -> stored.get(first.name()).transpose();
            case THIRD -> Tensor.concatRows(parts.stream().map(p -> stored.get(p.name())).toArray(Tensor[]::new));
        };
    }

    private static long[] thirdShape(long[] shape) {
        long[] s = shape.clone();
        s[0] = shape[0] / 3;
        return s;
    }
}
