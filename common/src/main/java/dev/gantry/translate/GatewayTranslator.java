package dev.gantry.translate;

import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.Routes;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.runtime.Parallel;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.RouteParentStatusIr;
import dev.gantry.translate.RouteTables.PlacementKey;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Dependency;
import dev.gantry.view.DependencyIndex;
import dev.gantry.view.RecordingView;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The translation of one Gateway, kept up to date in place.
 *
 * <p>{@link #translate} computes everything from the view. {@link #update} applies a batch of changes: a change
 * to what shapes the listeners (the Gateway, its class, its ListenerSets, their certificates, parameters, the
 * proxy Service) redoes everything; any other change redoes only the routes whose translation read the changed
 * object, the route tables and chains those routes are placed in, and the clusters built from it. Every read
 * goes through a {@link RecordingView}, so what depends on what is recorded, not declared. Both paths give the
 * same result; a property test holds them to it.
 *
 * <p>Not thread-safe: one translation thread owns it. A full translation of a large Gateway spreads its routes,
 * route tables and clusters over the common fork-join pool ({@link Parallel}) and returns when all are done; an
 * update stays on the calling thread.
 */
public final class GatewayTranslator {

    /**
     * What an update did.
     *
     * @param ours whether the Gateway exists and is of a class Gantry serves
     * @param full whether everything was recomputed
     * @param changedRoutes routes whose status or placement may have changed (after an update; a full translation
     *     may have changed any, and leaves this empty)
     * @param readsAdded reads the translation makes now and did not before
     * @param readsRemoved reads the translation no longer makes
     */
    public record Outcome(
            boolean ours,
            boolean full,
            Set<RouteId> changedRoutes,
            Set<Dependency> readsAdded,
            Set<Dependency> readsRemoved) {}

    private static final List<Kind<?>> ROUTE_KINDS = Kinds.ROUTES;

    private final TranslatorConfig config;
    private final ObjectKey key;
    // --- structural state: rebuilt by translate() ---
    /** The Gateway-level phase's result: listeners, parents, units, and what the statuses say of the Gateway. */
    private GatewayPlan plan = GatewayPlan.NOT_OURS;
    /** The index keys of the plan's parents, as the route indexes are keyed. */
    private Set<String> parentKeys = Set.of();

    private RouteAttacher attacher;
    private Set<Dependency> structuralReads = Set.of();
    private Set<Dependency> membershipReads = Set.of();

    // --- assembly ---
    private final Map<String, RouteTableIr> tables = new TreeMap<>();
    private final Map<String, PortIr> ports = new TreeMap<>();
    private final Map<Unit, Set<String>> clustersByUnit = new HashMap<>();
    private final Map<Unit, Set<String>> secretsByUnit = new HashMap<>();

    // --- reads (counted: several parts may read the same object) ---
    private final ReadLedger reads = new ReadLedger();
    private final RouteLedger routes = new RouteLedger(reads);
    private final ClusterLedger clusters = new ClusterLedger(reads);

    // --- derived, built on demand ---
    private final Map<ListenerState, ListenerStatusIr> listenerStatus = new IdentityHashMap<>();
    /** The IR lists, kept as the same instances while their type is unchanged (cheap reuse downstream). */
    private List<PortIr> portList;

    private List<RouteTableIr> tableList;
    private List<ClusterIr> clusterList;
    private List<SecretIr> secretList;
    private GatewayIr ir;
    private GatewayTranslation snapshot;

    public GatewayTranslator(TranslatorConfig config, ObjectKey gateway) {
        this.config = config;
        this.key = gateway;
    }

    public ObjectKey gateway() {
        return key;
    }

    public boolean ours() {
        return plan.ours();
    }

    /** Every read the current translation rests on. */
    public Set<Dependency> reads() {
        return reads.reads();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Full translation

    /** Translates from scratch. */
    public Outcome translate(ClusterView view) {
        try {
            return translateAll(view);
        } finally {
            reads.abandonFull();
        }
    }

    private Outcome translateAll(ClusterView view) {
        clear();
        reads.startFull();
        RecordingView structural = new RecordingView(view);
        if (!adopt(GatewayPlanner.plan(structural, key, config))) {
            structuralReads = Set.copyOf(structural.reads());
            structuralReads.forEach(reads::count);
            return finish(true, Set.of());
        }
        List<Dependency> membership = new ArrayList<>();
        ColdStart.FoundRoutes found = ColdStart.findRoutes(view, parentKeys, membership);
        structuralReads = Set.copyOf(structural.reads());
        membershipReads = Set.copyOf(membership);
        ColdStart.Translated translated = ColdStart.translateRoutes(
                view, found, (id, route, canonical) -> translateFresh(view, id, route, canonical));
        List<List<Dependency>> routeReads = routes.adopt(translated);
        translated.clusterKeys().forEach(clusters::key);
        int readCount = structuralReads.size() + membershipReads.size();
        for (List<Dependency> made : routeReads) {
            readCount += made.size();
        }
        reads.reserve(readCount);
        structuralReads.forEach(reads::count);
        membershipReads.forEach(reads::count);
        for (List<Dependency> made : routeReads) {
            made.forEach(reads::count);
        }
        if (plan.usable()) {
            buildAllUnits(view);
        }
        return finish(true, Set.of());
    }

    /**
     * Builds every unit side by side, then the clusters they use: every cluster is new, so the units count their
     * uses as they are built, and each cluster is built once.
     */
    private void buildAllUnits(ClusterView view) {
        List<Unit> units = new ArrayList<>(new TreeSet<>(plan.units().members().keySet()));
        UnitAssembler.Built[] built = new UnitAssembler.Built[units.size()];
        ConcurrentHashMap<String, Integer> uses = new ConcurrentHashMap<>();
        Parallel.forEachIndex(units.size(), ColdStart.UNITS_IN_PARALLEL, i -> {
            UnitAssembler.Built unit = buildUnit(units.get(i));
            if (unit != null) {
                unit.used().forEach(cluster -> uses.merge(cluster, 1, Integer::sum));
            }
            built[i] = unit;
        });
        for (UnitAssembler.Built unit : built) {
            if (unit != null) {
                installUnitContent(unit);
                clustersByUnit.put(unit.unit(), unit.used());
            }
        }
        clusters.useAll(view, uses, ColdStart.UNITS_IN_PARALLEL);
    }

    private void clear() {
        plan = GatewayPlan.NOT_OURS;
        parentKeys = Set.of();
        attacher = null;
        structuralReads = Set.of();
        membershipReads = Set.of();
        routes.clear();
        tables.clear();
        ports.clear();
        clustersByUnit.clear();
        secretsByUnit.clear();
        clusters.clear();
        listenerStatus.clear();
        portList = null;
        tableList = null;
        clusterList = null;
        secretList = null;
    }

    /** Takes on the Gateway-level phase's plan; returns whether the Gateway is Gantry's. */
    private boolean adopt(GatewayPlan plan) {
        if (!plan.ours()) {
            return false;
        }
        this.plan = plan;
        attacher = new RouteAttacher(plan.owners());
        Set<String> keys = new HashSet<>();
        plan.parents().forEach(p -> keys.add(p.indexKey()));
        parentKeys = keys;
        ports.putAll(plan.units().fixedPorts());
        return true;
    }

    private Outcome finish(boolean full, Set<RouteId> changedRoutes) {
        snapshot = null;
        routes.forgetServed();
        ReadLedger.Delta delta = reads.finish();
        return new Outcome(
                plan.ours(), full, Collections.unmodifiableSet(changedRoutes), delta.added(), delta.removed());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Incremental update

    /** Applies a batch of changes; falls back to {@link #translate} when the listeners themselves may change. */
    public Outcome update(ClusterView view, Collection<Change> changes) {
        if (!plan.ours()) {
            return translate(view);
        }
        Set<RouteId> redo = new TreeSet<>();
        Set<String> rebuildClusters = new TreeSet<>();
        for (Change change : changes) {
            Set<Dependency> touched = DependencyIndex.touchedBy(change);
            for (Dependency dependency : touched) {
                if (structuralReads.contains(dependency)) {
                    return translate(view);
                }
            }
            if (ROUTE_KINDS.contains(change.kind())) {
                for (Dependency dependency : touched) {
                    if (membershipReads.contains(dependency)) {
                        redo.add(new RouteId(change.kind(), change.key()));
                        break;
                    }
                }
            }
            for (Dependency dependency : touched) {
                Set<RouteId> readers = routes.readersOf(dependency);
                if (readers != null) {
                    redo.addAll(readers);
                }
                Set<String> builtFrom = clusters.builtFrom(dependency);
                if (builtFrom != null) {
                    rebuildClusters.addAll(builtFrom);
                }
            }
        }
        Set<Unit> dirtyUnits = new TreeSet<>();
        for (RouteId id : redo) {
            redoRoute(view, id, dirtyUnits);
        }
        if (plan.usable()) {
            for (Unit unit : dirtyUnits) {
                rebuildUnit(view, unit);
            }
            for (String cluster : rebuildClusters) {
                clusters.rebuild(view, cluster);
            }
        }
        routes.takeServedChanges(redo);
        return finish(false, redo);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Routes

    /** Retranslates one route (or drops it), adding to {@code units} the units whose content its placements touch. */
    private void redoRoute(ClusterView view, RouteId id, Set<Unit> units) {
        RouteResult previous = routes.remove(id);
        if (previous != null) {
            placementsChanged(previous, units);
        }
        RouteResult result =
                translateFresh(view, id, view.get(id.kind(), id.key()).orElse(null), null);
        if (result != null) {
            routes.place(id, result);
            result.clusters().forEach(clusters::key);
            placementsChanged(result, units);
        }
    }

    /** The listeners a route is or was placed on have other statuses, and their units other content. */
    private void placementsChanged(RouteResult route, Set<Unit> units) {
        for (RouteAttachment.Placed placed : route.placed()) {
            listenerStatus.remove(placed.listener());
            Unit unit = plan.units().unitOf().get(placed.listener());
            if (unit != null) {
                units.add(unit);
            }
        }
    }

    /** The route's translation, or null when it is gone (null) or no longer names this Gateway or its ListenerSets. */
    private RouteResult translateFresh(ClusterView view, RouteId id, HasMetadata route, ColdStart.Canonical canonical) {
        ParentKey[] parentsHere = route == null ? null : parentsHere(route);
        return parentsHere == null ? null : translateRoute(view, id, route, parentsHere, canonical);
    }

    /**
     * The parent of each parentRef when it is this Gateway or one of its ListenerSets (null entries for the others),
     * or null when no parentRef is.
     */
    private ParentKey[] parentsHere(HasMetadata route) {
        String namespace = Metadata.namespace(route);
        List<ParentReference> refs = Routes.parentRefs(route);
        ParentKey[] here = null;
        for (int i = 0; i < refs.size(); i++) {
            ParentReference ref = refs.get(i);
            if (ref != null && ref.getName() != null) {
                ParentKey parent = Routes.parentKey(ref, namespace);
                if (plan.parents().contains(parent)) {
                    if (here == null) {
                        here = new ParentKey[refs.size()];
                    }
                    here[i] = parent;
                }
            }
        }
        return here;
    }

    private RouteResult translateRoute(
            ClusterView view, RouteId id, HasMetadata route, ParentKey[] parentsHere, ColdStart.Canonical canonical) {
        RecordingView recording =
                canonical == null ? new RecordingView(view) : new RecordingView(view, canonical::read);
        BackendResolver backends =
                canonical == null ? new BackendResolver(recording) : new BackendResolver(recording, canonical.backends);
        RouteRules rules = switch (route) {
            case HTTPRoute r -> new HttpRouteTranslator(backends).translate(r);
            case GRPCRoute r -> new GrpcRouteTranslator(backends).translate(r);
            default -> new L4RouteTranslator(backends).translate(route);
        };
        RouteAttachment.Result attached =
                RouteAttachment.attach(recording, attacher, id, route, parentsHere, rules, config.controllerName());
        return new RouteResult(
                rules,
                attached.parents(),
                attached.placed(),
                Collections.unmodifiableList(recording.reads()),
                List.copyOf(backends.policyUses()),
                Collections.unmodifiableSet(backends.resolvedClusters()),
                attached.oneRouteListeners());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Assembly

    /** Reads shared state only, so units can be built side by side. */
    private UnitAssembler.Built buildUnit(Unit unit) {
        List<ListenerState> members = plan.units().members().get(unit);
        return members == null
                ? null
                : UnitAssembler.assemble(
                        unit, members, routes::placementsOn, plan.units().httpsClaims());
    }

    private void rebuildUnit(ClusterView view, Unit unit) {
        UnitAssembler.Built built = buildUnit(unit);
        if (built != null) {
            installUnit(view, built);
        }
    }

    private void installUnit(ClusterView view, UnitAssembler.Built built) {
        installUnitContent(built);
        Unit unit = built.unit();
        Set<String> used = built.used();
        Set<String> before = clustersByUnit.getOrDefault(unit, Set.of());
        clustersByUnit.put(unit, used);
        for (String cluster : used) {
            if (!before.contains(cluster)) {
                clusters.use(view, cluster);
            }
        }
        for (String cluster : before) {
            if (!used.contains(cluster)) {
                clusters.release(cluster);
            }
        }
    }

    /** Puts a unit's table or port (and the port's secrets) in place. */
    private void installUnitContent(UnitAssembler.Built built) {
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

    // ---------------------------------------------------------------------------------------------------------
    // Results

    /** The proxy configuration (empty while the Gateway is not accepted). */
    public GatewayIr ir() {
        if (!plan.usable()) {
            return GatewayIr.empty(key);
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
            secretList = List.copyOf(all.values());
            changed = true;
        }
        if (ir == null || changed) {
            ir = new GatewayIr(key, portList, tableList, clusterList, secretList);
        }
        return ir;
    }

    /** The whole translation as an immutable value (status of every object involved, and the IR). */
    public GatewayTranslation snapshot() {
        if (!plan.ours()) {
            return null;
        }
        if (snapshot == null) {
            snapshot = new GatewayTranslation(
                    key,
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

    /** Status entries of one route's parents that name this Gateway or its ListenerSets. */
    public List<GatewayTranslation.RouteParent> routeParents(RouteId id) {
        RouteResult result = routes.get(id);
        return result == null ? List.of() : parentsOf(result);
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
                listener, l -> GatewayStatuses.listener(plan, key, l, routes.attachedTo(l)));
    }

    public ObjectStatusIr.GatewayStatus gatewayStatus() {
        return GatewayStatuses.gateway(plan, key, this::statusOf);
    }

    public Map<ObjectKey, ObjectStatusIr.ListenerSetStatus> listenerSetStatuses() {
        return GatewayStatuses.listenerSets(plan, key, this::statusOf);
    }

    private Map<ObjectKey, PolicyAncestorStatusIr> policyAncestors() {
        Set<RouteId> withPolicies = routes.withPolicies();
        List<List<BackendResolver.PolicyUse>> uses = new ArrayList<>(withPolicies.size());
        for (RouteId id : withPolicies) {
            uses.add(routes.get(id).policyUses());
        }
        return GatewayStatuses.policyAncestors(key, config.controllerName(), uses);
    }
}
