package dev.gantry.translate;

import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.RouteParentStatusIr;
import dev.gantry.translate.RouteTables.PlacementKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one Gateway's translation hands out: the IR (its ports, route tables, clusters and secrets), the status of
 * the Gateway, its ListenerSets, listeners, routes and BackendTLSPolicies, and the snapshot of all of it. The IR
 * lists are kept as the same instances while nothing of their type changed (cheap reuse downstream); statuses are
 * worked out when asked, from the plan, the routes and the clusters. Not thread-safe: the engine's thread only.
 */
final class GatewayResults {

    private final ObjectKey gateway;
    private final String controllerName;
    private final RouteLedger routes;
    private final ClusterLedger clusters;
    private GatewayPlan plan = GatewayPlan.NOT_OURS;

    private final Map<String, RouteTableIr> tables = new TreeMap<>();
    private final Map<String, PortIr> ports = new TreeMap<>();
    private final Map<Unit, Set<String>> secretsByUnit = new HashMap<>();
    private final Map<ListenerState, ListenerStatusIr> listenerStatus = new IdentityHashMap<>();
    /** Null when their content changed since the IR was last asked for. */
    private List<PortIr> portList;

    private List<RouteTableIr> tableList;
    private List<ClusterIr> clusterList;
    private List<SecretIr> secretList;
    private GatewayIr ir;
    private GatewayTranslation snapshot;

    GatewayResults(ObjectKey gateway, String controllerName, RouteLedger routes, ClusterLedger clusters) {
        this.gateway = gateway;
        this.controllerName = controllerName;
        this.routes = routes;
        this.clusters = clusters;
    }

    /** Starts over on a new plan: no unit installed yet, only the ports that need no route. */
    void reset(GatewayPlan plan) {
        this.plan = plan;
        tables.clear();
        ports.clear();
        ports.putAll(plan.units().fixedPorts());
        secretsByUnit.clear();
        listenerStatus.clear();
        portList = null;
        tableList = null;
        clusterList = null;
        secretList = null;
        ir = null;
        snapshot = null;
    }

    /** Puts a unit's table or port (and the port's secrets) in place. */
    void install(UnitAssembler.Built built) {
        switch (built.unit()) {
            case Unit.Table unit -> {
                if (!built.table().equals(tables.get(unit.name()))) {
                    tables.put(unit.name(), built.table());
                    tableList = null;
                }
            }
            case Unit.Port unit -> {
                putPort(unit.socket(), built.port());
                if (!built.secrets().equals(secretsByUnit.put(unit, built.secrets()))) {
                    secretList = null;
                }
            }
        }
    }

    /** The routes placed on a listener changed: its status is worked out again when asked. */
    void placementsChanged(ListenerState listener) {
        listenerStatus.remove(listener);
    }

    /** Something changed: the next snapshot is taken afresh. */
    void changed() {
        snapshot = null;
    }

    /** The proxy configuration (empty while the Gateway is not accepted). */
    GatewayIr ir() {
        if (!plan.usable()) {
            return GatewayIr.empty(gateway);
        }
        boolean changed = false;
        if (clusters.takeChanged()) {
            clusterList = null;
            secretList = null;
        }
        if (portList == null) {
            portList = List.copyOf(ports.values());
            changed = true;
        }
        if (tableList == null) {
            tableList = List.copyOf(tables.values());
            changed = true;
        }
        if (clusterList == null) {
            List<ClusterIr> list = new ArrayList<>(clusters.built().size());
            clusters.built().forEach(built -> list.add(built.cluster()));
            clusterList = List.copyOf(list);
            changed = true;
        }
        if (secretList == null) {
            secretList = secrets();
            changed = true;
        }
        if (ir == null || changed) {
            ir = new GatewayIr(gateway, portList, tableList, clusterList, secretList);
        }
        return ir;
    }

    /** The whole translation as an immutable value (status of every object involved, and the IR), or null. */
    GatewayTranslation snapshot() {
        if (!plan.ours()) {
            return null;
        }
        if (snapshot == null) {
            snapshot = new GatewayTranslation(
                    gateway,
                    ir(),
                    gatewayStatus(),
                    listenerSetStatuses(),
                    routeParents(),
                    policyAncestors(),
                    plan.proxy(),
                    plan.exposed(),
                    certificateUses());
        }
        return snapshot;
    }

    ObjectStatusIr.GatewayStatus gatewayStatus() {
        return GatewayStatuses.gateway(plan, gateway, this::statusOf);
    }

    Map<ObjectKey, ObjectStatusIr.ListenerSetStatus> listenerSetStatuses() {
        return GatewayStatuses.listenerSets(plan, gateway, this::statusOf);
    }

