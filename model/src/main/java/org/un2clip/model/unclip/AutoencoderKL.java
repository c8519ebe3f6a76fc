package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.un2clip.model.io.StrictLoader;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.Conv2d;
import org.un2clip.model.nn.GroupNorm;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.nn.Tensors;

/**
 * ldm {@code AutoencoderKL}: the encoder + {@code quant_conv} (image → posterior moments) and, optionally, the
 * {@code post_quant_conv} + decoder (latent → image, for reconstructions). Parameters under ldm names without
 * {@code first_stage_model.}; encoder and decoder are separate tables because training needs only the encoder.
 */
public final class AutoencoderKL {
    private final VaeConfig config;
    private final ParameterTable encoderParams;
    private final ParameterTable decoderParams;
    private final List<Stage> encoder = new ArrayList<>();
    private final Conv2d quantConv;
    private final List<Stage> decoder = new ArrayList<>();
    private final Conv2d postQuantConv;

    private record Stage(String path, VaeBlocks.Block block) {}

    public AutoencoderKL(NDManager manager, VaeConfig config, boolean withDecoder, int querySlice) {
        this.config = config;
        encoderParams = new ParameterTable(manager);
        buildEncoder(encoderParams, querySlice);
        int moments = config.doubleZ() ? 2 * config.zChannels() : config.zChannels();
        quantConv = Conv2d.pointwise(encoderParams, "quant_conv", moments, 2L * config.embedDim());
        if (withDecoder) {
            decoderParams = new ParameterTable(manager);
            postQuantConv = Conv2d.pointwise(decoderParams, "post_quant_conv", config.embedDim(), config.zChannels());
            buildDecoder(decoderParams, querySlice);
        } else {
            decoderParams = null;
            postQuantConv = null;
        }
    }

    private void buildEncoder(ParameterTable p, int querySlice) {
        Conv2d convIn = Conv2d.same3x3(p, "encoder.conv_in", config.inChannels(), config.ch());
        encoder.add(new Stage("encoder.conv_in", convIn::forward));
        int res = config.resolution();
        int blockIn = config.ch();
        for (int level = 0; level < config.levels(); level++) {
            int blockOut = config.ch() * config.chMult().get(level);
            for (int b = 0; b < config.numResBlocks(); b++) {
                String path = "encoder.down." + level + ".block." + b;
                encoder.add(new Stage(path, VaeBlocks.resnet(p, path, blockIn, blockOut)));
                blockIn = blockOut;
                if (config.attnResolutions().contains(res)) {
                    String attn = "encoder.down." + level + ".attn." + b;
                    encoder.add(new Stage(attn, VaeBlocks.attention(p, attn, blockIn, querySlice)));
                }
            }
            if (level != config.levels() - 1) {
                String path = "encoder.down." + level + ".downsample";
                encoder.add(new Stage(path, VaeBlocks.downsample(p, path, blockIn)));
                res /= 2;
            }
        }
        addMiddle(encoder, p, "encoder", blockIn, querySlice);
        GroupNorm normOut = VaeBlocks.norm(p, "encoder.norm_out", blockIn);
        encoder.add(new Stage("encoder.norm_out", normOut::forward));
        int out = config.doubleZ() ? 2 * config.zChannels() : config.zChannels();
        Conv2d convOut = Conv2d.same3x3(p, "encoder.conv_out", blockIn, out);
        encoder.add(new Stage("encoder.conv_out", x -> convOut.forward(Tensors.silu(x))));
    }

    private void buildDecoder(ParameterTable p, int querySlice) {
        int blockIn = config.ch() * config.chMult().get(config.levels() - 1);
        int res = config.resolution() >> (config.levels() - 1);
        Conv2d convIn = Conv2d.same3x3(p, "decoder.conv_in", config.zChannels(), blockIn);
        decoder.add(new Stage("decoder.conv_in", convIn::forward));
        addMiddle(decoder, p, "decoder", blockIn, querySlice);
        for (int level = config.levels() - 1; level >= 0; level--) {
            int blockOut = config.ch() * config.chMult().get(level);
            for (int b = 0; b <= config.numResBlocks(); b++) {
                String path = "decoder.up." + level + ".block." + b;
                decoder.add(new Stage(path, VaeBlocks.resnet(p, path, blockIn, blockOut)));
                blockIn = blockOut;
                if (config.attnResolutions().contains(res)) {
                    String attn = "decoder.up." + level + ".attn." + b;
                    decoder.add(new Stage(attn, VaeBlocks.attention(p, attn, blockIn, querySlice)));
                }
            }
            if (level != 0) {
                String path = "decoder.up." + level + ".upsample";
                decoder.add(new Stage(path, VaeBlocks.upsample(p, path, blockIn)));
                res *= 2;
            }
        }
        GroupNorm normOut = VaeBlocks.norm(p, "decoder.norm_out", blockIn);
        decoder.add(new Stage("decoder.norm_out", normOut::forward));
        Conv2d convOut = Conv2d.same3x3(p, "decoder.conv_out", blockIn, config.outChannels());
        decoder.add(new Stage("decoder.conv_out", x -> convOut.forward(Tensors.silu(x))));
    }

