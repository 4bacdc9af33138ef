package dev.fusion.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkStateSnapshot;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkStateSnapshotSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobKind;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.KubernetesDeploymentMode;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker/kubernetes/: each file's FlinkDeployment read into the Flink Kubernetes Operator's API
 * model (no unknown field anywhere, Kubernetes' own objects included), then held to what the job
 * needs: application mode with the jar in the image, last-state upgrades over Kubernetes high
 * availability, durable checkpoint and savepoint storage, Flink 2.2 keys only, the Prometheus
 * reporter on the pods' metrics port, the job's configuration passed as its arguments, a GPU on
 * the TaskManagers of the GPU variant; and the savepoint resource aimed at that job.
 */
class FlinkDeploymentTest {

    private static final String CPU = "flink-deployment.yaml";
    private static final String GPU = "flink-deployment-gpu.yaml";
    private static final String MAIN_CONTAINER = "flink-main-container";

    /** Fails on a field the operator's classes do not have; Kubernetes objects are checked apart. */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setAnnotationIntrospector(new StrictIntrospector());

    private final Path kubernetes = BuildOutputs.repositoryRoot().resolve("docker/kubernetes");

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void runsTheJobInApplicationModeWithLastStateUpgrades(String file) {
        FlinkDeploymentSpec spec = deployment(file).getSpec();
        var job = spec.getJob();
        assertThat(job.getJarURI()).isEqualTo("local://" + DockerComposeTest.IMAGE_JAR);
        assertThat(job.getEntryClass()).isEqualTo(FusionJobMain.class.getName());
        assertThat(job.getUpgradeMode()).isEqualTo(UpgradeMode.LAST_STATE);
        assertThat(job.getState()).isEqualTo(JobState.RUNNING);
        assertThat(job.getParallelism()).isEqualTo(4);
        assertThat(spec.getMode()).isIn(null, KubernetesDeploymentMode.NATIVE);
        assertThat(spec.getServiceAccount()).isEqualTo("flink");
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void namesFlink22WhichTheNewestOperatorApiOnMavenCentralPredates(String file) {
        Map<String, Object> raw = rawDeployment(file);
        assertThat(raw.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat(Yaml.map(raw, "spec").get("flinkVersion")).isEqualTo("v2_2");
        // The 1.10 model stops at v1_20 (v2_2 came with operator 1.13), so deployment() binds the
        // rest of the file without this one field. With a newer model on the classpath this fails:
        // then bind the field too.
        assertThat(Arrays.stream(FlinkVersion.values()).map(Enum::name))
                .contains("v1_20").doesNotContain("v2_2");
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void keepsStateDurablyWithKubernetesHighAvailability(String file) {
        Map<String, String> flink = deployment(file).getSpec().getFlinkConfiguration();
        assertThat(flink).containsEntry("high-availability.type", "kubernetes")
                .containsEntry("execution.checkpointing.externalized-checkpoint-retention",
                        "RETAIN_ON_CANCELLATION");
        for (String durable : List.of("high-availability.storageDir", "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir")) {
            assertThat(flink.get(durable)).as(durable).startsWith("s3://CHANGE-ME/fusion/");
        }
        // The s3:// URIs need Flink's S3 file system, enabled from the image's opt/ folder.
        String s3 = "flink-s3-fs-presto-" + BuildOutputs.rootProperty(BuildOutputs.repositoryRoot(),
                "flink.version") + ".jar";
        assertThat(mainContainer(deployment(file).getSpec().getPodTemplate()).getEnv())
                .anyMatch(env -> env.getName().equals("ENABLE_BUILT_IN_PLUGINS")
                        && env.getValue().equals(s3));
        // The restart strategy is the cluster's (Flink's default: no attempt limit); failures are
        // detected fast.
        assertThat(flink.keySet()).noneMatch(key -> key.startsWith("restart-strategy"));
        assertThat(flink).containsEntry("heartbeat.interval", "2 s")
                .containsEntry("heartbeat.timeout", "20 s")
                .containsEntry("heartbeat.rpc-failure-threshold", "1")
                .containsEntry("taskmanager.slot.timeout", "60 s");
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void setsOnlyCurrentFlink22KeysAsStrings(String file) {
        Map<String, Object> raw = Yaml.map(rawDeployment(file), "spec/flinkConfiguration");
        // The CRD types every value as a string: an unquoted 9249 would be refused by the server.
        raw.forEach((key, value) -> assertThat(value).as(key).isInstanceOf(String.class));
        assertThat(FlinkOptionCatalogue.load().problems(deployment(file).getSpec().getFlinkConfiguration()))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void exposesPrometheusMetricsOnThePodsPort(String file) {
        FlinkDeploymentSpec spec = deployment(file).getSpec();
        assertThat(spec.getFlinkConfiguration())
                .containsEntry("metrics.reporter.prom.factory.class", FlinkOptionCatalogue.PROMETHEUS_FACTORY)
                .containsEntry("metrics.reporter.prom.port", "9249");
        PodTemplateSpec pod = spec.getPodTemplate();
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", "9249")
                .containsEntry("prometheus.io/path", "/metrics");
        List<ContainerPort> ports = mainContainer(pod).getPorts();
        assertThat(ports).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("metrics", 9249));
    }

    @ParameterizedTest
    @ValueSource(strings = {CPU, GPU})
    void passesTheJobsConfigurationFromTheConfigMapAsItsArguments(String file) throws IOException {
        FlinkDeploymentSpec spec = deployment(file).getSpec();
        ConfigMap configMap = configMap(file);
        PodTemplateSpec pod = spec.getPodTemplate();
        Volume volume = pod.getSpec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null
                        && v.getConfigMap().getName().equals(configMap.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no volume of the ConfigMap"));
        VolumeMount mount = mainContainer(pod).getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volume.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("the ConfigMap's volume is not mounted"));
        assertThat(spec.getJob().getArgs())
                .containsExactly("--config", mount.getMountPath() + "/fusion.yaml");
        assertThat(configMap.getData()).containsOnlyKeys("fusion.yaml");

        // The configuration loads as the job would load it, unknown keys and bad values refused.
        Path yaml = Files.writeString(temp.resolve("fusion.yaml"), configMap.getData().get("fusion.yaml"));
        FusionConfig config = FusionConfig.load(yaml, Map.of());
        assertThat(config.get(FusionOptions.BOOTSTRAP_SERVERS)).isNotBlank();
        assertThat(config.get(FusionOptions.DEVICE)).isEqualTo(file.equals(GPU) ? "cuda" : "cpu");
        // The cluster's parallelism (job.parallelism) and checkpoint interval apply.
        for (var clusters : List.of(FusionOptions.PARALLELISM, FusionOptions.CHECKPOINT_INTERVAL,
                FusionOptions.CHECKPOINT_DIR, FusionOptions.SAVEPOINT_DIR)) {
            assertThat(config.isSet(clusters)).as(clusters.key()).isFalse();
        }
    }

    @Test
    void theGpuVariantGivesEachTaskManagerPodAGpuAndIsAnUpgradeOfTheCpuOne() {
        FlinkDeployment gpu = deployment(GPU);
        FlinkDeployment cpu = deployment(CPU);
        Container taskManager = mainContainer(gpu.getSpec().getTaskManager().getPodTemplate());
        assertThat(taskManager.getResources().getLimits())
                .containsExactly(Map.entry("nvidia.com/gpu", new Quantity("1")));
        assertThat(gpu.getSpec().getTaskManager().getPodTemplate().getSpec().getTolerations())
                .anyMatch(t -> t.getKey().equals("nvidia.com/gpu"));
        assertThat(gpu.getSpec().getJobManager().getPodTemplate()).isNull();
        assertThat(cpu.getSpec().getTaskManager().getPodTemplate()).isNull();
        assertThat(gpu.getSpec().getImage()).isEqualTo("fusion-job-gpu:0.1.0");
        assertThat(cpu.getSpec().getImage()).isEqualTo("fusion-job:0.1.0");

        // Same names and the same cluster settings but the slots: applying one over the other is
        // a last-state upgrade of the same job.
        assertThat(gpu.getMetadata().getName()).isEqualTo(cpu.getMetadata().getName());
        assertThat(configMap(GPU).getMetadata().getName())
                .isEqualTo(configMap(CPU).getMetadata().getName());
        Map<String, String> gpuFlink = new LinkedHashMap<>(gpu.getSpec().getFlinkConfiguration());
        Map<String, String> cpuFlink = new LinkedHashMap<>(cpu.getSpec().getFlinkConfiguration());
        assertThat(gpuFlink.remove("taskmanager.numberOfTaskSlots")).isEqualTo("4");
        assertThat(cpuFlink.remove("taskmanager.numberOfTaskSlots")).isEqualTo("2");
        assertThat(gpuFlink).isEqualTo(cpuFlink);
        assertThat(gpu.getSpec().getJob()).isEqualTo(cpu.getSpec().getJob());
        assertThat(gpu.getSpec().getPodTemplate()).isEqualTo(cpu.getSpec().getPodTemplate());
    }

    @Test
    void theSavepointResourceSnapshotsThisJobIntoItsSavepointDirectoryAndKeepsIt() {
        Map<String, Object> raw = Yaml.read(kubernetes.resolve("savepoint.yaml"));
        assertThat(raw.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        FlinkStateSnapshot snapshot = STRICT.convertValue(raw, FlinkStateSnapshot.class);
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(snapshot.getSpec(), "spec", unknown);
        assertThat(unknown).isEmpty();
        FlinkStateSnapshotSpec spec = snapshot.getSpec();
        assertThat(spec.isSavepoint()).isTrue();
        assertThat(spec.getJobReference().getKind()).isEqualTo(JobKind.FLINK_DEPLOYMENT);
        assertThat(spec.getJobReference().getName()).isEqualTo(deployment(CPU).getMetadata().getName());
        assertThat(spec.getSavepoint().getPath()).isEqualTo(deployment(CPU).getSpec()
                .getFlinkConfiguration().get("execution.checkpointing.savepoint-dir"));
        assertThat(spec.getSavepoint().getDisposeOnDelete()).isFalse();
        assertThat(spec.getSavepoint().getAlreadyExists()).isFalse();
    }

    @Test
    void aMisspelledFieldFailsTheCheck() {
        Map<String, Object> raw = rawDeployment(CPU);
        Yaml.map(raw, "spec/job").put("upgrademode", "last-state");
        assertThatThrownBy(() -> bind(raw)).isInstanceOf(IllegalArgumentException.class)
                .hasCauseInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("upgrademode");

        Map<String, Object> pod = rawDeployment(CPU);
        Object first = Yaml.list(Yaml.map(pod, "spec/podTemplate/spec"), "containers").get(0);
        Map<String, Object> container = Yaml.map(Map.of("c", first), "c");
        container.put("volumeMount", List.of());
        assertThatThrownBy(() -> bind(pod)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("spec.podTemplate.spec.containers[0]: unknown [volumeMount]");
    }

    private FlinkDeployment deployment(String file) {
        return bind(rawDeployment(file));
    }

    private Map<String, Object> rawDeployment(String file) {
        return document(file, "FlinkDeployment");
    }

    private ConfigMap configMap(String file) {
        return STRICT.convertValue(document(file, "ConfigMap"), ConfigMap.class);
    }

    private Map<String, Object> document(String file, String kind) {
        List<Map<String, Object>> documents = Yaml.readAll(kubernetes.resolve(file));
        assertThat(documents).extracting(d -> d.get("kind"))
                .containsExactly("ConfigMap", "FlinkDeployment");
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).findFirst().orElseThrow();
    }

    /** The deployment as the 1.10 model reads it, less flinkVersion (see above). */
    private static FlinkDeployment bind(Map<String, Object> raw) {
        Map<String, Object> copy = STRICT.convertValue(raw, Map.class);
        Yaml.map(copy, "spec").remove("flinkVersion");
        FlinkDeployment deployment = STRICT.convertValue(copy, FlinkDeployment.class);
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(deployment.getSpec(), "spec", unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError(String.join("; ", unknown));
        }
        return deployment;
    }

    /**
     * Kubernetes' model objects keep fields they do not know in additionalProperties instead of
     * failing: walk them and report every such field with its path.
     */
    private static void collectUnknownFields(Object node, String path, List<String> unknown) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> collectUnknownFields(value, path + "." + key, unknown));
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (node == null || !isModel(node.getClass())) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(getter.toString(), e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": unknown " + extra.keySet());
                }
            } else if (value instanceof Map<?, ?> || value instanceof Collection<?>
                    || value != null && isModel(value.getClass())) {
                collectUnknownFields(value, path + "." + property(getter.getName()), unknown);
            }
        }
    }

    private static boolean isModel(Class<?> type) {
        String name = type.getName();
        return !type.isEnum() && (name.startsWith("io.fabric8.kubernetes.api.model.")
                || name.startsWith("org.apache.flink.kubernetes.operator.api."));
    }

    private static String property(String getter) {
        return Character.toLowerCase(getter.charAt(3)) + getter.substring(4);
    }

    /**
     * The operator's spec classes say {@code @JsonIgnoreProperties(ignoreUnknown = true)}, which
     * would let a misspelled field pass: this introspector drops that, so unknown fields fail.
     */
    private static final class StrictIntrospector extends JacksonAnnotationIntrospector {

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
            return super.findPropertyIgnoralByName(config, a).withoutIgnoreUnknown();
        }
    }

    private static Container mainContainer(PodTemplateSpec pod) {
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly(MAIN_CONTAINER);
        return pod.getSpec().getContainers().get(0);
    }
}
