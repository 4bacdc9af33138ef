package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar that {@code flink run} submits has our code and what a cluster lacks, not Flink itself;
 * with it alone (and the cluster's slf4j) a HuggingFace tokenizer loads, its native from the jar.
 */
class ShadedJobJarITCase {

    /** Files the onnxruntime jar has at its root. */
    private static final Set<String> ONNX_RUNTIME_TOP_LEVEL =
            Set.of("GIT_COMMIT_ID", "Privacy.md", "ThirdPartyNotices.txt");

    @Test
    void theFlinkJobJarIsSelfContainedAndLeavesTheRuntimeToTheCluster() throws IOException {
        try (JarFile jar = new JarFile(JobJars.full().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.fusion.jobs.FusionJobMain");
            for (String present : new String[] {
                "dev/fusion/jobs/FusionJobMain.class",
                "dev/fusion/operators/batch/MicroBatchOperator.class",
                "dev/fusion/models/inference/IntegrationModel.class",
                "dev/fusion/schemas/codec/SingleObjectCodec.class",
                "fusion-models/manifest.json",
                "fusion-models/text_routing.onnx",
                "org/apache/flink/connector/kafka/sink/KafkaSink.class",
                "org/apache/flink/formats/avro/typeutils/AvroTypeInfo.class",
                "org/apache/kafka/clients/producer/KafkaProducer.class",
                "org/apache/avro/Schema.class",
                "ai/onnxruntime/OrtSession.class",
                "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
                "com/fasterxml/jackson/dataformat/yaml/YAMLFactory.class",
                "ai/djl/huggingface/tokenizers/HuggingFaceTokenizer.class",
                "ai/djl/util/Platform.class",
                "native/lib/tokenizers.properties",
                "native/lib/linux-x86_64/cpu/libtokenizers.so",
                "native/lib/linux-aarch64/cpu/libtokenizers.so",
                "dev/fusion/shaded/com/google/gson/Gson.class",
                "com/sun/jna/Native.class"}) {
                assertThat(jar.getEntry(present)).as(present).isNotNull();
            }
            for (String absent : new String[] {
                "org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class",
                "org/apache/flink/runtime/minicluster/MiniCluster.class",
                "kafka/server/BrokerServer.class",
                "dev/fusion/jobs/embedded/EmbeddedKafkaBroker.class",
                "dev/fusion/jobs/demo/DemoCommand.class",
                "scala/Option.class",
                "com/google/gson/Gson.class",
                "native/lib/osx-aarch64/cpu/libtokenizers.dylib",
                "native/lib/win-x86_64/cpu/tokenizers.dll",
                "org/slf4j/LoggerFactory.class"}) {
                assertThat(jar.getEntry(absent)).as(absent).isNull();
            }
        }
    }

    @Test
    void theJarForAClusterWithOnnxRuntimeInLibIsTheSameJarWithoutOnnxRuntime() throws IOException {
        try (JarFile full = new JarFile(JobJars.full().toFile());
                JarFile lean = new JarFile(JobJars.withoutOnnxRuntime().toFile())) {
            assertThat(lean.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.fusion.jobs.FusionJobMain");
            Set<String> fullEntries = entries(full);
            Set<String> leanEntries = entries(lean);
            Set<String> onlyInFull = new TreeSet<>(fullEntries);
            onlyInFull.removeAll(leanEntries);
            assertThat(leanEntries).as("entries only in the lean jar").isSubsetOf(fullEntries);
            assertThat(onlyInFull).as("what the lean jar leaves out").isNotEmpty()
                    .allMatch(e -> e.startsWith("ai/onnxruntime/")
                            || e.startsWith("META-INF/maven/com.microsoft.onnxruntime/")
                            || ONNX_RUNTIME_TOP_LEVEL.contains(e), "ONNX Runtime's");
            assertThat(onlyInFull).contains("ai/onnxruntime/OrtSession.class",
                    "ai/onnxruntime/native/linux-x64/libonnxruntime.so");
        }
    }

    @Test
    void theFlinkJobJarAloneLoadsAHuggingFaceTokenizerOffline(@TempDir Path tmp)
            throws IOException, InterruptedException, URISyntaxException {
        String classpath = String.join(File.pathSeparator, JobJars.full().toString(),
                location(org.slf4j.LoggerFactory.class), location(ShadedTokenizerProbe.class));
        Path tokenizer = Path.of("..", "models", "src", "test", "resources", "hf", "wordpiece",
                "tokenizer.json").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", classpath, ShadedTokenizerProbe.class.getName(),
                tokenizer.toString(), "34").redirectErrorStream(true);
        List.of("DJL_OFFLINE", "RUST_FLAVOR", "ENGINE_CACHE_DIR", "DJL_CACHE_DIR",
                "RUST_LIBRARY_PATH").forEach(builder.environment()::remove);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("ids [2, 8, 15, 16, 3]", "djl from " + JobJars.full());
        assertThat(out.lines().filter(l -> l.startsWith("mapped ")).toList()).singleElement()
                .asString().startsWith("mapped " + tmp.resolve("fusion-djl-"
                        + System.getProperty("user.name")).resolve("tokenizers-"))
                .endsWith("/tokenizers/0.21.0-0.38.0-cpu-linux-x86_64/libtokenizers.so (deleted)");
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static Set<String> entries(JarFile jar) {
        Set<String> names = new TreeSet<>();
        jar.stream().filter(e -> !e.isDirectory()).forEach(e -> names.add(e.getName()));
        return names;
    }
}
