package dev.gantry.xds;

import dev.gantry.envoy.EnvoyReferences;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Make-before-break: what one proxy stream is served of each type, from the Gateway's latest snapshot and what the
 * proxy holds, so that no response leaves it with a route or listener naming a cluster it does not hold warm, or a
 * route configuration or secret it does not hold. A pure function; the cache asks it again whenever the snapshot
 * changes or the proxy acknowledges a response, so a change reaches the proxy in steps:
 *
 * <ol>
 *   <li><b>Clusters</b>: the snapshot's, plus every cluster the proxy holds that a listener or route configuration
 *       it holds (acknowledged, or sent and not yet acknowledged) still names.
 *   <li><b>Endpoints</b>: the snapshot's, plus those the proxy holds of the clusters kept by rule 1.
 *   <li><b>Listeners and route configurations</b>: the snapshot's once the proxy has acknowledged a cluster response
 *       holding every cluster of the snapshot they name (Envoy acknowledges clusters once they are warm, that is once
 *       their endpoints have arrived); until then, what it was last served. Route configurations that a listener it
 *       holds still names stay.
 *   <li><b>Secrets</b>: the snapshot's, plus those the proxy holds that a listener it holds or a cluster kept by rule
 *       1 names.
 * </ol>
 *
 * <p>Each step depends only on the latest snapshot, so a newer change supersedes one in progress: the proxy goes to
 * the latest config and never through stale ones. A proxy that never acknowledges (or rejects) a step never gets the
 * ones after it: it keeps a consistent config, and the clusters its routes name.
 */
final class PhasePlanner {

    private PhasePlanner() {}

    /**
     * What a stream holds of each type.
     *
     * @param acked per type, the view of the last response the proxy acknowledged (absent: none yet)
     * @param served per type, the view of the last response sent, or found already held (absent: none yet)
     */
    record Holding(Map<ResourceType, ServedView> acked, Map<ResourceType, ServedView> served) {

        Holding {
            acked = copy(acked);
            served = copy(served);
        }

        private static Map<ResourceType, ServedView> copy(Map<ResourceType, ServedView> views) {
            EnumMap<ResourceType, ServedView> copy = new EnumMap<>(ResourceType.class);
            copy.putAll(views);
            return copy;
        }

        /** The views of a type the proxy may hold at this moment, the latest first. */
        List<ServedView> held(ResourceType type) {
            List<ServedView> held = new ArrayList<>(2);
            ServedView last = served.get(type);
            ServedView ack = acked.get(type);
            if (last != null) {
                held.add(last);
            }
            if (ack != null && ack != last) {
                held.add(ack);
            }
            return held;
        }
    }

    /**
     * The views to serve.
     *
     * @param target the snapshot's view of every type
     * @return a view per type; listeners and route configurations are absent until there is something to serve them
     */
    static Map<ResourceType, ServedView> plan(Map<ResourceType, ServedView> target, Holding holding) {
        Map<ResourceType, ServedView> plan = new EnumMap<>(ResourceType.class);
        List<ServedView> heldListeners = holding.held(ResourceType.LISTENER);
        List<ServedView> heldTables = holding.held(ResourceType.ROUTE);

        ServedView targetListeners = target.get(ResourceType.LISTENER);
        ServedView targetTables = target.get(ResourceType.ROUTE);
        if (routable(target, holding.acked().get(ResourceType.CLUSTER))) {
            Set<String> tablesNamed = new HashSet<>();
            heldListeners.forEach(view -> tablesNamed.addAll(view.named().routeConfigurations()));
            plan.put(ResourceType.LISTENER, targetListeners);
            plan.put(ResourceType.ROUTE, targetTables.keeping(stillNamed(heldTables, targetTables, tablesNamed)));
        } else {
            putIfPresent(plan, ResourceType.LISTENER, holding.served().get(ResourceType.LISTENER));
            putIfPresent(plan, ResourceType.ROUTE, holding.served().get(ResourceType.ROUTE));
        }

        Set<String> clustersNamed = new HashSet<>();
        heldListeners.forEach(view -> clustersNamed.addAll(view.named().clusters()));
        heldTables.forEach(view -> clustersNamed.addAll(view.named().clusters()));
        ServedView targetClusters = target.get(ResourceType.CLUSTER);
        Map<String, VersionedResource<?>> keptClusters =
                stillNamed(holding.held(ResourceType.CLUSTER), targetClusters, clustersNamed);
        plan.put(ResourceType.CLUSTER, targetClusters.keeping(keptClusters));

        ServedView targetEndpoints = target.get(ResourceType.ENDPOINT);
        plan.put(
                ResourceType.ENDPOINT,
                targetEndpoints.keeping(
                        stillNamed(holding.held(ResourceType.ENDPOINT), targetEndpoints, keptClusters.keySet())));

        Set<String> secretsNamed = new HashSet<>();
        heldListeners.forEach(view -> secretsNamed.addAll(view.named().secrets()));
        keptClusters
                .values()
                .forEach(cluster -> secretsNamed.addAll(
                        EnvoyReferences.of(cluster.resource()).secrets()));
        ServedView targetSecrets = target.get(ResourceType.SECRET);
        plan.put(
                ResourceType.SECRET,
                targetSecrets.keeping(stillNamed(holding.held(ResourceType.SECRET), targetSecrets, secretsNamed)));
        return plan;
    }

    /**
     * Whether the snapshot's listeners and routes can be served: the proxy has acknowledged every cluster of the
     * snapshot they name. Names the snapshot does not hold (a backend that does not resolve) cannot become warm and
     * do not wait.
     */
    private static boolean routable(Map<ResourceType, ServedView> target, ServedView ackedClusters) {
        if (ackedClusters == null) {
            return false;
        }
        ServedView clusters = target.get(ResourceType.CLUSTER);
        for (ResourceType type : List.of(ResourceType.LISTENER, ResourceType.ROUTE)) {
            for (String cluster : target.get(type).named().clusters()) {
                if (clusters.contains(cluster) && !ackedClusters.contains(cluster)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** What the proxy holds that the target lacks and something it holds still names; the latest held wins. */
    private static Map<String, VersionedResource<?>> stillNamed(
            List<ServedView> held, ServedView target, Set<String> named) {
        Map<String, VersionedResource<?>> kept = new LinkedHashMap<>();
        if (named.isEmpty()) {
            return kept;
        }
        for (ServedView view : held) {
            if (view == target) {
                continue;
            }
            view.resources().forEach((name, resource) -> {
                if (named.contains(name) && !target.contains(name)) {
                    kept.putIfAbsent(name, resource);
                }
            });
        }
        return kept;
    }

    private static void putIfPresent(Map<ResourceType, ServedView> plan, ResourceType type, ServedView view) {
        if (view != null) {
            plan.put(type, view);
        }
    }
}
