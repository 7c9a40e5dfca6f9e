package dev.gantry.translate;

import dev.gantry.model.ObjectKey;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.RouteParentStatusIr;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the entries that each Gateway's translation gives one object are merged into that object's status: a route's
 * parent entries (a route may name several Gateways, and ListenerSets of each) and a policy's ancestor entries (a
 * policy may serve the backends of several Gateways). The one place both the controller (incrementally, as Gateways
 * change) and a full translation merge them, so the two cannot drift apart.
 */
public final class StatusAggregation {

    private StatusAggregation() {}

    /**
     * A route's status from the parent entries of every Gateway that has some: in the order of the route's parentRefs,
     * one entry per distinct parentRef (two parentRefs that differ only in what the route spelled out are one parent).
     */
    public static ObjectStatusIr.RouteStatus route(
            Collection<? extends Collection<GatewayTranslation.RouteParent>> byGateway) {
        List<GatewayTranslation.RouteParent> parents = new ArrayList<>();
        byGateway.forEach(parents::addAll);
        parents.sort(Comparator.comparingInt(GatewayTranslation.RouteParent::parentIndex));
        List<RouteParentStatusIr> entries = new ArrayList<>(parents.size());
        for (GatewayTranslation.RouteParent parent : parents) {
            if (entries.stream()
                    .noneMatch(e -> e.parentRef().equals(parent.status().parentRef()))) {
                entries.add(parent.status());
            }
        }
        return new ObjectStatusIr.RouteStatus(entries);
    }

    /** A policy's status from the ancestor entry of every Gateway whose backends use it, in the Gateways' order. */
    public static ObjectStatusIr.PolicyStatus policy(Map<ObjectKey, PolicyAncestorStatusIr> byGateway) {
        return new ObjectStatusIr.PolicyStatus(new ArrayList<>(new TreeMap<>(byGateway).values()));
    }
}
