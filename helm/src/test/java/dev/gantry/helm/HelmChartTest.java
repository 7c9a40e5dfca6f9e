package dev.gantry.helm;

import static dev.gantry.helm.Chart.allContainers;
import static dev.gantry.helm.Chart.at;
import static dev.gantry.helm.Chart.container;
import static dev.gantry.helm.Chart.env;
import static dev.gantry.helm.Chart.kind;
import static dev.gantry.helm.Chart.map;
import static dev.gantry.helm.Chart.maps;
import static dev.gantry.helm.Chart.name;
import static dev.gantry.helm.Chart.podSpec;
import static dev.gantry.helm.Chart.render;
import static dev.gantry.helm.Chart.resolvedEnv;
import static dev.gantry.helm.Chart.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.LintResult;
import dev.gantry.config.GantrySettings;
import dev.gantry.helm.Chart.Rendered;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The chart's templates and values, rendered by the real Helm engine. */
class HelmChartTest {

    private static final String DEFAULT_IMAGE = "ghcr.io/gantry-dev/gantry:" + appVersion();

    @Test
    void lintPasses() {
        LintResult result = Chart.helm().lint().strict().call();
        assertFalse(result.isFailed(), () -> "helm lint --strict failed: " + result.getMessages());
    }

    @Test
    void defaultRenderHasEveryPart() {
        Rendered r = render();
        Map<String, Object> controller = r.one("Deployment", "gantry-controller");
        assertEquals(2, at(controller, "spec", "replicas"));
        Map<String, Object> shards = r.one("StatefulSet", "gantry-xds-shard");
        assertEquals(2, at(shards, "spec", "replicas"));
        assertEquals("Parallel", at(shards, "spec", "podManagementPolicy"));
        assertEquals("gantry-xds-shards", at(shards, "spec", "serviceName"));

        Map<String, Object> headless = r.one("Service", "gantry-xds-shards");
        assertEquals("None", at(headless, "spec", "clusterIP"));
        assertEquals(false, at(headless, "spec", "publishNotReadyAddresses"));
        Map<String, Object> xds = r.one("Service", "gantry-xds");
        assertEquals("ClusterIP", at(xds, "spec", "type"));
        for (Map<String, Object> service : List.of(headless, xds)) {
            assertEquals(at(shards, "spec", "selector", "matchLabels"), at(service, "spec", "selector"));
            assertEquals(
                    List.of(18000),
                    maps(at(service, "spec", "ports")).stream()
                            .map(p -> p.get("port"))
                            .toList());
            assertEquals("xds", string(maps(at(service, "spec", "ports")).get(0), "targetPort"));
        }
        r.one("ServiceAccount", "gantry-controller");
        r.one("ServiceAccount", "gantry-xds-shard");
        r.one("PodDisruptionBudget", "gantry-controller");
        r.one("PodDisruptionBudget", "gantry-xds-shard");
        assertTrue(r.all("ServiceMonitor").isEmpty(), "the ServiceMonitor is off by default");
        assertEquals(10, r.all("CustomResourceDefinition").size(), "standard channel CRDs by default");

        // Everything namespaced lands in the release namespace.
        for (Map<String, Object> doc : r.documents()) {
            if (List.of(
                            "Deployment",
                            "StatefulSet",
                            "Service",
                            "ServiceAccount",
                            "Role",
                            "RoleBinding",
                            "PodDisruptionBudget")
                    .contains(kind(doc))) {
                assertEquals(Chart.NAMESPACE, string(doc, "metadata", "namespace"), kind(doc) + " " + name(doc));
            }
        }
    }

    @Test
    void selectorsMatchTheirPodsOnly() {
        Rendered r = render();
        Map<String, Object> controllerLabels = map(at(r.controller(), "spec", "template", "metadata", "labels"));
        Map<String, Object> shardLabels = map(at(r.shards(), "spec", "template", "metadata", "labels"));
        for (Map<String, Object> workload : List.of(r.controller(), r.shards())) {
            Map<String, Object> labels = map(at(workload, "spec", "template", "metadata", "labels"));
            assertTrue(labels.entrySet()
                    .containsAll(
                            map(at(workload, "spec", "selector", "matchLabels")).entrySet()));
        }
        for (Map<String, Object> service : r.all("Service")) {
            Map<String, Object> selector = map(at(service, "spec", "selector"));
            boolean controller = controllerLabels.entrySet().containsAll(selector.entrySet());
            boolean shard = shardLabels.entrySet().containsAll(selector.entrySet());
            assertTrue(controller ^ shard, "Service " + name(service) + " must select exactly one component");
        }
        for (Map<String, Object> pdb : r.all("PodDisruptionBudget")) {
            Map<String, Object> selector = map(at(pdb, "spec", "selector", "matchLabels"));
            assertTrue(
                    controllerLabels.entrySet().containsAll(selector.entrySet())
                            ^ shardLabels.entrySet().containsAll(selector.entrySet()),
                    name(pdb));
            assertEquals(1, at(pdb, "spec", "maxUnavailable"));
        }
    }

