package dev.gantry.envoy;

import com.google.protobuf.Message;
import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.runtime.Parallel;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Builds one Gateway's Envoy resources again and again, reusing every resource whose IR is the same instance as
 * last time. An incremental translation keeps unchanged IR parts as the same instances, so after a route edit
 * only the changed route table is turned into a proto, serialized and hashed; the rest costs a map lookup each.
 * Not thread-safe: one per Gateway, used by the translation thread.
 */
public final class EnvoyResourcesBuilder {

    private final Part<PortIr, Listener> listeners;
    private final Part<RouteTableIr, RouteConfiguration> routes;
    private final Part<ClusterIr, Cluster> clusters;
    private final Part<ClusterIr, ClusterLoadAssignment> endpoints;
    private final Part<SecretIr, Secret> secrets;

    public EnvoyResourcesBuilder(EnvoyTranslator translator) {
        this.listeners = new Part<>(translator::versionedListener);
        this.routes = new Part<>(translator::versionedRoutes);
        this.clusters = new Part<>(translator::versionedCluster);
        this.endpoints = new Part<>(translator::versionedEndpoints);
        this.secrets = new Part<>(translator::versionedSecret);
    }

    /** Resources built (not reused) by the last {@link #build}: the only ones that need validating. */
    public List<EnvoyResources.Versioned<?>> lastBuilt() {
        List<EnvoyResources.Versioned<?>> built = new ArrayList<>();
        for (Part<?, ?> part : List.of(listeners, routes, clusters, endpoints, secrets)) {
            built.addAll(part.fresh);
        }
        return built;
    }

    public EnvoyResources build(GatewayIr ir) {
        for (Part<?, ?> part : List.of(listeners, routes, clusters, endpoints, secrets)) {
            part.fresh.clear();
        }
        List<ClusterIr> withEndpoints =
                ir.clusters() == clusters.parts ? endpoints.parts : EnvoyTranslator.edsClusters(ir.clusters());
        // After a cold start or a full translation that is every resource: built side by side, listeners first.
        List<Runnable> work = new ArrayList<>();
        listeners.plan(ir.ports(), work);
        routes.plan(ir.routeTables(), work);
        clusters.plan(ir.clusters(), work);
        endpoints.plan(withEndpoints, work);
        secrets.plan(ir.secrets(), work);
        Parallel.forEachIndex(
                work.size(), EnvoyTranslator.IN_PARALLEL, i -> work.get(i).run());
        return new EnvoyResources(
                listeners.finish(), routes.finish(), clusters.finish(), endpoints.finish(), secrets.finish());
    }

    /** One resource type: the IR list last seen, and what each IR instance was built into. */
    private static final class Part<K, T extends Message> {
        private final Function<K, EnvoyResources.Versioned<T>> build;
        private List<K> parts = List.of();
        private List<EnvoyResources.Versioned<T>> built = List.of();
        private IdentityHashMap<K, EnvoyResources.Versioned<T>> byPart = new IdentityHashMap<>();
        private final List<EnvoyResources.Versioned<T>> fresh = new ArrayList<>();
        // The build under way: the parts asked for, those not built before, and what they were built into.
        private List<K> next = List.of();
        private List<K> missing = List.of();
        private Object[] made = new Object[0];

        Part(Function<K, EnvoyResources.Versioned<T>> build) {
            this.build = build;
        }

        /** Adds to {@code work} the building of each IR part not built before. */
        void plan(List<K> wanted, List<Runnable> work) {
            next = wanted;
            missing = new ArrayList<>();
            if (wanted != parts) {
                for (K part : wanted) {
                    if (!byPart.containsKey(part)) {
                        missing.add(part);
                    }
                }
            }
            made = new Object[missing.size()];
            for (int i = 0; i < missing.size(); i++) {
                int slot = i;
                work.add(() -> made[slot] = build.apply(missing.get(slot)));
            }
        }

        /** The resources of the planned parts, once the work is done. */
        @SuppressWarnings("unchecked")
        List<EnvoyResources.Versioned<T>> finish() {
            if (next == parts) {
                return built; // the same list instance: nothing of this type changed
            }
            for (int i = 0; i < missing.size(); i++) {
                EnvoyResources.Versioned<T> resource = (EnvoyResources.Versioned<T>) made[i];
                byPart.put(missing.get(i), resource);
                fresh.add(resource);
            }
            IdentityHashMap<K, EnvoyResources.Versioned<T>> nextByPart = new IdentityHashMap<>(next.size() * 2);
            List<EnvoyResources.Versioned<T>> result = new ArrayList<>(next.size());
            for (K part : next) {
                EnvoyResources.Versioned<T> resource = byPart.get(part);
                nextByPart.put(part, resource);
                result.add(resource);
            }
            parts = next;
            built = List.copyOf(result);
            byPart = nextByPart;
            missing = List.of();
            made = new Object[0];
            return built;
        }
    }
}