    private static void addMiddle(List<Stage> stages, ParameterTable p, String side, int channels, int querySlice) {
        stages.add(new Stage(side + ".mid.block_1", VaeBlocks.resnet(p, side + ".mid.block_1", channels, channels)));
        stages.add(new Stage(side + ".mid.attn_1", VaeBlocks.attention(p, side + ".mid.attn_1", channels, querySlice)));
        stages.add(new Stage(side + ".mid.block_2", VaeBlocks.resnet(p, side + ".mid.block_2", channels, channels)));
    }

    public VaeConfig config() {
        return config;
    }

    public ParameterTable encoderParameters() {
        return encoderParams;
    }

    /** The decoder's table, or null when built without the decoder. */
    public ParameterTable decoderParameters() {
        return decoderParams;
    }

    /** Loads the encoder side ({@code encoder.*}, {@code quant_conv.*}) strictly; other names in the source are ignored. */
    public void loadEncoder(String what, WeightSource ldmNames) {
        encoderParams.load(what, ldmNames.renamed(n -> n.startsWith("encoder.") || n.startsWith("quant_conv.") ? n : null), true);
    }

    /** Loads the decoder side ({@code decoder.*}, {@code post_quant_conv.*}) strictly. */
    public void loadDecoder(String what, WeightSource ldmNames) {
        if (decoderParams == null) {
            throw new IllegalStateException("this autoencoder was built without its decoder");
        }
        decoderParams.load(what, ldmNames.renamed(n -> n.startsWith("decoder.") || n.startsWith("post_quant_conv.") ? n : null), true);
    }

    /**
     * Loads the decoder side from a diffusers {@code AutoencoderKL} state dict ({@link VaeDiffusersNames}; either
     * attention naming). Strict: every missing, mis-shaped or unexpected decoder tensor in one error.
     */
    public void loadDecoderDiffusers(String what, WeightSource diffusersNames) {
        if (decoderParams == null) {
            throw new IllegalStateException("this autoencoder was built without its decoder");
        }
        boolean legacy = diffusersNames.contains("decoder.mid_block.attentions.0.query.weight");
        java.util.Map<String, java.util.Map.Entry<String, long[]>> map = VaeDiffusersNames.map(decoderParams.shapes(), config.levels(), legacy);
        java.util.Map<String, long[]> expected = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> toLdm = new java.util.HashMap<>();
        map.forEach((ldm, d) -> {
            expected.put(d.getKey(), d.getValue());
            toLdm.put(d.getKey(), ldm);
        });
        StrictLoader.load(what + " (diffusers naming)", expected,
                diffusersNames.renamed(n -> n.startsWith("decoder.") || n.startsWith("post_quant_conv.") ? n : null), true,
                (name, values) -> decoderParams.set(toLdm.get(name), values));
    }

    /** The diagonal Gaussian posterior: moments split into mean and log-variance clamped to [-30, 20]. */
    public record Posterior(NDArray moments, NDArray mean, NDArray logvar) {
        /** The latent as upstream's {@code mode()}: the mean. */
        public NDArray mode() {
            return mean;
        }

        /** {@code mean + exp(0.5·logvar)·noise}, noise ~ N(0, I) of the mean's shape (differentiable: VAE training). */
        public NDArray sample(NDArray noise) {
            return mean.add(logvar.mul(Tensors.scalar(logvar, 0.5f)).exp().mul(noise));
        }
    }

    /** Image (B, 3, H, W) in [-1, 1] → posterior. */
    public Posterior encode(NDArray image, Taps taps) {
        NDArray h = image;
        for (Stage s : encoder) {
            h = taps.tap(s.path, s.block.forward(h));
        }
        NDArray moments = quantConv.forward(h);
        NDList parts = moments.split(2, 1);
        return new Posterior(moments, parts.get(0), parts.get(1).clip(-30f, 20f));
    }

    /** Latent (B, embed_dim, h, w), unscaled (divide by the scale factor first) → image (B, out_ch, H, W). */
    public NDArray decode(NDArray z) {
        if (decoderParams == null) {
            throw new IllegalStateException("this autoencoder was built without its decoder");
        }
        NDArray h = postQuantConv.forward(z);
        for (Stage s : decoder) {
            h = s.block.forward(h);
        }
        return h;
    }
}