    @Test
    void probesPortsAndSecurityDefaults() {
        Rendered r = render();
        for (Map<String, Object> workload : List.of(r.controller(), r.shards())) {
            Map<String, Object> pod = podSpec(workload);
            assertEquals(true, at(pod, "securityContext", "runAsNonRoot"));
            for (Map<String, Object> c : allContainers(workload)) {
                String what = name(workload) + "/" + c.get("name");
                assertEquals("/readyz", string(c, "readinessProbe", "httpGet", "path"), what);
                assertEquals("/healthz", string(c, "livenessProbe", "httpGet", "path"), what);
                assertEquals("admin", string(c, "readinessProbe", "httpGet", "port"), what);
                int startupSeconds = (Integer) at(c, "startupProbe", "periodSeconds")
                        * (Integer) at(c, "startupProbe", "failureThreshold");
                assertTrue(
                        startupSeconds >= 180,
                        what + ": the startup probe must tolerate minutes, got " + startupSeconds + "s");
                assertEquals(true, at(c, "securityContext", "readOnlyRootFilesystem"), what);
                assertEquals(false, at(c, "securityContext", "allowPrivilegeEscalation"), what);
                assertEquals(List.of("ALL"), at(c, "securityContext", "capabilities", "drop"), what);
                assertTrue(map(at(c, "resources", "requests")).containsKey("memory"), what);
                assertTrue(
                        maps(c.get("volumeMounts")).stream().anyMatch(m -> "/tmp".equals(m.get("mountPath"))),
                        what + ": a read-only root needs a writable /tmp");
                assertEquals(
                        List.of("java", "-cp", "/app/gantry-launcher.jar:/app/lib/*", "dev.gantry.launcher.Main"),
                        c.get("command"),
                        what);
                assertTrue(
                        maps(c.get("ports")).stream()
                                .anyMatch(p -> "admin".equals(p.get("name"))
                                        && Integer.valueOf(9090).equals(p.get("containerPort"))),
                        what);
            }
        }
        assertEquals(
                List.of("controller"), container(r.controller(), "controller").get("args"));
        Map<String, Object> shard = container(r.shards(), "xds-shard");
        assertEquals(List.of("xds-shard"), shard.get("args"));
        assertTrue(maps(shard.get("ports")).stream()
                .anyMatch(p ->
                        "xds".equals(p.get("name")) && Integer.valueOf(18000).equals(p.get("containerPort"))));
    }

    // ---- images

    @Test
    void imagesDefaultToTheChartAppVersion() {
        Rendered r = render();
        List<Map<String, Object>> containers =
                workloads(r).stream().flatMap(w -> allContainers(w).stream()).toList();
        assertEquals(2, containers.size(), "one container per component");
        for (Map<String, Object> c : containers) {
            assertEquals(DEFAULT_IMAGE, c.get("image"));
            assertEquals("IfNotPresent", c.get("imagePullPolicy"));
        }
        for (Map<String, Object> workload : workloads(r)) {
            Map<String, String> env = env(allContainers(workload).get(0));
            assertEquals("IfNotPresent", env.get("GANTRY_IMAGE_PULL_POLICY"));
            assertEquals("docker.io/envoyproxy/envoy:v1.36.2", env.get("GANTRY_ENVOY_IMAGE"));
        }
    }

    @Test
    void globalPullPolicyReachesEveryContainerAndTheProvisionedProxies() {
        Rendered r = render(Map.of("image.pullPolicy", "Always"));
        List<Map<String, Object>> workloads = workloads(r);
        assertEquals(2, workloads.size());
        for (Map<String, Object> workload : workloads) {
            for (Map<String, Object> c : allContainers(workload)) {
                assertEquals("Always", c.get("imagePullPolicy"), name(workload) + "/" + c.get("name"));
                assertEquals("Always", env(c).get("GANTRY_IMAGE_PULL_POLICY"), name(workload) + "/" + c.get("name"));
            }
        }
    }

