package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar that {@code flink run} submits has our code and what a cluster lacks, not Flink itself. */
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
                "com/fasterxml/jackson/dataformat/yaml/YAMLFactory.class"}) {
                assertThat(jar.getEntry(present)).as(present).isNotNull();
            }
            for (String absent : new String[] {
                "org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class",
                "org/apache/flink/runtime/minicluster/MiniCluster.class",
                "kafka/server/BrokerServer.class",
                "dev/fusion/jobs/embedded/EmbeddedKafkaBroker.class",
                "dev/fusion/jobs/demo/DemoCommand.class",
                "scala/Option.class"}) {
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

    private static Set<String> entries(JarFile jar) {
        Set<String> names = new TreeSet<>();
        jar.stream().filter(e -> !e.isDirectory()).forEach(e -> names.add(e.getName()));
        return names;
    }
}
