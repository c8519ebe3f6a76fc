package org.un2clip.model.unclip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.un2clip.model.nn.Taps;
import org.un2clip.model.unclip.golden.VaeSuite;

class VaeTest {

    @Test
    void encoderQuantConvAndPosteriorMatchGolden() {
        ShippedGoldenSet.assertPasses(new VaeSuite(), "vae.");
    }

    @Test
    void untrainedAutoencoderWithAttentionRoundTripsShapes() {
        VaeConfig config = new VaeConfig(16, 3, 3, 32, List.of(1, 2), 1, List.of(8), 4, true, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = new AutoencoderKL(m, config, true, 8);
            RandomInit.fill(vae.encoderParameters(), 1, 0.05f);
            RandomInit.fill(vae.decoderParameters(), 2, 0.05f);
            NDArray image = m.randomUniform(-1f, 1f, new Shape(2, 3, 16, 16));
            AutoencoderKL.Posterior post = vae.encode(image, Taps.NONE);
            assertThat(post.mean().getShape()).isEqualTo(new Shape(2, 4, 8, 8));
            assertThat(post.logvar().max().getFloat()).isLessThanOrEqualTo(20f);
            NDArray noise = m.randomNormal(new Shape(2, 4, 8, 8));
            NDArray sample = post.sample(noise);
            assertThat(sample.sub(post.mean()).abs().max().getFloat()).isGreaterThan(0f);
            NDArray recon = vae.decode(post.mode());
            assertThat(recon.getShape()).isEqualTo(new Shape(2, 3, 16, 16));
            assertThat(recon.isNaN().any().getBoolean()).isFalse();
            assertThat(vae.decoderParameters().arrays().keySet())
                    .contains("decoder.up.0.block.1.conv2.weight", "decoder.up.1.upsample.conv.weight",
                            "decoder.up.1.attn.0.q.weight", "post_quant_conv.weight");
        }
    }

    @Test
    void sd2PresetHasTheKnownEncoderSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = new AutoencoderKL(m, VaeConfig.sd2(), false, 1024);
            // SD 2.x KL-f8 encoder: 34,163,592 parameters, plus quant_conv (8×8 + 8)
            assertThat(vae.encoderParameters().parameterCount()).isEqualTo(34_163_592L + 72);
            Map<String, long[]> shapes = vae.encoderParameters().shapes();
            assertThat(shapes.get("encoder.conv_out.weight")).containsExactly(8, 512, 3, 3);
        }
    }
}
