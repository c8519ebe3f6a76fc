package org.un2clip.model.unclip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.un2clip.model.nn.Conv2d;
import org.un2clip.model.nn.GroupNorm;
import org.un2clip.model.nn.Linear;
import org.un2clip.model.io.WeightSource;
import org.un2clip.model.nn.ParameterTable;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.nn.Tensors;

/**
 * ldm {@code openaimodel.UNetModel} as Stable Diffusion 2.x / Stable unCLIP use it. Parameters live in a
 * {@link ParameterTable} under ldm names without {@code model.diffusion_model.}. Structure (ds doubles after
 * each downsample; a level gets a SpatialTransformer after each ResBlock iff ds ∈ attention_resolutions):
 * <pre>
 *   emb = time_embed(timestep_embedding(t, mc)) + label_emb(y)
 *   input_blocks → middle_block (Res, ST, Res) → output_blocks (h = cat[h, skip], h first) → out (GN, SiLU, conv)
 * </pre>
 * While building, every module also records its diffusers name, so the diffusers↔ldm key map is generated
 * from the config, as diffusers' {@code convert_ldm_unet_checkpoint} does.
 */
public final class UNetModel {
    private final UNetConfig config;
    private final ParameterTable params;
    private final Linear timeEmbed0;
    private final Linear timeEmbed2;
    private final Linear labelEmb0;
    private final Linear labelEmb2;
    private final List<List<UNetLayer>> inputBlocks = new ArrayList<>();
    private final List<UNetLayer> middleBlock = new ArrayList<>();
    private final List<List<UNetLayer>> outputBlocks = new ArrayList<>();
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    /** ldm module path → diffusers module path, at the granularity where the two namings differ. */
    private final Map<String, String> diffusersModules = new LinkedHashMap<>();

    public UNetModel(NDManager manager, UNetConfig config, int querySlice) {
        this.config = config;
        this.params = new ParameterTable(manager);
        ParameterTable p = params;
        int mc = config.modelChannels();
        int ted = config.timeEmbedDim();
        timeEmbed0 = new Linear(p, "time_embed.0", mc, ted, true);
        timeEmbed2 = new Linear(p, "time_embed.2", ted, ted, true);
        name("time_embed.0", "time_embedding.linear_1");
        name("time_embed.2", "time_embedding.linear_2");
        if (config.admInChannels() > 0) {
            labelEmb0 = new Linear(p, "label_emb.0.0", config.admInChannels(), ted, true);
            labelEmb2 = new Linear(p, "label_emb.0.2", ted, ted, true);
            name("label_emb.0.0", "class_embedding.linear_1");
            name("label_emb.0.2", "class_embedding.linear_2");
        } else {
            labelEmb0 = null;
            labelEmb2 = null;
        }

        inputBlocks.add(List.of(Resample.conv(Conv2d.same3x3(p, "input_blocks.0.0", config.inChannels(), mc), "input_blocks.0.0")));
        name("input_blocks.0.0", "conv_in");
        List<Integer> skipChannels = new ArrayList<>(List.of(mc));
        int ch = mc;
        int ds = 1;
        for (int level = 0; level < config.levels(); level++) {
            int out = mc * config.channelMult().get(level);
            for (int r = 0; r < config.numResBlocks(); r++) {
                String path = "input_blocks." + inputBlocks.size();
                List<UNetLayer> layers = new ArrayList<>();
                layers.add(resBlock(path + ".0", ch, out, "down_blocks." + level + ".resnets." + r));
                ch = out;
                if (config.attentionResolutions().contains(ds)) {
                    layers.add(transformer(path + ".1", ch, querySlice, "down_blocks." + level + ".attentions." + r));
                }
                inputBlocks.add(layers);
                skipChannels.add(ch);
            }
            if (level != config.levels() - 1) {
                String path = "input_blocks." + inputBlocks.size() + ".0";
                inputBlocks.add(List.of(Resample.down(p, path, ch)));
                name(path + ".op", "down_blocks." + level + ".downsamplers.0.conv");
                skipChannels.add(ch);
                ds *= 2;
            }
        }
        middleBlock.add(resBlock("middle_block.0", ch, ch, "mid_block.resnets.0"));
        middleBlock.add(transformer("middle_block.1", ch, querySlice, "mid_block.attentions.0"));
        middleBlock.add(resBlock("middle_block.2", ch, ch, "mid_block.resnets.1"));
        for (int level = config.levels() - 1; level >= 0; level--) {
            int up = config.levels() - 1 - level;
            int out = mc * config.channelMult().get(level);
            for (int i = 0; i <= config.numResBlocks(); i++) {
                String path = "output_blocks." + outputBlocks.size();
                int skip = skipChannels.remove(skipChannels.size() - 1);
                List<UNetLayer> layers = new ArrayList<>();
                layers.add(resBlock(path + ".0", ch + skip, out, "up_blocks." + up + ".resnets." + i));
                ch = out;
                if (config.attentionResolutions().contains(ds)) {
                    layers.add(transformer(path + "." + layers.size(), ch, querySlice, "up_blocks." + up + ".attentions." + i));
                }
                if (level > 0 && i == config.numResBlocks()) {
                    String upPath = path + "." + layers.size();
                    layers.add(Resample.up(p, upPath, ch));
                    name(upPath + ".conv", "up_blocks." + up + ".upsamplers.0.conv");
                    ds /= 2;
                }
                outputBlocks.add(layers);
            }
        }
        outNorm = new GroupNorm(p, "out.0", 32, ch, 1e-5f);
        outConv = Conv2d.same3x3(p, "out.2", ch, config.outChannels());
        name("out.0", "conv_norm_out");
        name("out.2", "conv_out");
    }