    @Test
    void componentPullPolicyOverridesOnlyThatComponent() {
        Rendered defaults = render();
        // A private copy: the test edits it below.
        Rendered r = Chart.parse(
                render(Map.of("controller.image.pullPolicy", "Never")).yaml());
        Map<String, Object> controller = container(r.controller(), "controller");
        assertEquals("Never", controller.get("imagePullPolicy"));
        assertEquals("IfNotPresent", container(r.shards(), "xds-shard").get("imagePullPolicy"));
        // The provisioned proxies follow the global policy, not the controller's own.
        assertEquals("IfNotPresent", env(controller).get("GANTRY_IMAGE_PULL_POLICY"));

        // Nothing else changed: put the one field back and the whole output equals the default output.
        controller.put("imagePullPolicy", "IfNotPresent");
        assertEquals(defaults.documents(), r.documents());
    }

    @Test
    void componentImageFieldsOverrideOnlyWhenSet() {
        Rendered r = render(Map.of(
                "shards.image.tag",
                "dev",
                "controller.image.registry",
                "registry.local:5000",
                "image.repository",
                "team/gantry"));
        assertEquals(
                "registry.local:5000/team/gantry:" + appVersion(),
                container(r.controller(), "controller").get("image"));
        assertEquals(
                "ghcr.io/team/gantry:dev", container(r.shards(), "xds-shard").get("image"));

        Rendered noRegistry = render(Map.of("image.registry", "", "image.tag", "1.2.3"));
        assertEquals(
                "gantry-dev/gantry:1.2.3",
                container(noRegistry.controller(), "controller").get("image"));
        assertEquals(
                "gantry-dev/gantry:1.2.3",
                container(noRegistry.shards(), "xds-shard").get("image"));
    }

    // ---- names and settings: decided once by the chart, seen the same by both components

    @Test
    void renamedServicesReachBothComponentsAndTheObjects() {
        Rendered r = render(Map.of(
                "xds.service.name",
                "edge-xds",
                "shards.headlessServiceName",
                "edge-xds-pods",
                "shards.statefulSetName",
                "edge-shard"));
        r.one("Service", "edge-xds");
        assertEquals("None", at(r.one("Service", "edge-xds-pods"), "spec", "clusterIP"));
        Map<String, Object> shards = r.one("StatefulSet", "edge-shard");
        assertEquals("edge-xds-pods", at(shards, "spec", "serviceName"));
        assertTrue(
                r.all("Service").stream()
                        .noneMatch(s -> name(s).equals("gantry-xds") || name(s).equals("gantry-xds-shards")),
                "the default names are gone");
        for (Map<String, Object> workload : List.of(r.controller(), shards)) {
            Map<String, String> env = env(allContainers(workload).get(0));
            assertEquals("edge-xds", env.get("GANTRY_XDS_SERVICE"), name(workload));
            assertEquals("edge-xds-pods", env.get("GANTRY_SHARD_SERVICE"), name(workload));
            assertEquals("edge-shard", env.get("GANTRY_SHARD_STATEFULSET"), name(workload));
            assertEquals(Chart.NAMESPACE, env.get("GANTRY_NAMESPACE"), name(workload));
        }
    }

    @Test
    void namesFollowTheReleaseName() {
        Rendered r = Chart.parse(Chart.helm()
                .template()
                .withName("edge")
                .withNamespace("infra")
                .withKubeVersion(Chart.KUBE_VERSION)
                .set("crds.install", false)
                .call());
        Map<String, Object> shards = r.one("StatefulSet", "edge-gantry-xds-shard");
        r.one("Deployment", "edge-gantry-controller");
        r.one("Service", "edge-gantry-xds");
        r.one("Service", "edge-gantry-xds-shards");
        Map<String, String> env = env(container(shards, "xds-shard"));
        assertEquals("edge-gantry-xds", env.get("GANTRY_XDS_SERVICE"));
        assertEquals("edge-gantry-xds-shards", env.get("GANTRY_SHARD_SERVICE"));
        assertEquals("edge-gantry-xds-shard", env.get("GANTRY_SHARD_STATEFULSET"));
        assertEquals("infra", env.get("GANTRY_NAMESPACE"));
    }

