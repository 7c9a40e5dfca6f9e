package dev.gantry.controller.conformance;

import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * One conformance test as it runs: the status checks, plus the manifests it applied (deleted again afterwards,
 * newest first, as the upstream suite's cleanup does) and the edits its steps make.
 */
final class ConformanceRun extends Checks {

    private final String name;
    private final List<HasMetadata> applied = Collections.synchronizedList(new ArrayList<>());

    ConformanceRun(ConformanceSuite suite, String name) {
        super(suite);
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Applies a manifest of {@code src/test/resources/conformance/tests/}; its objects are deleted after the test. */
    void applyManifest(String file) {
        for (HasMetadata object : suite.manifest("tests/" + file)) {
            applyObject(object);
        }
    }

    /** Creates or replaces an object, deleted after the test. */
    void applyObject(HasMetadata object) {
        suite.apply(object);
        applied.add(object);
    }

    /** Reads, edits and updates an object (the read is repeated when the update meets a newer version). */
    <T extends HasMetadata> void edit(Class<T> type, ObjectKey key, Consumer<T> change) {
        for (int attempt = 0; ; attempt++) {
            T current = key.namespace() == null || key.namespace().isEmpty()
                    ? client.resources(type).withName(key.name()).get()
                    : client.resources(type)
                            .inNamespace(key.namespace())
                            .withName(key.name())
                            .get();
            if (current == null) {
                throw new AssertionError(type.getSimpleName() + " " + key + " does not exist");
            }
            change.accept(current);
            try {
                client.resource(current).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    /** Deletes an object now. */
    <T extends HasMetadata> void delete(Class<T> type, ObjectKey key) {
        client.resources(type).inNamespace(key.namespace()).withName(key.name()).delete();
    }

    /**
     * NMR restricted to the Gateways this test applied: each one not annotated skip-readiness is Accepted and
     * Programmed at its current generation.
     */
    void appliedGatewaysMustBeReady() {
        List<ObjectKey> gateways;
        synchronized (applied) {
            gateways = applied.stream()
                    .filter(o -> o instanceof Gateway)
                    .filter(o -> o.getMetadata().getAnnotations() == null
                            || !"true".equals(o.getMetadata().getAnnotations().get(SKIP_READINESS)))
                    .map(ObjectKey::of)
                    .toList();
        }
        for (ObjectKey key : gateways) {
            await("Gateway " + key + " Accepted and Programmed (parallel tests' NMR sees every Gateway)", () -> {
                Gateway gw = gateway(key);
                if (gw == null) {
                    return "Gateway " + key + " does not exist";
                }
                String stale = stale(gw, conditions(gw));
                if (stale != null) {
                    return stale;
                }
                return has(conditions(gw), isTrue("Accepted")) && has(conditions(gw), isTrue("Programmed"))
                        ? null
                        : "conditions " + describe(conditions(gw));
            });
        }
    }

    /** Deletes what the test applied, newest first. */
    void cleanUp() {
        List<HasMetadata> objects;
        synchronized (applied) {
            objects = new ArrayList<>(applied);
            applied.clear();
        }
        Collections.reverse(objects);
        for (HasMetadata object : objects) {
            try {
                client.resource(object).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }
}
