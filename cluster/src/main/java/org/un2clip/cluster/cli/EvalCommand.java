package org.un2clip.cluster.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.un2clip.cluster.eval.ClipPairEncoder;
import org.un2clip.cluster.eval.MmvpReport;
import org.un2clip.data.image.ImageDecoder;
import org.un2clip.data.mmvp.MmvpBenchmark;
import org.un2clip.data.mmvp.MmvpResult;
import org.un2clip.data.mmvp.MmvpScorer;
import org.un2clip.model.clip.Activation;
import org.un2clip.model.clip.ClipCheckpoints;
import org.un2clip.model.clip.ClipModel;
import org.un2clip.model.clip.ClipVision;
import org.un2clip.model.io.StrictLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", description = "Evaluate CLIP checkpoints.", subcommands = EvalCommand.Mmvp.class)
final class EvalCommand {
    /** Largest image the evaluation decodes (MMVP's images are photos of at most a few megapixels). */
    static final long MAX_PIXELS = 1L << 28;

    @Command(name = "mmvp", description = {
            "MMVP-VLM (Tong et al.) as upstream's scripts/evaluate_vlm.py: per pair, 'a photo of ' + statement, a softmax",
            "over the pair's two images, a pair counts only if both statements pick their own image (image 1 for an",
            "odd qid); per pattern the % of correct pairs, and their mean. BENCH: the MMVP_VLM folder (Questions.csv +",
            "'MLLM_VLM Images/<type>/<qid>.jpg') or the miniature pair benchmark (bin/un2clip demo's bench/)."})
    static final class Mmvp implements Callable<Integer> {
        @Option(names = "--clip", required = true, paramLabel = "MODEL", description = {
                "The CLIP model (text side, and image side unless --encoder): an HF transformers folder (config.json +",
                "model.safetensors or a sharded index) or an OpenAI/open_clip state dict (.safetensors, index, folder)."})
        Path clip;

        @Option(names = "--encoder", paramLabel = "FILE", description = {
                "A fine-tuned vision tower replacing the model's image side (OpenAI visual.*, bare or HF naming, as",
                "train/export write it); its config from the file's metadata, else the model's vision config."})
        Path encoder;

        @Option(names = "--bench", required = true, paramLabel = "DIR", description = "The benchmark folder.")
        Path bench;

        @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the result (patterns, mean, every pair) as JSON.")
        Path out;

        @Option(names = "--preset", description = "Model shape preset for both towers (e.g. ViT-L-14), instead of the checkpoint's config/shapes.")
        String preset;

        @Mixin
        ActivationOption activation;

        @Mixin
        TorchThreads threads;

        @Override
        public Integer call() throws Exception {
            threads.apply();
            if (!Files.isDirectory(bench)) {
                throw new Main.UserError("--bench " + bench + ": no such folder");
            }
            Activation act = activation.get();
            MmvpBenchmark benchmark = MmvpBenchmark.load(bench);
            try (NDManager manager = NDManager.newBaseManager();
                 ClipModel model = ClipCheckpoints.open(clip, preset, act, manager);
                 ClipVision replaced = encoder == null ? null : ClipCheckpoints.openVision(encoder, model.vision().config(), act, manager)) {
                ClipVision image = replaced != null ? replaced : model.vision();
                if (image.config().outputDim() != model.text().config().outputDim()) {
                    throw new Main.UserError("--encoder " + encoder + ": embedding width " + image.config().outputDim()
                            + " differs from the text tower's " + model.text().config().outputDim() + " in " + clip);
                }
                long t0 = System.nanoTime();
                MmvpResult result = new MmvpScorer(new ImageDecoder(MAX_PIXELS, false))
                        .score(benchmark, new ClipPairEncoder(manager, image, model.text(), model.logitScale()));
                System.out.printf(Locale.ROOT, "MMVP-VLM: %s%s on %s (%d pairs, %.1f s)%n", clip,
                        encoder == null ? "" : " with encoder " + encoder, bench, benchmark.pairs().size(), (System.nanoTime() - t0) / 1e9);
                System.out.print(MmvpReport.table(result));
                if (out != null) {
                    Map<String, Object> inputs = new LinkedHashMap<>();
                    inputs.put("clip", clip.toString());
                    inputs.put("encoder", encoder == null ? null : encoder.toString());
                    inputs.put("bench", bench.toString());
                    inputs.put("logit_scale", Math.exp(model.logitScale()));
                    writeJson(out, MmvpReport.json(inputs, result));
                    System.out.println("wrote " + out);
                }
            } catch (StrictLoader.WeightLoadException e) {
                throw new Main.UserError(e.getMessage());
            }
            return 0;
        }
    }

    static void writeJson(Path file, Object value) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
    }
}
