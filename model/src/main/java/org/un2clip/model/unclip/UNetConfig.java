package org.un2clip.model.unclip;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of an ldm {@code UNetModel} (spatial transformer, linear proj, "sequential" ADM class input).
 *
 * @param numHeadChannels channels per head, or -1 to use {@code numHeads} heads at every level
 * @param numHeads        heads per transformer when {@code numHeadChannels} is -1
 * @param admInChannels   width of the class ("adm") vector y, or 0 for no label embedding
 */
public record UNetConfig(int imageSize, int inChannels, int outChannels, int modelChannels, List<Integer> channelMult,
                         int numResBlocks, List<Integer> attentionResolutions, int numHeadChannels, int numHeads,
                         int transformerDepth, int contextDim, int admInChannels) {

    public UNetConfig {
        channelMult = List.copyOf(channelMult);
        // a set of downsample factors: kept sorted so configs from ldm ([4,2,1]) and diffusers compare equal
        attentionResolutions = attentionResolutions.stream().distinct().sorted().toList();
        if (numHeadChannels <= 0 && numHeads <= 0) {
            throw new IllegalArgumentException("UNet config: either num_head_channels or num_heads must be positive");
        }
        for (int mult : channelMult) {
            if (modelChannels * mult % 32 != 0) {
                throw new IllegalArgumentException("UNet config: every level's channels (model_channels × channel_mult = "
                        + modelChannels * mult + ") must be a multiple of 32 (GroupNorm32)");
            }
        }
    }

    public int timeEmbedDim() {
        return modelChannels * 4;
    }

    public int levels() {
        return channelMult.size();
    }

    /** {heads, dim_head} of a transformer on {@code channels} channels (ldm, legacy=False). */
    public int[] heads(int channels) {
        if (numHeadChannels > 0) {
            if (channels % numHeadChannels != 0) {
                throw new IllegalArgumentException("UNet config: " + channels + " channels do not split into heads of "
                        + numHeadChannels);
            }
            return new int[] {channels / numHeadChannels, numHeadChannels};
        }
        return new int[] {numHeads, channels / numHeads};
    }

    /** From an ldm {@code unet_config.params} object (the golden manifest's {@code config.unet}). */
    public static UNetConfig fromLdm(JsonNode p) {
        require(p, "model_channels", "channel_mult", "num_res_blocks", "attention_resolutions", "context_dim");
        if (p.has("use_linear_in_transformer") && !p.get("use_linear_in_transformer").asBoolean()) {
            throw new IllegalArgumentException("UNet config: only use_linear_in_transformer=true (SD 2.x) is supported");
        }
        if (p.has("num_res_blocks") && p.get("num_res_blocks").isArray()) {
            throw new IllegalArgumentException("UNet config: per-level num_res_blocks lists are not supported");
        }
        String classes = p.path("num_classes").asText("");
        if (!classes.isEmpty() && !"sequential".equals(classes)) {
            throw new IllegalArgumentException("UNet config: num_classes '" + classes + "' unsupported (only \"sequential\")");
        }
        return new UNetConfig(p.path("image_size").asInt(0), p.path("in_channels").asInt(4), p.path("out_channels").asInt(4),
                p.get("model_channels").asInt(), ints(p.get("channel_mult")), p.get("num_res_blocks").asInt(),
                ints(p.get("attention_resolutions")), p.path("num_head_channels").asInt(-1), p.path("num_heads").asInt(-1),
                p.path("transformer_depth").asInt(1), p.get("context_dim").asInt(),
                "sequential".equals(classes) ? p.path("adm_in_channels").asInt() : 0);
    }

    /** This config as an ldm {@code unet_config.params} object, what {@link #fromLdm} reads back. */
    public java.util.Map<String, Object> toLdm() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("image_size", imageSize);
        m.put("in_channels", inChannels);
        m.put("out_channels", outChannels);
        m.put("model_channels", modelChannels);
        m.put("attention_resolutions", attentionResolutions);
        m.put("num_res_blocks", numResBlocks);
        m.put("channel_mult", channelMult);
        m.put("num_head_channels", numHeadChannels);
        m.put("num_heads", numHeads);
        m.put("use_spatial_transformer", true);
        m.put("use_linear_in_transformer", true);
        m.put("transformer_depth", transformerDepth);
        m.put("context_dim", contextDim);
        if (admInChannels > 0) {
            m.put("num_classes", "sequential");
            m.put("adm_in_channels", admInChannels);
        }
        m.put("legacy", false);
        return m;
    }

    /**
     * From a diffusers {@code UNet2DConditionModel} config.json. Note diffusers' {@code attention_head_dim}
     * is the number of heads (a known misnomer); {@code CrossAttnDownBlock2D} at level i means attention at ds = 2^i.
     */
    public static UNetConfig fromDiffusers(JsonNode c) {
        require(c, "block_out_channels", "layers_per_block", "down_block_types", "cross_attention_dim");
        if (!c.path("use_linear_projection").asBoolean(false)) {
            throw new IllegalArgumentException("diffusers UNet config: only use_linear_projection=true is supported");
        }
        List<Integer> boc = ints(c.get("block_out_channels"));
        int mc = boc.get(0);
        List<Integer> mult = new ArrayList<>();
        for (int ch : boc) {
            if (ch % mc != 0) {
                throw new IllegalArgumentException("diffusers UNet config: block_out_channels " + boc + " are not multiples of " + mc);
            }
            mult.add(ch / mc);
        }
        List<Integer> attn = new ArrayList<>();
        for (int i = 0; i < c.get("down_block_types").size(); i++) {
            if (c.get("down_block_types").get(i).asText().startsWith("CrossAttn")) {
                attn.add(1 << i);
            }
        }
        JsonNode headsNode = c.path("attention_head_dim");
        List<Integer> heads = new ArrayList<>();
        for (int i = 0; i < boc.size(); i++) {
            heads.add(headsNode.isArray() ? headsNode.get(i).asInt() : headsNode.asInt(8));
        }
        int headChannels = boc.get(0) / heads.get(0);
        boolean sameHeadChannels = true;
        boolean sameHeads = true;
        for (int i = 0; i < boc.size(); i++) {
            sameHeadChannels &= boc.get(i) == headChannels * heads.get(i);
            sameHeads &= heads.get(i).equals(heads.get(0));
        }
        if (!sameHeadChannels && !sameHeads) {
            throw new IllegalArgumentException("diffusers UNet config: attention_head_dim " + heads
                    + " is neither a constant head count nor a constant head width");
        }
        String classEmbed = c.path("class_embed_type").asText("");
        int adm = "projection".equals(classEmbed) ? c.path("projection_class_embeddings_input_dim").asInt() : 0;
        if (!classEmbed.isEmpty() && !"null".equals(classEmbed) && !"projection".equals(classEmbed)) {
            throw new IllegalArgumentException("diffusers UNet config: class_embed_type '" + classEmbed + "' unsupported");
        }
        JsonNode depth = c.path("transformer_layers_per_block");
        return new UNetConfig(c.path("sample_size").asInt(0), c.path("in_channels").asInt(4), c.path("out_channels").asInt(4),
                mc, mult, c.get("layers_per_block").asInt(), attn, sameHeadChannels ? headChannels : -1,
                sameHeadChannels ? -1 : heads.get(0), depth.isArray() ? depth.get(0).asInt() : depth.asInt(1),
                c.get("cross_attention_dim").asInt(), adm);
    }

    /** Stability's v2-1-stable-unclip-h (OpenCLIP ViT-H image embeddings, adm_in 2048). */
    public static UNetConfig sd21UnclipH() {
        return sd21Unclip(2048);
    }

    /** Stability's v2-1-stable-unclip-l (OpenAI ViT-L/14 image embeddings, adm_in 1536 = 768 + 768). */
    public static UNetConfig sd21UnclipL() {
        return sd21Unclip(1536);
    }

    /** A preset by name: {@code sd21-unclip-h}, {@code sd21-unclip-l}. */
    public static UNetConfig preset(String name) {
        return switch (name) {
            case "sd21-unclip-h", "stable-diffusion-2-1-unclip" -> sd21UnclipH();
            case "sd21-unclip-l", "stable-diffusion-2-1-unclip-small" -> sd21UnclipL();
            default -> throw new IllegalArgumentException("unknown UNet preset '" + name + "' (known: sd21-unclip-h, sd21-unclip-l)");
        };
    }

    private static UNetConfig sd21Unclip(int admIn) {
        return new UNetConfig(96, 4, 4, 320, List.of(1, 2, 4, 4), 2, List.of(4, 2, 1), 64, -1, 1, 1024, admIn);
    }

    private static void require(JsonNode n, String... keys) {
        for (String k : keys) {
            if (!n.has(k)) {
                throw new IllegalArgumentException("UNet config: missing key '" + k + "'");
            }
        }
    }

    static List<Integer> ints(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(v -> out.add(v.asInt()));
        } else {
            out.add(n.asInt());
        }
        return out;
    }
}
