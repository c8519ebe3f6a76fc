package org.un2clip.model.unclip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.un2clip.model.nn.Taps;

/**
 * A UNet unlike the golden one (three levels, channel_mult [1,1,2], a fixed head count instead of head width,
 * attention only at ds 2, transformer depth 2, batch 3, context length 5, random weights), checked by properties
 * that hold for the upstream maths whatever the weights.
 */
class UNetSecondConfigTest {
    private static final UNetConfig CONFIG = new UNetConfig(8, 4, 4, 32, List.of(1, 1, 2), 1, List.of(2), -1, 2, 2, 16, 24);

    @Test
    void structureFollowsTheConfig() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNetModel unet = new UNetModel(m, CONFIG, 1024);
            var names = unet.parameters().arrays().keySet();
            // attention only at level 1 (ds 2): input block 3 and output blocks 2, 3 (ResBlock + ST); upsamplers close
            // levels 2 and 1 (output blocks 1 and 3)
            assertThat(names).contains("input_blocks.3.1.transformer_blocks.1.attn2.to_k.weight", "output_blocks.3.1.proj_out.weight",
                    "output_blocks.3.2.conv.weight", "output_blocks.1.1.conv.weight", "label_emb.0.0.weight");
            assertThat(names).noneMatch(n -> n.contains("transformer") && (n.startsWith("input_blocks.1.") || n.startsWith("input_blocks.5.")
                    || n.startsWith("output_blocks.0.") || n.startsWith("output_blocks.1.") || n.startsWith("output_blocks.4.")
                    || n.startsWith("output_blocks.5.")));
            // 2 heads over 32 channels: to_q is (heads·dim_head, C) = (32, 32); attn2 keys come from the 16-wide context
            assertThat(unet.parameters().shapes().get("input_blocks.3.1.transformer_blocks.0.attn2.to_k.weight")).containsExactly(32, 16);
            assertThat(unet.diffusersToLdm()).containsEntry("down_blocks.1.attentions.0.transformer_blocks.1.norm3.bias",
                    "input_blocks.3.1.transformer_blocks.1.norm3.bias")
                    .containsEntry("up_blocks.1.upsamplers.0.conv.weight", "output_blocks.3.2.conv.weight")
                    .containsEntry("down_blocks.2.resnets.0.conv_shortcut.weight", "input_blocks.5.0.skip_connection.weight");
        }
    }

    @Test
    void samplesAreIndependentContextOrderDoesNotMatterAndQuerySlicingIsExact() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNetModel whole = new UNetModel(m, CONFIG, 1024);
            UNetModel sliced = new UNetModel(m, CONFIG, 3);
            RandomInit.fill(whole.parameters(), 42, 0.2f);
            RandomInit.fill(sliced.parameters(), 42, 0.2f);
            NDArray x = m.randomNormal(new Shape(3, 4, 8, 8));
            NDArray t = m.create(new long[] {0, 500, 999});
            NDArray ctx = m.randomNormal(new Shape(3, 5, 16));
            NDArray y = m.randomNormal(new Shape(3, 24));
            NDArray out = whole.forward(x, t, ctx, y, Taps.NONE);
            assertThat(out.getShape()).isEqualTo(new Shape(3, 4, 8, 8));

            NDArray one = whole.forward(x.get(new NDIndex("1:2")), t.get(new NDIndex("1:2")), ctx.get(new NDIndex("1:2")),
                    y.get(new NDIndex("1:2")), Taps.NONE);
            // float32 rounding through a deep random net (summation order differs with batch size): 1e-5 relative;
            // a real mix-up of samples or tokens would be of order 1
            double scale = out.abs().max().getFloat();
            assertThat(maxDiff(one, out.get(new NDIndex("1:2")))).isLessThan(1e-5 * scale);

            NDArray permuted = ctx.get(new NDIndex(":, {}", m.create(new long[] {4, 2, 0, 3, 1})));
            assertThat(maxDiff(whole.forward(x, t, permuted, y, Taps.NONE), out)).isLessThan(1e-5 * scale);
            assertThat(maxDiff(whole.forward(x, t, ctx, y.mul(2), Taps.NONE), out)).isGreaterThan(1e-3 * scale);

            assertThat(maxDiff(sliced.forward(x, t, ctx, y, Taps.NONE), out)).isLessThan(1e-5 * scale);
        }
    }

    private static double maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
