package dev.gantry.controller.conformance;

import dev.gantry.config.GantrySettings;
import dev.gantry.controller.Controller;
import dev.gantry.kube.InMemoryDispatcher;
import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.kube.ManifestLoader;
import dev.gantry.translate.Features;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeature;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The cluster every conformance test runs against, as the upstream suite's setup leaves it: an in-memory
 * Kubernetes API (experimental-channel CRDs), one Gantry controller serving the default GatewayClass
 * {@value #GATEWAY_CLASS}, the base manifests and the Secrets and ConfigMaps the upstream suite creates
 * programmatically. Started once per test JVM.
 */
final class ConformanceSuite implements AutoCloseable {

    static final String INFRA = "gateway-conformance-infra";
    static final String APP_BACKEND = "gateway-conformance-app-backend";
    static final String WEB_BACKEND = "gateway-conformance-web-backend";
    static final String GATEWAY_CLASS = "gantry";
    static final String RESOURCES = "/conformance/";

    /**
     * Features the suite treats as supported: those Gantry claims, or those named by the system property
     * {@code gantry.conformance.features} (comma-separated, or {@code all} to run every test whatever Gantry
     * claims, to see how far an unclaimed feature is).
     */
    static final Set<String> SUPPORTED = supportedFeatures();

    final InMemoryKubernetesApi api;
    final KubernetesClient client;
    final Duration timeout;
    /** Read from the GatewayClass, as the upstream suite does; every route parent entry must carry it. */
    String controllerName;

    private final KubernetesClient controllerClient;
    private final Controller controller;
    private int refusalsSeen;

    private ConformanceSuite(
            InMemoryKubernetesApi api,
            KubernetesClient client,
            KubernetesClient controllerClient,
            Controller controller,
            Duration timeout) {
        this.api = api;
        this.client = client;
        this.controllerClient = controllerClient;
        this.controller = controller;
        this.timeout = timeout;
    }

    private static Set<String> supportedFeatures() {
        String override = System.getProperty("gantry.conformance.features", "").trim();
        if (override.equals("all")) {
            return null;
        }
        if (!override.isEmpty()) {
            Set<String> features = new TreeSet<>(Arrays.asList(override.split("\\s*,\\s*")));
            features.add("Gateway");
            return Set.copyOf(features);
        }
        return Set.copyOf(Features.SUPPORTED);
    }

    static boolean supports(String feature) {
        return SUPPORTED == null || SUPPORTED.contains(feature);
    }

    /** Starts the API and the controller, applies the base resources and waits as the upstream suite's setup. */
    static ConformanceSuite start() {
        long started = System.nanoTime();
        Duration timeout = Duration.parse(
                "PT" + System.getProperty("gantry.conformance.timeout", "30s").toUpperCase());
        InMemoryKubernetesApi api = InMemoryKubernetesApi.start(0, InMemoryKubernetesApi.EXPERIMENTAL_CRDS);
        KubernetesClient client = api.newClient("gateway-conformance");
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("gantry-system")
                        .endMetadata()
                        .build())
                .create();
        GantrySettings settings = settings();
        KubernetesClient controllerClient = api.newClient("gantry-controller/conformance");
        Controller controller =
                new Controller(settings, controllerClient, "127.0.0.1", -1, () -> {}, new PrometheusRegistry()).start();
        ConformanceSuite suite = new ConformanceSuite(api, client, controllerClient, controller, timeout);
        try {
            suite.setUp();
        } catch (RuntimeException | Error e) {
            suite.close();
            throw e;
        }
        System.out.printf(
                "conformance: cluster ready in %d ms (GatewayClass %s, controller %s)%n",
                (System.nanoTime() - started) / 1_000_000, GATEWAY_CLASS, suite.controllerName);
        return suite;
    }

    private static GantrySettings settings() {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_NAMESPACE", "gantry-system");
        env.put("GANTRY_IDENTITY", "conformance");
        env.put("GANTRY_GATEWAY_CLASS_NAME", GATEWAY_CLASS);
        env.put("GANTRY_DEBOUNCE", "10ms");
        env.put("GANTRY_DEBOUNCE_MAX", "100ms");
        env.put("GANTRY_LEASE_DURATION", "3s");
        env.put("GANTRY_RENEW_DEADLINE", "2s");
        env.put("GANTRY_RETRY_PERIOD", "200ms");
        env.put("GANTRY_STATUS_QPS", "5000");
        env.put("GANTRY_STATUS_BURST", "5000");
        return GantrySettings.fromEnvironment(env);
    }

    private void setUp() {
        Checks checks = new Checks(this);
        // The suite first waits for its GatewayClass to be accepted (and reads controllerName from it).
        checks.gatewayClassMustBeAccepted(GATEWAY_CLASS);
        GatewayClass gatewayClass =
                client.resources(GatewayClass.class).withName(GATEWAY_CLASS).get();
        controllerName = gatewayClass.getSpec().getControllerName();
        List<String> advertised = gatewayClass.getStatus().getSupportedFeatures() == null
                ? List.of()
                : gatewayClass.getStatus().getSupportedFeatures().stream()
                        .map(SupportedFeature::getName)
                        .toList();
        if (!advertised.equals(Features.SUPPORTED)) {
            throw new AssertionError("GatewayClass " + GATEWAY_CLASS + " advertises " + advertised
                    + ", Features.SUPPORTED is " + Features.SUPPORTED);
        }
        for (HasMetadata object : manifest("base-manifests.yaml")) {
            apply(object);
        }
        for (HasMetadata object : programmaticResources()) {
            apply(object);
        }
        checks.namespacesMustBeReady(INFRA, APP_BACKEND, WEB_BACKEND);
    }

    /** Creates or replaces an object. */
    void apply(HasMetadata object) {
        client.resource(object).createOr(NonDeletingOperation::update);
    }

    /**
     * The objects of a manifest under {@code src/test/resources/conformance/} with the suite's placeholders
     * substituted, Namespaces first (with the label an API server would add).
     */
    List<HasMetadata> manifest(String path) {
        String yaml;
        try (InputStream in = ConformanceSuite.class.getResourceAsStream(RESOURCES + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no conformance manifest " + path);
            }
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        yaml = yaml.replace("{GATEWAY_CLASS_NAME}", GATEWAY_CLASS).replace("{GATEWAY_CONTROLLER_NAME}", controllerName);
        ManifestLoader.Result result = ManifestLoader.parse(path, yaml);
        if (!result.problems().isEmpty()) {
            throw new IllegalStateException("manifest " + path + " does not load: " + result.problems());
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (ManifestLoader.Document document : result.documents()) {
            HasMetadata object = document.object();
            objects.add(object);
        }
        objects.sort(Comparator.comparingInt(o -> o instanceof Namespace ? 0 : 1));
        return objects;
    }

    /**
     * The Secrets and ConfigMaps the upstream suite creates in code, and those its manifests expect to exist: each
     * TLS Secret is a leaf signed by a CA whose certificate is published in a ConfigMap (key {@code ca.crt}).
     */
    private List<HasMetadata> programmaticResources() {
        List<HasMetadata> objects = new ArrayList<>();
        Certificates.Issued validityCa = Certificates.authority("tls-validity-checks-ca");
        Certificates.Issued checksCa = Certificates.authority("tls-checks-ca");
        Certificates.Issued mismatchCa = Certificates.authority("mismatch-ca");
        Certificates.Issued webCa = Certificates.authority("web-backend-ca");
        objects.add(tlsSecret(WEB_BACKEND, "certificate", Certificates.leaf(webCa, "*")));
        objects.add(tlsSecret(
                INFRA,
                "tls-validity-checks-certificate",
                Certificates.leaf(validityCa, "*", "*.org", "*.wildcard.org")));
        objects.add(caConfigMap(INFRA, "tls-validity-checks-ca-certificate", validityCa));
        objects.add(caConfigMap(INFRA, "tls-validity-checks-per-port-ca-certificate", validityCa));
        Certificates.Issued passthrough = Certificates.leaf(checksCa, "abc.example.com");
        objects.add(tlsSecret(INFRA, "tls-passthrough-checks-certificate", passthrough));
        objects.add(tlsSecret(APP_BACKEND, "tls-passthrough-checks-certificate", passthrough));
        Certificates.Issued backend = Certificates.leaf(checksCa, "abc.example.com", "spiffe-not-a-dns.example.com");
        objects.add(tlsSecret(INFRA, "tls-checks-certificate", backend));
        objects.add(tlsSecret(APP_BACKEND, "tls-checks-certificate", backend));
        objects.add(caConfigMap(INFRA, "tls-checks-ca-certificate", checksCa));
        objects.add(caConfigMap(INFRA, "mismatch-ca-certificate", mismatchCa));
        objects.add(
                tlsSecret(INFRA, "tls-checks-client-certificate", Certificates.leaf(checksCa, "client.example.com")));
        objects.add(
                tlsSecret(INFRA, "tls-terminate-checks-certificate", Certificates.leaf(checksCa, "tls.example.com")));
        objects.add(caConfigMap(WEB_BACKEND, "web-backend-cm", webCa));
        return objects;
    }

    private static HasMetadata tlsSecret(String namespace, String name, Certificates.Issued issued) {
        return new SecretBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(
                        "tls.crt",
                        base64(issued.certificate()),
                        "tls.key",
                        base64(issued.privateKey()),
                        "ca.crt",
                        base64(issued.caCertificate())))
                .build();
    }

    private static HasMetadata caConfigMap(String namespace, String name, Certificates.Issued ca) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withData(Map.of("ca.crt", ca.certificate()))
                .build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static String describe(Set<String> features) {
        return features.stream().sorted().collect(Collectors.joining(", "));
    }

    /**
     * Waits until nothing but the controller's Lease renewals has been written for a moment. The mock server blocks
     * its event loop while a watch with undelivered events closes (up to a minute), so the controller's informers
     * must not be closed while the last test's deletions are still being delivered.
     */
    private void awaitQuiet() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int seen = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            List<InMemoryDispatcher.Call> log = api.requestLog();
            int writes = (int) log.stream()
                    .filter(c -> c.isWrite() && !c.path().contains("/leases"))
                    .count();
            if (writes != seen) {
                seen = writes;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > Duration.ofMillis(500).toNanos()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Status the controller wrote that the API refused (422): a real API server would refuse it too. Checked after
     * every test, so that the test that provoked it fails.
     */
    synchronized void assertStatusWritesAdmitted() {
        List<InMemoryDispatcher.Refusal> refused = api.refusedStatusWrites("gantry-controller/");
        if (refused.size() > refusalsSeen) {
            int seen = refusalsSeen;
            refusalsSeen = refused.size();
            throw new AssertionError("the API refused " + (refused.size() - seen)
                    + " status write(s) of the controller: " + refused.get(seen).message());
        }
    }

    @Override
    public void close() {
        awaitQuiet();
        controller.close();
        controllerClient.close();
        client.close();
        try {
            api.close();
        } catch (IllegalStateException e) {
            // The mock server's own shutdown (watch sockets closing); not a conformance result.
            System.out.println("conformance: the in-memory API did not shut down cleanly: " + e);
        }
        assertStatusWritesAdmitted();
    }
}