    /** Status entries of one route's parents that name this Gateway or its ListenerSets. */
    List<GatewayTranslation.RouteParent> routeParents(RouteId id) {
        RouteResult result = routes.get(id);
        return result == null ? List.of() : parentsOf(result);
    }

    private void putPort(String socket, PortIr port) {
        PortIr before = ports.get(socket);
        if (port == null ? before != null : !port.equals(before)) {
            if (port == null) {
                ports.remove(socket);
            } else {
                ports.put(socket, port);
            }
            portList = null;
        }
    }

    /** The certificates the ports serve and the CAs the clusters validate with, by name. */
    private List<SecretIr> secrets() {
        Set<String> secretNames = new TreeSet<>();
        secretsByUnit.values().forEach(secretNames::addAll);
        Map<String, SecretIr> all = new TreeMap<>();
        for (String name : secretNames) {
            SecretIr certificate = plan.certificates().get(name);
            if (certificate != null) {
                all.put(name, certificate);
            }
        }
        for (ClusterBuilder.Built built : clusters.built()) {
            if (built.caSecret() != null) {
                all.put(built.caSecret().name(), built.caSecret());
            }
        }
        return List.copyOf(all.values());
    }

    /**
     * The certificates served listeners serve and validate clients with, and the CAs of the BackendTLSPolicies
     * their routes' backends use, each once per owner and listener.
     */
    private List<CertificateUse> certificateUses() {
        Set<CertificateUse> uses = new LinkedHashSet<>();
        if (plan.usable()) {
            for (ListenerState listener : plan.listeners()) {
                if (listener.programmable()) {
                    uses.addAll(listener.certificateUses);
                }
            }
        }
        for (RouteId id : routes.withPolicies()) {
            for (BackendResolver.PolicyUse use : routes.get(id).policyUses()) {
                BackendTlsPolicies.Evaluation evaluation = use.evaluation();
                if (evaluation.valid()) {
                    ObjectKey policy = ObjectKey.of(evaluation.policy());
                    evaluation
                            .caWindows()
                            .forEach((configMap, window) -> uses.add(new CertificateUse(
                                    CertificateUse.Use.BACKEND_CA,
                                    Kinds.BACKEND_TLS_POLICY,
                                    policy,
                                    null,
                                    Kinds.CONFIG_MAP,
                                    configMap,
                                    window.notBefore(),
                                    window.notAfter())));
                }
            }
        }
        return List.copyOf(uses);
    }

    /**
     * A route's parent status entries, each with {@link L4RouteServing}'s condition where a TCP or UDP listener it
     * attached to serves an older route instead. Worked out when asked: it depends on the other routes there.
     */
    private List<GatewayTranslation.RouteParent> parentsOf(RouteResult result) {
        if (result.oneRouteListeners().isEmpty() || result.placed().isEmpty()) {
            return result.parents();
        }
        PlacementKey route = result.placed().getFirst().placement().order();
        List<GatewayTranslation.RouteParent> parents =
                new ArrayList<>(result.parents().size());
        for (int i = 0; i < result.parents().size(); i++) {
            GatewayTranslation.RouteParent parent = result.parents().get(i);
            ConditionIr notServed = null;
            for (ListenerState listener : result.oneRouteListeners().get(i)) {
                notServed = L4RouteServing.notServed(
                        listener,
                        route,
                        routes.servedOn(listener),
                        parent.status().conditions().getFirst().observedGeneration());
                if (notServed != null) {
                    break;
                }
            }
            if (notServed == null) {
                parents.add(parent);
            } else {
                List<ConditionIr> conditions = new ArrayList<>(parent.status().conditions());
                conditions.add(notServed);
                parents.add(new GatewayTranslation.RouteParent(
                        parent.routeKind(),
                        parent.route(),
                        parent.parentIndex(),
                        new RouteParentStatusIr(
                                parent.status().parentRef(), parent.status().controllerName(), conditions)));
            }
        }
        return parents;
    }

    private List<GatewayTranslation.RouteParent> routeParents() {
        List<GatewayTranslation.RouteParent> all = new ArrayList<>(routes.size());
        for (RouteId id : routes.inOrder()) {
            all.addAll(parentsOf(routes.get(id)));
        }
        return all;
    }

    private ListenerStatusIr statusOf(ListenerState listener) {
        return listenerStatus.computeIfAbsent(
                listener, l -> GatewayStatuses.listener(plan, gateway, l, routes.attachedTo(l)));
    }

    private Map<ObjectKey, PolicyAncestorStatusIr> policyAncestors() {
        Set<RouteId> withPolicies = routes.withPolicies();
        List<List<BackendResolver.PolicyUse>> uses = new ArrayList<>(withPolicies.size());
        for (RouteId id : withPolicies) {
            uses.add(routes.get(id).policyUses());
        }
        return GatewayStatuses.policyAncestors(gateway, controllerName, uses);
    }
}
