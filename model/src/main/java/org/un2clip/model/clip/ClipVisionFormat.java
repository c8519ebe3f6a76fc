package org.un2clip.model.clip;

import java.util.Map;
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

    /** The mapping between this naming (after {@link #view}) and the tower's canonical names. */
    StoredNames names() {
        return this == HF ? StoredNames.HF_VISION : StoredNames.IDENTITY;
    }

    /** Stored name → shape for a tower whose parameters have {@code canonicalShapes} (in the tower's order). */
    public Map<String, long[]> storedShapes(Map<String, long[]> canonicalShapes) {
        return names().storedShapes(canonicalShapes);
    }

    /** Canonical tensors → stored tensors, in the tower's order. Exact: values are only moved. */
    public Map<String, Tensor> fromCanonical(Map<String, Tensor> canonical) {
        return names().fromCanonical(canonical);
    }

    /** Stored tensors → the canonical parameter {@code canonical}. */
    public Tensor toCanonical(String canonical, Map<String, Tensor> stored) {
        return names().toCanonical(canonical, stored);
    }
}
