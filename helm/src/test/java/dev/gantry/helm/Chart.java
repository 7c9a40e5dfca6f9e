package dev.gantry.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The chart in {@code helm/gantry}, rendered by the real Helm engine (helm-java runs {@code helm template}
 * in-process, without network), and its output parsed into plain maps.
 */
final class Chart {

    static final String RELEASE = "gantry";
    static final String NAMESPACE = "gantry-system";
    /** {@code helm template} has no cluster to ask; the chart requires Kubernetes 1.30 or newer. */
    static final String KUBE_VERSION = "v1.33.0";

    private static final Map<Map<String, Object>, Rendered> CACHE = new ConcurrentHashMap<>();

    private Chart() {}

    /** The chart directory: {@code gantry.chart.dir} (set by the pom), else {@code gantry} under the module. */
    static Path dir() {
        Path dir = Path.of(System.getProperty("gantry.chart.dir", "gantry"));
        if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            fail("no chart at " + dir.toAbsolutePath());
        }
        return dir;
    }

    static Helm helm() {
        return new Helm(dir());
    }

    /** Renders with these {@code --set} values (none for the defaults); renders are cached per value set. */
    static Rendered render(Map<String, Object> sets) {
        return CACHE.computeIfAbsent(Map.copyOf(sets), key -> parse(template(key)));
    }

    static Rendered render() {
        return render(Map.of());
    }

    /** The raw output of {@code helm template}; throws with Helm's message when it fails. */
    static String template(Map<String, Object> sets) {
        TemplateCommand command =
                helm().template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        for (Map.Entry<String, Object> set : new TreeMap<>(sets).entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        return command.call();
    }

    /** The message of a render that must fail. */
    static String templateError(Map<String, Object> sets) {
        try {
            template(sets);
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        return fail("rendering with " + sets + " should have failed");
    }

    static Rendered parse(String yaml) {
        LoadSettings settings =
                LoadSettings.builder().setCodePointLimit(64 * 1024 * 1024).build();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Load(settings).loadAllFromString(yaml)) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return new Rendered(yaml, documents);
    }

    // ---- navigation in parsed YAML

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    static List<Map<String, Object>> maps(Object value) {
        return list(value).stream().map(Chart::map).toList();
    }

    /** The value at a path of keys ({@code at(doc, "spec", "template", "spec")}), or null. */
    static Object at(Object root, String... path) {
        Object current = root;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    static String string(Object root, String... path) {
        Object value = at(root, path);
        return value == null ? null : value.toString();
    }

    static String kind(Map<String, Object> doc) {
        return string(doc, "kind");
    }

    static String name(Map<String, Object> doc) {
        return string(doc, "metadata", "name");
    }

    /** The output of one render. */
    record Rendered(String yaml, List<Map<String, Object>> documents) {

        List<Map<String, Object>> all(String kind) {
            return documents.stream().filter(d -> kind.equals(Chart.kind(d))).toList();
        }

        Map<String, Object> one(String kind, String name) {
            List<Map<String, Object>> found = documents.stream()
                    .filter(d -> kind.equals(Chart.kind(d)) && name.equals(Chart.name(d)))
                    .toList();
            assertEquals(
                    1,
                    found.size(),
                    () -> "expected exactly one " + kind + " " + name + ", found " + found.size() + "; rendered: "
                            + names());
            return found.get(0);
        }

        /** The only object of a kind with this app.kubernetes.io/component label. */
        Map<String, Object> component(String kind, String component) {
            List<Map<String, Object>> found = all(kind).stream()
                    .filter(d -> component.equals(string(d, "metadata", "labels", "app.kubernetes.io/component")))
                    .toList();
            assertEquals(1, found.size(), () -> "expected one " + kind + " of component " + component + ": " + names());
            return found.get(0);
        }

        Map<String, Object> controller() {
            return component("Deployment", "controller");
        }

        Map<String, Object> shards() {
            return component("StatefulSet", "xds-shard");
        }

        List<String> names() {
            return documents.stream()
                    .map(d -> Chart.kind(d) + "/" + Chart.name(d))
                    .toList();
        }
    }

    // ---- workloads

    static final List<String> WORKLOAD_KINDS =
            List.of("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod");

    /** The pod spec of a workload. */
    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return switch (kind(workload)) {
            case "Pod" -> map(at(workload, "spec"));
            case "CronJob" -> map(at(workload, "spec", "jobTemplate", "spec", "template", "spec"));
            default -> map(at(workload, "spec", "template", "spec"));
        };
    }

    /** Every container and init container of a workload. */
    static List<Map<String, Object>> allContainers(Map<String, Object> workload) {
        Map<String, Object> pod = podSpec(workload);
        List<Map<String, Object>> containers = new ArrayList<>(maps(pod.get("initContainers")));
        containers.addAll(maps(pod.get("containers")));
        return containers;
    }

    static Map<String, Object> container(Map<String, Object> workload, String name) {
        return maps(podSpec(workload).get("containers")).stream()
                .filter(c -> name.equals(c.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name + " in " + name(workload)));
    }

    /** A container's environment: literal values as they are, downward-API values as {@code fieldRef:<path>}. */
    static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> variable : maps(container.get("env"))) {
            String name = Objects.requireNonNull(string(variable, "name"));
            String value = variable.containsKey("value")
                    ? string(variable, "value")
                    : "fieldRef:" + string(variable, "valueFrom", "fieldRef", "fieldPath");
            assertNotNull(value, name);
            env.put(name, value);
        }
        return env;
    }

    /** The environment a pod of this name would see: downward-API names resolved, HOSTNAME set. */
    static Map<String, String> resolvedEnv(Map<String, Object> container, String podName) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOSTNAME", podName);
        env(container).forEach((k, v) -> env.put(k, v.equals("fieldRef:metadata.name") ? podName : v));
        return env;
    }
}
