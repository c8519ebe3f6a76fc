package org.un2clip.model.unclip;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The shape of an ldm {@code AutoencoderKL} ({@code embed_dim} + {@code ddconfig}). */
public record VaeConfig(int resolution, int inChannels, int outChannels, int ch, List<Integer> chMult, int numResBlocks,
                        List<Integer> attnResolutions, int zChannels, boolean doubleZ, int embedDim) {

    public VaeConfig {
        chMult = List.copyOf(chMult);
        attnResolutions = List.copyOf(attnResolutions);
    }

    public int levels() {
        return chMult.size();
    }

    /** From an ldm {@code first_stage_config.params} object (the golden manifest's {@code config.vae}). */
    public static VaeConfig fromLdm(JsonNode p) {
        JsonNode dd = p.path("ddconfig");
        for (String k : List.of("ch", "ch_mult", "num_res_blocks", "z_channels")) {
            if (!dd.has(k)) {
                throw new IllegalArgumentException("VAE config: missing ddconfig." + k);
            }
        }
        String attnType = dd.path("attn_type").asText("vanilla");
        if (!"vanilla".equals(attnType) && !"vanilla-xformers".equals(attnType)) {
            throw new IllegalArgumentException("VAE config: attn_type '" + attnType + "' unsupported");
        }
        return new VaeConfig(dd.path("resolution").asInt(256), dd.path("in_channels").asInt(3), dd.path("out_ch").asInt(3),
                dd.get("ch").asInt(), UNetConfig.ints(dd.get("ch_mult")), dd.get("num_res_blocks").asInt(),
                UNetConfig.ints(dd.path("attn_resolutions")), dd.get("z_channels").asInt(), dd.path("double_z").asBoolean(true),
                p.path("embed_dim").asInt(dd.get("z_channels").asInt()));
    }

    /**
     * From a diffusers {@code AutoencoderKL} config.json: {@code block_out_channels} = ch × ch_mult,
     * {@code layers_per_block}, {@code latent_channels} (= z_channels = embed_dim), {@code sample_size}; attention only
     * in the mid blocks (diffusers' encoder/decoder blocks have none).
     */
    public static VaeConfig fromDiffusers(JsonNode c) {
        if (!c.has("block_out_channels") || !c.has("layers_per_block") || !c.has("latent_channels")) {
            throw new IllegalArgumentException("diffusers VAE config: block_out_channels, layers_per_block and latent_channels are needed");
        }
        List<Integer> boc = UNetConfig.ints(c.get("block_out_channels"));
        int ch = boc.get(0);
        List<Integer> mult = new java.util.ArrayList<>();
        for (int b : boc) {
            if (b % ch != 0) {
                throw new IllegalArgumentException("diffusers VAE config: block_out_channels " + boc + " are not multiples of " + ch);
            }
            mult.add(b / ch);
        }
        int latent = c.get("latent_channels").asInt();
        return new VaeConfig(c.path("sample_size").asInt(256), c.path("in_channels").asInt(3), c.path("out_channels").asInt(3), ch, mult,
                c.get("layers_per_block").asInt(), List.of(), latent, true, latent);
    }

    /** This config as an ldm {@code first_stage_config.params} object, what {@link #fromLdm} reads back. */
    public java.util.Map<String, Object> toLdm() {
        java.util.Map<String, Object> dd = new java.util.LinkedHashMap<>();
        dd.put("double_z", doubleZ);
        dd.put("z_channels", zChannels);
        dd.put("resolution", resolution);
        dd.put("in_channels", inChannels);
        dd.put("out_ch", outChannels);
        dd.put("ch", ch);
        dd.put("ch_mult", chMult);
        dd.put("num_res_blocks", numResBlocks);
        dd.put("attn_resolutions", attnResolutions);
        dd.put("dropout", 0.0);
        dd.put("attn_type", "vanilla");
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("embed_dim", embedDim);
        m.put("ddconfig", dd);
        return m;
    }

    /** The SD 2.x KL-f8 autoencoder (shared by Stable unCLIP). */
    public static VaeConfig sd2() {
        return new VaeConfig(256, 3, 3, 128, List.of(1, 2, 4, 4), 2, List.of(), 4, true, 4);
    }
}