    @Test
    void longReleaseNamesStillGiveValidNames() {
        String release = "a-very-long-release-name-for-a-platform-team-that-likes-long-names";
        Rendered r = Chart.parse(Chart.helm()
                .template()
                .withName(release.substring(0, 53))
                .withNamespace("infra")
                .withKubeVersion(Chart.KUBE_VERSION)
                .set("crds.install", false)
                .call());
        String statefulSet = name(r.shards());
        assertTrue(statefulSet.length() <= 52 && statefulSet.endsWith("-xds-shard"), statefulSet);
        for (Map<String, Object> doc : r.documents()) {
            assertTrue(name(doc).length() <= 63 && name(doc).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), name(doc));
        }
        GantrySettings settings =
                GantrySettings.fromEnvironment(resolvedEnv(container(r.shards(), "xds-shard"), statefulSet + "-1"));
        assertEquals(statefulSet, settings.shardStatefulSet());
        assertEquals(1, settings.shardIndex());
    }

    @Test
    void shardCountDrivesReplicasAndTheEnvironment() {
        Rendered r = render(Map.of("shards.count", 5));
        assertEquals(5, at(r.shards(), "spec", "replicas"));
        for (Map<String, Object> workload : workloads(r)) {
            assertEquals("5", env(allContainers(workload).get(0)).get("GANTRY_SHARD_COUNT"), name(workload));
        }
        // The last pod's ordinal is a valid shard index for the code.
        GantrySettings last =
                GantrySettings.fromEnvironment(resolvedEnv(container(r.shards(), "xds-shard"), "gantry-xds-shard-4"));
        assertEquals(4, last.shardIndex());
        assertEquals(5, last.shardCount());
    }

    @Test
    void renderedEnvironmentIsWhatTheCodeAccepts() {
        Rendered r = render();
        Map<String, String> controllerEnv =
                resolvedEnv(container(r.controller(), "controller"), "gantry-controller-7d9f8c6b5-x2x7q");
        Map<String, String> shardEnv = resolvedEnv(container(r.shards(), "xds-shard"), "gantry-xds-shard-1");
        for (Map<String, String> env : List.of(controllerEnv, shardEnv)) {
            assertEquals(List.of(), GantrySettings.unknownVariables(env), "every GANTRY_* variable is a setting");
        }
        GantrySettings controller = GantrySettings.fromEnvironment(controllerEnv);
        GantrySettings shard = GantrySettings.fromEnvironment(shardEnv);
        assertEquals(1, shard.shardIndex());
        assertEquals("gantry-xds-shard-1", shard.identity());
        assertEquals("gantry-controller-7d9f8c6b5-x2x7q", controller.identity());
        for (GantrySettings s : List.of(controller, shard)) {
            assertEquals(Chart.NAMESPACE, s.namespace());
            assertEquals("gantry-xds", s.xdsService());
            assertEquals("gantry-xds-shards", s.shardService());
            assertEquals("gantry-xds-shard", s.shardStatefulSet());
            assertEquals(2, s.shardCount());
            assertEquals(18000, s.xdsPort());
            assertEquals(9090, s.adminPort());
            assertEquals("gantry", s.gatewayClassName());
            assertTrue(s.manageGatewayClass());
            assertEquals("gantry.dev/gateway-controller", s.controllerName());
            assertEquals("IfNotPresent", s.imagePullPolicy());
        }
        assertEquals("gantry-controller", controller.leaseName());
        // The Lease the controller uses is the one its Role names.
        Map<String, Object> role = r.one("Role", "gantry-controller-leader-election");
        assertTrue(maps(role.get("rules")).stream()
                .anyMatch(rule -> Chart.list(rule.get("resourceNames")).contains(controller.leaseName())));
    }

    @Test
    void gatewayClassValuesReachTheController() {
        Rendered r = render(Map.of(
                "gatewayClass.name", "edge", "gatewayClass.create", false, "controllerName", "example.com/edge"));
        GantrySettings settings = GantrySettings.fromEnvironment(
                resolvedEnv(container(r.controller(), "controller"), "gantry-controller-abc-def"));
        assertEquals("edge", settings.gatewayClassName());
        assertFalse(settings.manageGatewayClass());
        assertEquals("example.com/edge", settings.controllerName());
    }

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of(Map.of()),
                Arguments.of(Map.of("gatewayClass.create", false)),
                Arguments.of(Map.of("gatewayClass.name", "edge")),
                Arguments.of(Map.of("crds.channel", "experimental")),
                Arguments.of(Map.of("crds.install", false)),
                Arguments.of(Map.of("metrics.serviceMonitor.enabled", true, "shards.count", 3, "rbac.create", false)),
                Arguments.of(Map.of("networkPolicy.enabled", true, "xds.tls.enabled", false)));
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void noGatewayClassIsEverRendered(Map<String, Object> sets) {
        Rendered r = render(sets);
        assertTrue(
                r.all("GatewayClass").isEmpty(), "the controller owns the GatewayClass, the chart must not render it");
        assertFalse(r.yaml().contains("\nkind: GatewayClass\n"));
    }

    // ---- metrics

    @Test
    void serviceMonitorScrapesBothComponentsWhenEnabled() {
        Rendered r = render(
                Map.of("metrics.serviceMonitor.enabled", true, "metrics.serviceMonitor.labels.release", "prometheus"));
        Map<String, Object> monitor = r.one("ServiceMonitor", "gantry");
        assertEquals("monitoring.coreos.com/v1", monitor.get("apiVersion"));
        assertEquals("prometheus", string(monitor, "metadata", "labels", "release"));
        Map<String, Object> selector = map(at(monitor, "spec", "selector", "matchLabels"));
        List<Map<String, Object>> scraped = r.all("Service").stream()
                .filter(s -> map(at(s, "metadata", "labels")).entrySet().containsAll(selector.entrySet()))
                .toList();
        assertEquals(
                List.of("controller", "xds-shard"),
                scraped.stream()
                        .map(s -> string(s, "metadata", "labels", "app.kubernetes.io/component"))
                        .sorted()
                        .toList());
        for (Map<String, Object> service : scraped) {
            assertTrue(
                    maps(at(service, "spec", "ports")).stream().anyMatch(p -> "metrics".equals(p.get("name"))),
                    name(service));
        }
        assertEquals("metrics", string(maps(at(monitor, "spec", "endpoints")).get(0), "port"));
    }

    // ---- schema

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of("shards.count", 0), "/shards/count", "minimum"),
                Arguments.of(Map.of("controller.replicas", 0), "/controller/replicas", "minimum"),
                Arguments.of(
                        Map.of("image.pullPolicy", "Sometimes"),
                        "/image/pullPolicy",
                        "'Always', 'IfNotPresent', 'Never'"),
                Arguments.of(
                        Map.of("controller.image.pullPolicy", "Sometimes"), "/controller/image/pullPolicy", "one of"),
                Arguments.of(Map.of("shards.image.pullPolicy", "always"), "/shards/image/pullPolicy", "one of"),
                Arguments.of(Map.of("crds.channel", "beta"), "/crds/channel", "'standard', 'experimental'"),
                Arguments.of(Map.of("shards.count", "two"), "/shards/count", "want integer"),
                Arguments.of(Map.of("xds.port", 70000), "/xds/port", "maximum"),
                Arguments.of(Map.of("shards.statefulSetName", "Shards_1"), "/shards/statefulSetName", "pattern"),
                Arguments.of(
                        Map.of("controller.leaderElection.leaseDuration", "15 seconds"),
                        "/controller/leaderElection/leaseDuration",
                        "pattern"),
                Arguments.of(Map.of("shard.count", 3), "additional properties 'shard'", "not allowed"),
                Arguments.of(
                        Map.of(
                                "controller.extraEnv[0].name",
                                "GANTRY_XDS_SERVICE",
                                "controller.extraEnv[0].value",
                                "x"),
                        "/controller/extraEnv/0/name",
                        ""),
                // The xDS security settings must be the same in both components: only xds.* sets them.
                Arguments.of(
                        Map.of("shards.extraEnv[0].name", "GANTRY_XDS_INSECURE", "shards.extraEnv[0].value", "true"),
                        "/shards/extraEnv/0/name",
                        ""),
                Arguments.of(
                        Map.of("controller.extraEnv[0].name", "GANTRY_CA_SECRET", "controller.extraEnv[0].value", "x"),
                        "/controller/extraEnv/0/name",
                        ""),
                Arguments.of(Map.of("xds.maxStreamAge", "forever"), "/xds/maxStreamAge", "pattern"),
                Arguments.of(Map.of("xds.tls.proxyCredentialTtl", "1d"), "/xds/tls/proxyCredentialTtl", "pattern"),
                Arguments.of(
                        Map.of("xds.tls.servingCertificateTtl", "30 days"),
                        "/xds/tls/servingCertificateTtl",
                        "pattern"),
                Arguments.of(Map.of("xds.tls.enabled", "maybe"), "/xds/tls/enabled", "want boolean"),
                Arguments.of(Map.of("xds.tls.caSecretName", "My_CA"), "/xds/tls/caSecretName", "pattern"),
                Arguments.of(
                        Map.of("xds.tls.extraServingNames[0]", "xds.example.com:443"),
                        "/xds/tls/extraServingNames/0",
                        "pattern"),
                Arguments.of(Map.of("xds.tls.insecure", true), "additional properties 'insecure'", "not allowed"),
                Arguments.of(Map.of("networkPolicy.enabled", "yes please"), "/networkPolicy/enabled", "want boolean"),
                // Labels straight under a selector instead of under matchLabels.
                Arguments.of(
                        Map.of("networkPolicy.monitoring.podSelector.app", "prometheus"),
                        "additional properties 'app'",
                        "not allowed"),
                Arguments.of(
                        Map.of("networkPolicy.xdsFrom[0].cidr", "10.0.0.0/8"),
                        "additional properties 'cidr'",
                        "not allowed"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesAreRejectedWithAClearMessage(Map<String, Object> sets, String where, String why) {
        String message = Chart.templateError(sets);
        assertTrue(message.contains("values don't meet the specifications of the schema"), message);
        assertTrue(message.contains(where), () -> "the message should name " + where + ": " + message);
        assertTrue(message.contains(why), () -> "the message should say " + why + ": " + message);
    }

    @Test
    void theSchemaAcceptsEveryDocumentedOption() {
        Rendered r = render(Map.ofEntries(
                Map.entry("controller.podDisruptionBudget.maxUnavailable", "50%"),
                Map.entry("shards.podDisruptionBudget.enabled", false),
                Map.entry("controller.nodeSelector.kubernetes\\.io/os", "linux"),
                Map.entry("shards.tolerations[0].key", "dedicated"),
                Map.entry("shards.tolerations[0].operator", "Exists"),
                Map.entry("controller.podAnnotations.team", "platform"),
                Map.entry("shards.podLabels.tier", "control-plane"),
                Map.entry("shards.extraEnv[0].name", "GANTRY_STATUS_QPS"),
                Map.entry("shards.extraEnv[0].value", "10"),
                Map.entry("imagePullSecrets[0].name", "ghcr"),
                Map.entry("crds.install", false)));
        assertEquals("50%", at(r.one("PodDisruptionBudget", "gantry-controller"), "spec", "maxUnavailable"));
        assertEquals(1, r.all("PodDisruptionBudget").size());
        assertEquals("linux", string(podSpec(r.controller()), "nodeSelector", "kubernetes.io/os"));
        assertEquals(
                "dedicated", string(maps(podSpec(r.shards()).get("tolerations")).get(0), "key"));
        assertEquals("platform", string(r.controller(), "spec", "template", "metadata", "annotations", "team"));
        assertEquals("control-plane", string(r.shards(), "spec", "template", "metadata", "labels", "tier"));
        assertEquals("10", env(container(r.shards(), "xds-shard")).get("GANTRY_STATUS_QPS"));
        for (Map<String, Object> workload : workloads(r)) {
            assertEquals(
                    "ghcr",
                    string(maps(podSpec(workload).get("imagePullSecrets")).get(0), "name"));
        }
    }

    @Test
    void tooOldKubernetesIsRefused() {
        RuntimeException e = Assertions.assertThrows(
                RuntimeException.class,
                () -> Chart.helm()
                        .template()
                        .withName("gantry")
                        .withKubeVersion("v1.29.0")
                        .call());
        assertTrue(e.getMessage().contains("kubeVersion"), e.getMessage());
    }

    // ----

    static List<Map<String, Object>> workloads(Rendered r) {
        List<Map<String, Object>> workloads = new ArrayList<>();
        for (Map<String, Object> doc : r.documents()) {
            if (Chart.WORKLOAD_KINDS.contains(kind(doc))) {
                workloads.add(doc);
            }
        }
        assertNotEquals(0, workloads.size());
        return workloads;
    }

    static String appVersion() {
        try {
            Object chart = new Load(LoadSettings.builder().build())
                    .loadFromString(Files.readString(Chart.dir().resolve("Chart.yaml")));
            return string(chart, "appVersion");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
