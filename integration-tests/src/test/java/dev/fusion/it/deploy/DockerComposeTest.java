package dev.fusion.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fusion.jobs.FusionJobMain;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/ as Docker Compose would run it, checked without a Docker engine: the broker reachable
 * from containers and from the host, healthchecks and the start order they gate, Flink 2.2 keys
 * only, ONNX Runtime in the Flink images' {@code lib/}, the Prometheus port, the topics created by
 * a one-shot service, and jar names the build makes.
 */
class DockerComposeTest {

    static final String LIB_ORT_CLASSIFIER = "flink-job-lib-ort";
    /** Where the Kubernetes image holds the job jar (job.jarURI), under a name of its own. */
    static final String IMAGE_JAR = "/opt/flink/usrlib/fusion-job.jar";
    private static final Pattern JAR = Pattern.compile("[\\w./-]*fusion[\\w.-]*\\.jar");

    private final Path root = BuildOutputs.repositoryRoot();
    private final Path docker = root.resolve("docker");
    private final Map<String, Object> services =
            Yaml.map(Yaml.read(docker.resolve("docker-compose.yml")), "services");

    @Test
    void theBrokerAdvertisesAnInternalListenerToContainersAndLocalhostToTheHost() {
        Map<String, Object> env = environment("kafka");
        Map<String, String> listeners = listeners(Yaml.text(env, "KAFKA_LISTENERS"));
        Map<String, String> advertised = listeners(Yaml.text(env, "KAFKA_ADVERTISED_LISTENERS"));
        String internal = Yaml.text(env, "KAFKA_INTER_BROKER_LISTENER_NAME");

        assertThat(advertised).containsOnlyKeys(internal, "EXTERNAL");
        String internalPort = port(listeners.get(internal));
        String externalPort = port(listeners.get("EXTERNAL"));
        assertThat(advertised.get(internal)).isEqualTo(hostname("kafka") + ":" + internalPort);
        assertThat(advertised.get("EXTERNAL")).isEqualTo("localhost:" + externalPort);
        // The host reaches the external listener on the port number it is advertised with.
        assertThat(ports("kafka")).contains(externalPort + ":" + externalPort)
                .doesNotContain(internalPort + ":" + internalPort);
        assertThat(Yaml.text(env, "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(","))
                .containsExactlyInAnyOrder(internal + ":PLAINTEXT", "EXTERNAL:PLAINTEXT",
                        "CONTROLLER:PLAINTEXT");
        assertThat(listeners).containsOnlyKeys(internal, "EXTERNAL", "CONTROLLER");

        // Everything in a container uses the internal listener.
        String bootstrap = advertised.get(internal);
        FusionConfig job = FusionConfig.load(docker.resolve("fusion.yaml"), Map.of());
        assertThat(job.get(FusionOptions.BOOTSTRAP_SERVERS)).isEqualTo(bootstrap);
        assertThat(job.get(FusionOptions.DEVICE)).isEqualTo("cuda");
        assertThat(command("topics")).contains("--bootstrap-server " + bootstrap);
        assertThat(healthcheckCommand("kafka")).contains(bootstrap);
    }

    @Test
    void theBrokerTheJobManagerAndTheTaskManagerHaveHealthchecksThatGateTheStart() {
        for (String service : List.of("kafka", "jobmanager", "taskmanager-gpu")) {
            assertThat(Yaml.list(healthcheck(service), "test")).as(service).hasSizeGreaterThan(1);
        }
        assertThat(healthcheckCommand("jobmanager")).contains("http://localhost:8081/overview");
        // The TaskManager is healthy when the JobManager lists it under its resource id.
        assertThat(healthcheckCommand("taskmanager-gpu")).contains("http://jobmanager:8081/taskmanagers",
                flinkProperties("taskmanager-gpu").get("taskmanager.resource-id"));

        assertThat(dependsOn("topics")).isEqualTo(Map.of("kafka", "service_healthy"));
        assertThat(dependsOn("taskmanager-gpu")).isEqualTo(Map.of("jobmanager", "service_healthy"));
        assertThat(dependsOn("submit")).isEqualTo(Map.of(
                "topics", "service_completed_successfully", "taskmanager-gpu", "service_healthy"));
        for (String service : services.keySet()) {
            dependsOn(service).forEach((dependency, condition) -> assertThat(condition)
                    .as(service + " -> " + dependency)
                    .isEqualTo(service(dependency).containsKey("healthcheck")
                            ? "service_healthy" : "service_completed_successfully"));
        }
        for (String oneShot : List.of("topics", "submit")) {
            assertThat(Yaml.text(service(oneShot), "restart")).as(oneShot).isEqualTo("no");
        }
        for (String longRunning : List.of("kafka", "jobmanager", "taskmanager-gpu")) {
            assertThat(Yaml.text(service(longRunning), "restart")).as(longRunning)
                    .isEqualTo("unless-stopped");
        }
    }

    @Test
    void everyFlinkSettingIsACurrentFlink22KeyWithAValidValue() {
        FlinkOptionCatalogue flink = FlinkOptionCatalogue.load();
        List<String> flinkServices = new ArrayList<>();
        for (String service : services.keySet()) {
            if (environment(service).containsKey("FLINK_PROPERTIES")) {
                flinkServices.add(service);
                assertThat(flink.problems(flinkProperties(service))).as(service).isEmpty();
            }
        }
        assertThat(flinkServices).containsExactly("jobmanager", "taskmanager-gpu", "submit");

        // The JobManager and the TaskManager agree on where state is and how failures are seen.
        Map<String, String> jm = flinkProperties("jobmanager");
        Map<String, String> tm = flinkProperties("taskmanager-gpu");
        for (String key : List.of("jobmanager.rpc.address", "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir", "heartbeat.interval", "heartbeat.timeout",
                "heartbeat.rpc-failure-threshold", "taskmanager.slot.timeout")) {
            assertThat(tm.get(key)).as(key).isNotNull().isEqualTo(jm.get(key));
        }
        assertThat(jm.get("jobmanager.rpc.address")).isEqualTo(hostname("jobmanager"));
        assertThat(flinkProperties("submit").get("rest.address")).isEqualTo(hostname("jobmanager"));
        // Checkpoints and savepoints are on the volume both mount.
        assertThat(jm.get("execution.checkpointing.dir")).startsWith("file:///flink-data/");
        assertThat(jm.get("execution.checkpointing.savepoint-dir")).startsWith("file:///flink-data/");
        assertThat(Yaml.list(service("jobmanager"), "volumes")).contains("flink-data:/flink-data");
        assertThat(Yaml.list(service("taskmanager-gpu"), "volumes")).contains("flink-data:/flink-data");
    }

    @Test
    void theJobManagerAndTheTaskManagerServePrometheusMetricsOnAPublishedPort() {
        for (String service : List.of("jobmanager", "taskmanager-gpu")) {
            Map<String, String> flink = flinkProperties(service);
            assertThat(flink.get("metrics.reporter.prom.factory.class")).as(service)
                    .isEqualTo(FlinkOptionCatalogue.PROMETHEUS_FACTORY);
            assertThat(flink.get("metrics.reporter.prom.port")).as(service).isEqualTo("9249");
            assertThat(ports(service)).as(service).anyMatch(p -> p.endsWith(":9249"));
        }
        assertThat(ports("jobmanager")).contains("8081:8081", "9249:9249");
    }

    @Test
    void theFlinkImagesCarryOnnxRuntimeInLibAtTheBuildsVersion() throws IOException {
        String version = BuildOutputs.rootProperty(root, "onnxruntime.version");
        assertThat(build("jobmanager")).isEqualTo("flink-onnxruntime.Dockerfile");
        assertThat(build("submit")).isEqualTo("flink-onnxruntime.Dockerfile");
        assertThat(build("taskmanager-gpu")).isEqualTo("taskmanager-gpu.Dockerfile");
        String flink = "flink:" + BuildOutputs.rootProperty(root, "flink.version") + "-java17";
        Map<String, String> artifacts = Map.of("flink-onnxruntime.Dockerfile", "onnxruntime",
                "taskmanager-gpu.Dockerfile", "onnxruntime_gpu");
        for (var entry : artifacts.entrySet()) {
            assertThat(Files.readString(docker.resolve(entry.getKey()))).as(entry.getKey()).contains(
                    "ARG ORT_ARTIFACT=" + entry.getValue() + "\n", "ARG ORT_VERSION=" + version + "\n",
                    "com.microsoft.onnxruntime:${ORT_ARTIFACT}:${ORT_VERSION}",
                    "/onnxruntime/ /opt/flink/lib/", "FROM ${FLINK_IMAGE}\n",
                    "ARG FLINK_IMAGE=" + flink + "\n", "ENV ORT_DISABLE_TELEMETRY=1");
        }
        assertThat(Yaml.text(service("jobmanager"), "image")).endsWith("-ort" + version);
        assertThat(Yaml.text(service("taskmanager-gpu"), "image")).endsWith("-ort" + version);
    }

    @Test
    void theTopicsAreCreatedByAOneShotServiceNotByASecondCopyOfTheJob() {
        Map<String, String> created = new LinkedHashMap<>();
        Matcher create = Pattern.compile("(?m)^\\s*create (\\S+) (\\d+)$")
                .matcher(command("topics"));
        while (create.find()) {
            created.put(create.group(1), create.group(2));
        }
        assertThat(created.keySet())
                .containsExactlyElementsOf(FusionJobMain.topics(FusionConfig.of(Map.of()),
                        dev.fusion.models.manifest.ModelManifest.loadBundled()));
        assertThat(command("topics")).contains("kafka-topics.sh", "--create --if-not-exists");
        for (String service : services.keySet()) {
            assertThat(command(service)).as(service).doesNotContain("fusion run", "--create-topics");
        }
        // The submit service starts the job exactly once, detached.
        assertThat(Pattern.compile("flink run").matcher(command("submit")).results().count())
                .isEqualTo(1);
        assertThat(command("submit")).contains("flink run -d ", "--config /opt/fusion/fusion.yaml");
    }

    @Test
    void theJarsTheFilesNameAreJarsTheBuildMakes() throws IOException {
        Map<String, String> built = BuildOutputs.shadedJars(root);
        assertThat(built).containsKey("flink-job");
        // The jar without ONNX Runtime is added by another change to the build; until the build
        // attaches a second job jar (whatever its classifier) there is nothing to check against.
        assumeTrue(built.keySet().stream().filter(c -> c.startsWith("flink-job")).count() > 1,
                "the build attaches no job jar without ONNX Runtime yet: " + built);
        String libOrt = built.get(LIB_ORT_CLASSIFIER);
        assertThat(libOrt).as("the build attaches a jar with the classifier " + LIB_ORT_CLASSIFIER
                + "; it attaches " + built).isNotNull();
        Map<String, String> builtNames = new TreeMap<>();
        built.values().forEach(path -> builtNames.put(Path.of(path).getFileName().toString(), path));

        for (Path file : deploymentFiles()) {
            for (String jar : jars(Files.readString(file))) {
                if (jar.equals(IMAGE_JAR)) {
                    continue;
                }
                assertThat(builtNames).as(root.relativize(file) + " names " + jar)
                        .containsKey(Path.of(jar).getFileName().toString());
                if (jar.contains("/target/")) {
                    assertThat(jar).as(root.relativize(file) + " names " + jar)
                            .endsWith(builtNames.get(Path.of(jar).getFileName().toString()));
                }
            }
        }
        // The files use the jar without ONNX Runtime, from where the build writes it.
        String libOrtName = Path.of(libOrt).getFileName().toString();
        String libOrtDir = Path.of(libOrt).getParent().toString().replace('\\', '/');
        assertThat(jars(command("submit"))).containsExactly("/opt/fusion/jars/" + libOrtName);
        assertThat(Yaml.list(service("submit"), "volumes"))
                .contains("../" + libOrtDir + ":/opt/fusion/jars:ro");
        assertThat(Files.readString(docker.resolve("kubernetes/fusion-job.Dockerfile")))
                .contains("\nCOPY --chown=flink:flink " + libOrt + " " + IMAGE_JAR + "\n");
    }

    private List<Path> deploymentFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (var walk = Files.walk(docker)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        files.add(root.resolve("docs/OPERATIONS.md"));
        files.add(root.resolve("README.md"));
        return files;
    }

    private static List<String> jars(String text) {
        // "local:///opt/..." (a URI) names the path "/opt/...".
        return JAR.matcher(text).results().map(m -> m.group().replaceFirst("^/+", "/")).toList();
    }

    private Map<String, Object> service(String name) {
        return Yaml.map(services, name);
    }

    private Map<String, Object> environment(String name) {
        Object env = service(name).get("environment");
        return env == null ? Map.of() : Yaml.map(Map.of("environment", env), "environment");
    }

    private Map<String, Object> healthcheck(String name) {
        return Yaml.map(service(name), "healthcheck");
    }

    private String healthcheckCommand(String name) {
        return String.join(" ",
                Yaml.list(healthcheck(name), "test").stream().map(String::valueOf).toList());
    }

    private String hostname(String name) {
        assertThat(Yaml.text(service(name), "hostname")).as(name + " hostname").isEqualTo(name);
        return name;
    }

    private List<String> ports(String name) {
        return Yaml.list(service(name), "ports").stream().map(String::valueOf).toList();
    }

    private String build(String name) {
        return Yaml.text(Yaml.map(service(name), "build"), "dockerfile");
    }

    private String command(String name) {
        Object command = service(name).get("command");
        if (command instanceof List<?> parts) {
            return String.join(" ", parts.stream().map(String::valueOf).toList());
        }
        return command == null ? "" : command.toString();
    }

    /** depends_on as service to condition; the short list form (no condition) is refused. */
    private Map<String, String> dependsOn(String name) {
        Object dependsOn = service(name).get("depends_on");
        Map<String, String> conditions = new TreeMap<>();
        if (dependsOn == null) {
            return conditions;
        }
        assertThat(dependsOn).as(name + " depends_on must name a condition").isInstanceOf(Map.class);
        Map<String, Object> map = Yaml.map(Map.of("d", dependsOn), "d");
        for (String dependency : map.keySet()) {
            conditions.put(dependency, Yaml.text(Yaml.map(map, dependency), "condition"));
        }
        return conditions;
    }

    /**
     * FLINK_PROPERTIES as the Flink image's docker-entrypoint.sh reads it: line by line, all
     * whitespace removed, key and value split at the first ':'. A comment line would become a key.
     */
    private Map<String, String> flinkProperties(String name) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : Yaml.text(environment(name), "FLINK_PROPERTIES").split("\n")) {
            String prop = line.replaceAll("\\s", "");
            if (prop.isEmpty()) {
                continue;
            }
            int colon = prop.indexOf(':');
            assertThat(colon).as(name + ": '" + line + "' is no 'key: value' line").isPositive();
            assertThat(properties.put(prop.substring(0, colon), prop.substring(colon + 1)))
                    .as(name + ": " + prop.substring(0, colon) + " set twice").isNull();
        }
        return properties;
    }

    private static Map<String, String> listeners(String spec) {
        Map<String, String> listeners = new LinkedHashMap<>();
        for (String listener : spec.split(",")) {
            int sep = listener.indexOf("://");
            listeners.put(listener.substring(0, sep), listener.substring(sep + 3));
        }
        return listeners;
    }

    private static String port(String hostPort) {
        return hostPort.substring(hostPort.lastIndexOf(':') + 1);
    }
}
