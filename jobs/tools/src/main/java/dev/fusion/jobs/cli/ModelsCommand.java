package dev.fusion.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ManifestDraft;
import dev.fusion.jobs.FusionJob;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.manifest.ModelSpec;
import dev.fusion.models.manifest.TensorSpec;
import dev.fusion.models.manifest.TokenizerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code models check DIR}: every check the job runs on a model directory at start (files,
 * checksums, opsets, signatures, the text model's vocabulary against its embedding table, the
 * contract, unknown keys, a HuggingFace tokenizer file's checks), plus an integration model for
 * each fusion mode asked for; and {@code models manifest DIR}: a manifest.json drafted from the
 * ONNX files (and a tokenizer.json beside them), for review.
 */
final class ModelsCommand {

    static final Set<String> CHECK_OPTIONS = Set.of("fusion-mode");
    static final Set<String> MANIFEST_OPTIONS = Set.of("family", "version", "out");
    static final Set<String> MANIFEST_FLAGS = Set.of("force");

    private static final String USAGE = "usage: models check DIR [--fusion-mode max,weighted]"
            + " | models manifest DIR [--family NAME] [--version 1.0.0] [--out FILE] [--force]";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelsCommand() {
    }

    static void run(String[] argv, PrintStream out) throws IOException {
        if (argv.length < 2 || argv[1].startsWith("--")) {
            throw new Args.UsageException(USAGE);
        }
        Path dir = Path.of(argv[1]);
        if (!Files.isDirectory(dir)) {
            throw new Args.UsageException(dir + " is not a directory");
        }
        String[] rest = Arrays.copyOfRange(argv, 2, argv.length);
        switch (argv[0]) {
            case "check" -> check(dir, Args.parse("models check", rest, CHECK_OPTIONS, Set.of()), out);
            case "manifest" -> manifest(dir, Args.parse("models manifest", rest, MANIFEST_OPTIONS,
                    MANIFEST_FLAGS), out);
            default -> throw new Args.UsageException(USAGE);
        }
    }

    private static void check(Path dir, Args args, PrintStream out) {
        List<FusionMode> modes = fusionModes(args.get("fusion-mode", FusionMode.MAX.id()));
        ModelManifest manifest = ModelManifest.load(dir);
        for (FusionMode mode : modes) {
            manifest.integration(mode);
        }
        out.printf(Locale.ROOT, "%s: manifest %s %s, embedding_dim %d, num_classes %d%n", dir,
                manifest.modelFamily(), manifest.version(), manifest.embeddingDim(),
                manifest.numClasses());
        out.println("  modalities (integration slots, M = " + manifest.modalities().size() + "): "
                + manifest.modalities().stream().map(m -> m.id() + " (" + (m.isText() ? "text"
                        : "features " + manifest.routing(m).inputDim()) + ")")
                        .collect(Collectors.joining(", ")));
        for (ModelSpec spec : manifest.models()) {
            out.printf(Locale.ROOT, "  %-22s %-11s %-8s %s (%s, opset %d, sha256 %s...)%n",
                    spec.name(), spec.role(), spec.modality() != null ? spec.modality()
                            : spec.fusionMode(), spec.version(), spec.file(), spec.opset(),
                    spec.sha256().substring(0, 12));
            out.println("      inputs  " + tensors(spec.inputs()));
            out.println("      outputs " + tensors(spec.outputs()));
            TokenizerConfig tokenizer = spec.tokenizer();
            if (tokenizer != null) {
                String file = tokenizer.file() == null ? "" : " " + tokenizer.file() + " (sha256 "
                        + tokenizer.sha256().substring(0, 12) + "...)";
                out.printf(Locale.ROOT, "      tokenizer %s%s, vocab_size %d (every id accepted by"
                        + " the model), max_tokens %d%n", tokenizer.type(), file,
                        tokenizer.vocabSize(), tokenizer.maxTokens());
            }
        }
        FusionJob.requireServable(manifest);
        out.println("ok: every check passed; integration model present for fusion mode "
                + modes.stream().map(FusionMode::id).collect(Collectors.joining(", ")));
    }

    private static void manifest(Path dir, Args args, PrintStream out) throws IOException {
        Path target = Path.of(args.get("out", dir.resolve("manifest.json").toString()));
        if (Files.exists(target) && !args.flag("force")) {
            throw new Args.UsageException("models manifest: " + target + " exists; --force replaces"
                    + " it, --out FILE writes elsewhere");
        }
        String family = args.get("family", dir.toAbsolutePath().normalize().getFileName().toString());
        ObjectNode draft = ManifestDraft.of(dir, family, args.get("version", "1.0.0"));
        JSON.writerWithDefaultPrettyPrinter().writeValue(target.toFile(), draft);
        out.println("wrote " + target + " from " + draft.get("models").size() + " ONNX files;"
                + " review model_family, version and the tokenizer's max_tokens ("
                + ManifestDraft.DEFAULT_MAX_TOKENS + " unless your text model was trained with"
                + " another)");
        if (target.toAbsolutePath().normalize().equals(dir.resolve("manifest.json").toAbsolutePath()
                .normalize())) {
            check(dir, Args.parse("models check", new String[0], CHECK_OPTIONS, Set.of()), out);
        }
    }

    private static List<FusionMode> fusionModes(String list) {
        List<FusionMode> modes = new ArrayList<>();
        for (String id : list.split(",")) {
            try {
                modes.add(FusionMode.fromId(id.strip()));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("models check: --fusion-mode: " + e.getMessage());
            }
        }
        return modes;
    }

    private static String tensors(List<TensorSpec> tensors) {
        return tensors.stream().map(t -> t.name() + " " + t.dataType() + " " + t.shapeString())
                .collect(Collectors.joining(", "));
    }
}
