package dev.fusion.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar that {@code flink run} submits has our code and what a cluster lacks, not Flink itself. */
class ShadedJobJarITCase {

    @Test
    void theFlinkJobJarIsSelfContainedAndLeavesTheRuntimeToTheCluster() throws IOException {
        try (JarFile jar = new JarFile(findJar().toFile())) {
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

    private static Path findJar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("..", "jobs", "job", "target"),
                "fusion-job-*-flink-job.jar")) {
            for (Path p : jars) {
                return p;
            }
        }
        throw new IllegalStateException("jobs/job/target/fusion-job-*-flink-job.jar is missing; run mvn package");
    }
}
