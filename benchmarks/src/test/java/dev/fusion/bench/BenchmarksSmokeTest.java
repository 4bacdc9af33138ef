package dev.fusion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fusion.bench.floor.FloorResult;
import dev.fusion.bench.model.ModelCeiling;
import dev.fusion.bench.passthrough.PassThroughInference;
import dev.fusion.bench.pipeline.CheckpointLog;
import dev.fusion.bench.pipeline.LatencyResult;
import dev.fusion.bench.pipeline.ThroughputResult;
import dev.fusion.bench.report.Report;
import dev.fusion.jobs.InferenceFactory;
import dev.fusion.models.manifest.FusionMode;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.runtime.RuntimeOptions;
import dev.fusion.operators.batch.BatchFunction;
import dev.fusion.operators.records.FusionRequest;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RoutedRecord;
import dev.fusion.operators.routing.ModelLocation;
import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke checks: the pass-through has the models' output shape; a report renders. */
class BenchmarksSmokeTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"),
            ZoneOffset.UTC);

    @Test
    void thePassThroughWritesFusedRecordsOfTheModelsSize() throws Exception {
        ModelManifest manifest = ModelManifest.loadBundled();
        var setup = new InferenceFactory.Setup(ModelLocation.bundled(), manifest, FusionMode.MAX,
                RuntimeOptions.defaults(), CLOCK);
        int imageDim = manifest.routing(dev.fusion.models.manifest.Modality.IMAGE).inputDim();
        float[] features = new float[imageDim];
        features[3] = -2f;
        var imageStream = manifest.modality(dev.fusion.models.manifest.Modality.IMAGE);
        var textStream = manifest.modality(dev.fusion.models.manifest.Modality.TEXT);
        ModalityRecord image = ModalityRecord.features(imageStream.index(), "i-1", "e-1", 1000L,
                features, "t", 0, 0);
        ModalityRecord text = ModalityRecord.text(textStream.index(), "t-1", "e-1", 1000L,
                "quiet river", "t", 0, 0);
        RoutedRecord routedImage = new PassThroughInference().routing(imageStream, setup)
                .apply(List.of(image)).get(0);
        RoutedRecord routedText = new PassThroughInference().routing(textStream, setup)
                .apply(List.of(text)).get(0);
        assertThat(routedImage.embedding).hasSize(manifest.embeddingDim());
        assertThat(routedImage.embedding[3]).isEqualTo(2f);
        assertThat(routedText.embedding).hasSize(manifest.embeddingDim());

        FusionRequest request = FusionRequest.empty("e-1", 1999L, AlignmentPolicy.WINDOW,
                manifest.modalities().size(), manifest.embeddingDim());
        request.windowStart = 1000L;
        request.put(textStream.index(), routedText.embedding, 0f);
        request.put(imageStream.index(), routedImage.embedding, 0f);
        request.sourceEventIds = new String[] {"i-1", "t-1"};
        FusedEvent passThrough = apply(new PassThroughInference().integration(setup), request);
        FusedEvent model = apply(InferenceFactory.models().integration(setup), request);

        assertThat(passThrough.getFused()).hasSize(manifest.embeddingDim());
        assertThat(passThrough.getScores()).hasSize(manifest.numClasses());
        assertThat(passThrough.getWeights()).containsExactly(0.5f, 0f, 0.5f);
        assertThat(passThrough.getModalities()).containsExactly(Modality.TEXT, Modality.IMAGE);
        SingleObjectCodec<FusedEvent> codec = SingleObjectCodec.forSpecific(FusedEvent.class);
        assertThat(codec.encode(passThrough)).hasSameSizeAs(codec.encode(model));
    }

    @Test
    void aReportWritesItsFilesAndTheDocumentBlock(@TempDir Path dir) throws Exception {
        Report report = new Report("smoke settings", "smoke machine");
        report.models(List.of(new ModelCeiling.Point("chain", "shipped", 64, 2, 100_000, 90_000,
                110_000), new ModelCeiling.Point("chain", "shipped", 1, 2, 10_000, 9_000, 11_000),
                new ModelCeiling.Point("image-routing", "shipped", 64, 1, 400_000, 390_000,
                        410_000)));
        for (int trial = 1; trial <= 3; trial++) {
            report.throughput(result(Report.SHIPPED, trial, 20_000));
            report.throughput(result(Report.BATCH1, trial, 10_000));
            report.throughput(result(Report.IO_CEILING, trial, 30_000));
        }
        report.calibration(new LatencyResult(Report.LATENCY, 1, Report.CALIBRATION_LOAD, 50_000,
                49_000, 100_000, 1_000_000, 24_000, 9000, 15_000, 15_500, 9500, 16_000, 16_500, 40, 20,
                800, 900L << 20, 1200 << 10, 1.0, CHECKPOINTS), 40_000);
        report.calibration(new LatencyResult(Report.LATENCY, 2, 0.66, 26_400, 26_400, 100_000,
                528_000, 23_000, 9000, 15_000, 15_500, 9500, 16_000, 16_500, 40, 20, 800,
                900L << 20, 1200 << 10, 1.0, CHECKPOINTS), 40_000);
        report.latency(latency(Report.LATENCY, 0.5, 90, 1200));
        report.sweep(latency(Report.checkpointLatency(Duration.ofMillis(200)), 0.5, 80, 310));
        report.sweep(latency(Report.checkpointLatency(Duration.ofSeconds(1)), 0.5, 70, 1150));
        report.sweep(latency(Report.atLeastOnceLatency(), 0.5, 60, 75));
        report.sweep(latency(Report.withoutDuplicateDetectionLatency(), 0.5, 50, 250));
        report.throughput(result(Report.checkpointThroughput(Duration.ofMillis(200)), 1, 21_000));
        report.throughput(result(Report.checkpointThroughput(Duration.ofSeconds(1)), 1, 23_000));
        report.floor(new FloorResult(1, 300_000, 100_000, 100_000, 0, 0, 0, 50_000, 3, 25, 10,
                430, 1L << 30, 1L << 20, 1.0));
        report.throughput(result(Report.keySpace(1000), 1, 20_000));
        report.throughput(result(Report.keySpace(1_000_000), 1, 19_000));
        Path doc = dir.resolve("PERFORMANCE.md");
        Files.writeString(doc, "# Performance\n\nProse stays.\n");

        report.write(dir, doc);

        assertThat(dir.resolve("pipeline.csv")).content().contains("shipped,1,2,64");
        assertThat(dir.resolve("figures.csv")).content().contains("a_over_b,2.000")
                .contains("visible_p99_at_50pct,1200.0,ms");
        assertThat(dir.resolve("pipeline.svg")).content().startsWith("<svg");
        assertThat(dir.resolve("checkpoints.svg")).content().startsWith("<svg");
        assertThat(dir.resolve("keyspace.svg")).content().startsWith("<svg");
        // batching, bundled models: ideal 1/(1/100k+1/30k) = 23,077 over 1/(1/10k+1/30k) = 7,500
        assertThat(dir.resolve("summary.md")).content()
                .contains("| batching, bundled models: (a)/(b) >= 0.9 x (ideal at batch 64 / ideal"
                        + " at batch 1) = 2.77 | 2.00 | **missed** |")
                .contains("open-loop maximum, 24,000 events/s")
                .contains("| (d) >= 0.5 x the raw kafka-clients floor | (d) = 0.60 x floor | met |")
                .contains("| raw-floor (no Flink) | 300,000 | 50,000 (50,000-50,000) | 25.0 | 10.0 |")
                .contains("| visible p99 <= 400 ms at 50% of the open-loop maximum (exactly once,"
                        + " read_committed, checkpoints every 200ms) | 1200 ms | **missed** |")
                .contains("| internal p99 <= max-delay + 100 ms = 120 ms at 50% of the open-loop"
                        + " maximum (emitted_at - event_time) | 90 ms | met |")
                .contains("| exactly once | 200ms | 21,000 | 40 / 90 | 80 / 80 | 310 / 310 / 310 |")
                .contains("| exactly once | 1s | 23,000 |")
                .contains("| at least once | 200ms | n/a | 40 / 90 | 60 / 60 | 75 / 75 / 75 |")
                .contains("| exactly once, no duplicate detection | 200ms | n/a | 40 / 90 | 50 / 50 |"
                        + " 250 / 250 / 250 |")
                .contains("| 1,000,000 | 300,000 | 19,000 | 70.0 | 3.0 | 1024 | exact (1 trials) |");
        assertThat(report.openLoopMaximum()).isEqualTo(24_000);
        assertThat(dir.resolve("latency.csv")).content().contains("\ncalibration,1,50000.0,49000.0,")
                .contains("\ncalibration,2,26400.0,").contains("\n0.50,1,12000.0,");
        assertThat(doc).content().startsWith("# Performance\n\nProse stays.")
                .contains("<!-- BEGIN GENERATED FIGURES").contains("performance/pipeline.svg");
        assertThat(dir.resolve("performance").resolve("latency.svg")).exists();
    }

    private static FusedEvent apply(BatchFunction<FusionRequest, FusedEvent> function,
            FusionRequest request)
            throws Exception {
        function.open();
        try {
            return function.apply(List.of(request)).get(0);
        } finally {
            function.close();
        }
    }

    private static ThroughputResult result(dev.fusion.bench.pipeline.RunSpec spec, int trial,
            double fusedPerSecond) {
        return new ThroughputResult(spec, trial, 300_000, 100_000, 100_000, 0, 0, fusedPerSecond, 6,
                70, 30, 1L << 30, 2 << 20, 1.0, CHECKPOINTS);
    }

    /** An open-loop run whose internal and visible latencies are flat at the given values. */
    private static LatencyResult latency(dev.fusion.bench.pipeline.RunSpec spec, double load,
            long internal, long visible) {
        return new LatencyResult(spec, 1, load, 12_000, 11_990, 240_000, 240_000, 12_000, internal,
                internal, internal, visible, visible, visible, 50, 20, 3, 500L << 20, 800 << 10,
                1.0, CHECKPOINTS);
    }

    /** 12 checkpoints of 40 ms (median) to 90 ms, the largest 3 MiB. */
    private static final CheckpointLog CHECKPOINTS = new CheckpointLog(12, 40, 90, 3L << 20);
}
