package dev.gantry.xds.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * What a proxy with live traffic must never hold, checked after every response (and a listener's initial fetch
 * timeout) once it has been warm: a held route configuration or a serving listener's TCP/TLS/UDP proxy filter naming
 * a cluster that is not held and warm (at Envoy a 5xx), or a serving listener naming a secret that is not held. A
 * warming listener serves nothing, so what it names does not count. Routes to {@link #UNRESOLVED_BACKEND} are meant
 * to fail and are left out.
 *
 * <p>Not thread-safe: the client calls it under its lock, except {@link #violations()}.
 */
final class MakeBeforeBreakCheck {

    /** The cluster Gantry's routes name for a backend that does not resolve: a 500 by design. */
    static final String UNRESOLVED_BACKEND = "gantry-unresolved-backend";

    private static final int MAX_SAMPLES = 20;

    /** By name, how many held route configurations and serving listeners name each cluster. */
    private final Map<String, Integer> namedClusters = new HashMap<>();
    /** By name, how many held route configurations and serving listeners name each secret. */
    private final Map<String, Integer> namedSecrets = new HashMap<>();

    private final List<String> samples = new ArrayList<>();
    private final AtomicLong violations = new AtomicLong();
    private boolean everWarm;

    /** Counts what a resource names as it starts ({@code sign} 1) or stops (-1) counting. */
    void count(References references, int sign) {
        references
                .clusters()
                .forEach(cluster -> namedClusters.merge(cluster, sign, (a, b) -> a + b == 0 ? null : a + b));
        references.secrets().forEach(secret -> namedSecrets.merge(secret, sign, (a, b) -> a + b == 0 ? null : a + b));
    }

    /**
     * Checks what is counted against what is held, once the proxy has been warm.
     *
     * @param after what was just applied, for the samples
     * @param warm whether the proxy holds a complete configuration, asked until it first does
     * @param activeClusters clusters held and warm
     * @param warmingClusters clusters held and waiting for their endpoints
     * @param heldSecrets secrets held
     */
    void check(
            String after,
            BooleanSupplier warm,
            Set<String> activeClusters,
            Set<String> warmingClusters,
            Set<String> heldSecrets) {
        if (!everWarm) {
            if (!warm.getAsBoolean()) {
                return;
            }
            everWarm = true;
        }
        List<String> broken = new ArrayList<>(0);
        for (String cluster : namedClusters.keySet()) {
            if (!activeClusters.contains(cluster) && !cluster.equals(UNRESOLVED_BACKEND)) {
                broken.add("cluster " + cluster + (warmingClusters.contains(cluster) ? " (warming)" : " (not held)"));
            }
        }
        for (String secret : namedSecrets.keySet()) {
            if (!heldSecrets.contains(secret)) {
                broken.add("secret " + secret + " (not held)");
            }
        }
        if (!broken.isEmpty()) {
            violations.incrementAndGet();
            if (samples.size() < MAX_SAMPLES) {
                samples.add("after " + after + ": " + String.join(", ", broken));
            }
        }
    }

    /** How many checks found something broken; safe to read without the client's lock. */
    long violations() {
        return violations.get();
    }

    /** What the first violations were. */
    List<String> samples() {
        return List.copyOf(samples);
    }
}
