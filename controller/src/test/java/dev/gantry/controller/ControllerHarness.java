package dev.gantry.controller;

import dev.gantry.config.GantrySettings;
import dev.gantry.kube.InMemoryDispatcher;
import dev.gantry.kube.InMemoryKubernetesApi;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An in-memory API with the control-plane namespace, and controllers started against it. */
final class ControllerHarness implements AutoCloseable {

    static final String NAMESPACE = "gantry-system";

    final InMemoryKubernetesApi api;
    final KubernetesClient client;
    private final List<AutoCloseable> running = new ArrayList<>();

    ControllerHarness() {
        api = InMemoryKubernetesApi.start(0);
        client = api.newClient("test");
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NAMESPACE)
                        .endMetadata()
                        .build())
                .create();
    }

    /** An in-memory API with namespace {@code apps} and one controller (no proxy provisioning) running against it. */
    static ControllerHarness withController() {
        ControllerHarness harness = new ControllerHarness();
        harness.namespace("apps", Map.of());
        harness.startController("replica-a", Map.of("PROVISION_PROXIES", "false"));
        return harness;
    }

    /** Fast settings for tests; {@code overrides} are GANTRY_* variables without the prefix. */
    static GantrySettings settings(String identity, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_NAMESPACE", NAMESPACE);
        env.put("GANTRY_IDENTITY", identity);
        env.put("GANTRY_DEBOUNCE", "10ms");
        env.put("GANTRY_DEBOUNCE_MAX", "100ms");
        env.put("GANTRY_LEASE_DURATION", "3s");
        env.put("GANTRY_RENEW_DEADLINE", "2s");
        env.put("GANTRY_RETRY_PERIOD", "200ms");
        env.put("GANTRY_STATUS_QPS", "1000");
        env.put("GANTRY_STATUS_BURST", "1000");
        overrides.forEach((k, v) -> env.put(GantrySettings.PREFIX + k, v));
        return GantrySettings.fromEnvironment(env);
    }

    Controller startController(String identity, Map<String, String> overrides) {
        return startController(settings(identity, overrides), () -> {});
    }

    Controller startController(GantrySettings settings, Runnable onLeadershipLost) {
        return startController(settings, onLeadershipLost, new PrometheusRegistry(), Clock.systemUTC());
    }

    /** A controller whose metrics go to {@code registry} and that takes {@code clock} for now. */
    Controller startController(
            GantrySettings settings, Runnable onLeadershipLost, PrometheusRegistry registry, Clock clock) {
        KubernetesClient controllerClient = api.newClient("gantry-controller/" + settings.identity());
        Controller controller =
                new Controller(settings, controllerClient, "127.0.0.1", 0, onLeadershipLost, registry, clock).start();
        running.add(controller);
        running.add(controllerClient);
        return controller;
    }

    /** Creates or replaces objects. */
    void apply(HasMetadata... objects) {
        for (HasMetadata object : objects) {
            for (int attempt = 1; ; attempt++) {
                try {
                    client.resource(object).createOr(NonDeletingOperation::update);
                    break;
                } catch (KubernetesClientException e) {
                    // A status write of the controller landed between the read and the write of the update: read again.
                    if (e.getCode() != 409 || attempt == 5) {
                        throw e;
                    }
                }
            }
        }
    }

    void namespace(String name, Map<String, String> labels) {
        apply(new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build());
    }

    /**
     * Closes everything, then fails the test if the API refused any status the controllers wrote: a real API server
     * would have refused it too, and the object would have kept a stale status.
     */
    @Override
    public void close() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        client.close();
        List<InMemoryDispatcher.Refusal> refused = api.refusedStatusWrites("gantry-controller/");
        api.close();
        if (!refused.isEmpty()) {
            throw new AssertionError("the API refused " + refused.size() + " status write(s) of the controller: "
                    + refused.getFirst().message());
        }
    }
}
