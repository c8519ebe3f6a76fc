package org.un2clip.model.unclip;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ldm {@code AutoencoderKL} parameter names ↔ diffusers {@code AutoencoderKL} names: the reverse of diffusers'
 * {@code convert_ldm_vae_checkpoint}. Encoder levels keep their index, decoder levels are reversed
 * ({@code up.l} ↔ {@code up_blocks.(L-1-l)}); {@code nin_shortcut} ↔ {@code conv_shortcut}; the mid attention's 1×1
 * convolutions q/k/v/proj_out ↔ linear layers {@code to_q/to_k/to_v/to_out.0} (diffusers ≥ 0.14) or
 * {@code query/key/value/proj_attn} (older files), whose weights drop the two trailing 1-sized axes.
 */
public final class VaeDiffusersNames {
    private static final Pattern DOWN = Pattern.compile("encoder\\.down\\.(\\d+)\\.(block\\.(\\d+)|downsample)\\.(.+)");
    private static final Pattern UP = Pattern.compile("decoder\\.up\\.(\\d+)\\.(block\\.(\\d+)|upsample)\\.(.+)");
    private static final Pattern MID = Pattern.compile("(encoder|decoder)\\.mid\\.(block_1|block_2|attn_1)\\.(.+)");
    private static final Map<String, String> ATTN_NEW = Map.of("norm", "group_norm", "q", "to_q", "k", "to_k", "v", "to_v",
            "proj_out", "to_out.0");
    private static final Map<String, String> ATTN_OLD = Map.of("norm", "group_norm", "q", "query", "k", "key", "v", "value",
            "proj_out", "proj_attn");

    private VaeDiffusersNames() {
    }

    /**
     * ldm name → diffusers name for every parameter of {@code shapes} (ldm names, table order), with the diffusers
     * shape; {@code legacyAttention} picks the pre-0.14 attention names.
     */
    public static Map<String, Map.Entry<String, long[]>> map(Map<String, long[]> shapes, int levels, boolean legacyAttention) {
        Map<String, Map.Entry<String, long[]>> out = new LinkedHashMap<>();
        shapes.forEach((ldm, shape) -> {
            String name = diffusers(ldm, levels, legacyAttention);
            boolean linear = name.contains(".attentions.") && !name.contains("group_norm") && shape.length == 4;
            out.put(ldm, Map.entry(name, linear ? new long[] {shape[0], shape[1]} : shape));
        });
        return out;
    }

    /** The diffusers name of one ldm VAE parameter (decoder levels reversed over {@code levels}). */
    public static String diffusers(String ldm, int levels, boolean legacyAttention) {
        Matcher m = DOWN.matcher(ldm);
        if (m.matches()) {
            return "encoder.down_blocks." + m.group(1) + "." + (m.group(3) != null ? "resnets." + m.group(3) + "." + resnet(m.group(4))
                    : "downsamplers.0." + m.group(4));
        }
        m = UP.matcher(ldm);
        if (m.matches()) {
            int level = levels - 1 - Integer.parseInt(m.group(1));
            return "decoder.up_blocks." + level + "." + (m.group(3) != null ? "resnets." + m.group(3) + "." + resnet(m.group(4))
                    : "upsamplers.0." + m.group(4));
        }
        m = MID.matcher(ldm);
        if (m.matches()) {
            String prefix = m.group(1) + ".mid_block.";
            return switch (m.group(2)) {
                case "block_1" -> prefix + "resnets.0." + resnet(m.group(3));
                case "block_2" -> prefix + "resnets.1." + resnet(m.group(3));
                default -> {
                    String rest = m.group(3);
                    int dot = rest.indexOf('.');
                    String layer = (legacyAttention ? ATTN_OLD : ATTN_NEW).get(rest.substring(0, dot));
                    if (layer == null) {
                        throw new IllegalArgumentException("no diffusers name for VAE parameter " + ldm);
                    }
                    yield prefix + "attentions.0." + layer + rest.substring(dot);
                }
            };
        }
        if (ldm.contains(".attn.")) {
            throw new IllegalArgumentException("VAE parameter " + ldm + ": attention inside down/up blocks has no diffusers AutoencoderKL name");
        }
        return ldm.replace("encoder.norm_out.", "encoder.conv_norm_out.").replace("decoder.norm_out.", "decoder.conv_norm_out.");
    }

    private static String resnet(String rest) {
        return rest.startsWith("nin_shortcut.") ? "conv_shortcut." + rest.substring("nin_shortcut.".length()) : rest;
    }
}