    private UNetLayer resBlock(String path, int in, int out, String diffusersPath) {
        ResBlock block = new ResBlock(params, path, in, config.timeEmbedDim(), out);
        ResBlock.DIFFUSERS.forEach((ldm, diffusers) -> name(path + "." + ldm, diffusersPath + "." + diffusers));
        return block;
    }

    private UNetLayer transformer(String path, int channels, int querySlice, String diffusersPath) {
        int[] heads = config.heads(channels);
        name(path, diffusersPath);
        return new SpatialTransformer(params, path, channels, heads[0], heads[1], config.transformerDepth(),
                config.contextDim(), querySlice);
    }

    private void name(String ldmModule, String diffusersModule) {
        diffusersModules.put(ldmModule, diffusersModule);
    }

    public UNetConfig config() {
        return config;
    }

    public ParameterTable parameters() {
        return params;
    }

    /**
     * The full key map diffusers name → ldm name (without {@code model.diffusion_model.}), one entry per
     * parameter in table order.
     */
    public Map<String, String> diffusersToLdm() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String ldm : params.arrays().keySet()) {
            String module = longestModule(ldm);
            if (module == null) {
                throw new IllegalStateException("no diffusers name for UNet parameter " + ldm);
            }
            out.put(diffusersModules.get(module) + ldm.substring(module.length()), ldm);
        }
        return out;
    }

    /** Loads ldm-named weights (already without {@code model.diffusion_model.}); strict: all problems in one error. */
    public void loadLdm(String what, WeightSource source) {
        params.load(what, source, true);
    }

    /**
     * Loads diffusers-named weights ({@code UNet2DConditionModel} state dict) through the generated key map.
     * Strict: a diffusers key the map does not know is reported as unexpected under its own name.
     */
    public void loadDiffusers(String what, WeightSource source) {
        Map<String, String> map = diffusersToLdm();
        params.load(what + " (diffusers naming)", source.renamed(name -> map.getOrDefault(name, name)), true);
    }

    private String longestModule(String key) {
        String best = null;
        for (String module : diffusersModules.keySet()) {
            if (key.startsWith(module + ".") && (best == null || module.length() > best.length())) {
                best = module;
            }
        }
        return best;
    }

    /**
     * @param x       noisy latents (B, C, H, W)
     * @param t       timesteps (B), integer
     * @param context cross-attention context (B, L, context_dim)
     * @param y       ADM class vector (B, adm_in), or null when the model has no label embedding
     */
    public NDArray forward(NDArray x, NDArray t, NDArray context, NDArray y, Taps taps) {
        NDArray tEmb = taps.tap("timestep_embedding", TimestepEmbedding.embed(t, config.modelChannels()));
        NDArray emb = taps.tap("time_embed", timeEmbed2.forward(Tensors.silu(timeEmbed0.forward(tEmb.toType(x.getDataType(), false)))));
        if (labelEmb0 != null) {
            if (y == null) {
                throw new IllegalArgumentException("this UNet has a label embedding (adm_in " + config.admInChannels() + "): y is required");
            }
            emb = emb.add(taps.tap("label_emb", labelEmb2.forward(Tensors.silu(labelEmb0.forward(y)))));
        }
        List<NDArray> skips = new ArrayList<>();
        NDArray h = x;
        for (List<UNetLayer> block : inputBlocks) {
            h = run(block, h, emb, context, taps);
            skips.add(h);
        }
        h = run(middleBlock, h, emb, context, taps);
        for (List<UNetLayer> block : outputBlocks) {
            h = h.concat(skips.remove(skips.size() - 1), 1);
            h = run(block, h, emb, context, taps);
        }
        return outConv.forward(Tensors.silu(taps.tap("out.0", outNorm.forward(h))));
    }

    private static NDArray run(List<UNetLayer> layers, NDArray h, NDArray emb, NDArray context, Taps taps) {
        for (UNetLayer layer : layers) {
            h = layer.forward(h, emb, context, taps);
        }
        return h;
    }
}
