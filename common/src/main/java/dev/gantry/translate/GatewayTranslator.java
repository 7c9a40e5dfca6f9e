package dev.gantry.translate;

import dev.gantry.ir.GatewayIr;
import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.Routes;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.runtime.Parallel;
import dev.gantry.status.ObjectStatusIr;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    // --- reads (counted: several parts may read the same object) ---
    private final ReadLedger reads = new ReadLedger();
    private final RouteLedger routes = new RouteLedger(reads);
    private final ClusterLedger clusters = new ClusterLedger(reads);
    /** The clusters each unit's table or port uses: its uses of the clusters in {@link #clusters}. */
    private final Map<Unit, Set<String>> clustersByUnit = new HashMap<>();

    private final GatewayResults results;

    public GatewayTranslator(TranslatorConfig config, ObjectKey gateway) {
        this.config = config;
        this.key = gateway;
        this.results = new GatewayResults(gateway, config.controllerName(), routes, clusters);
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
        List<Dependency.IndexRead> membership = new ArrayList<>();
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
                results.install(unit);
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
        clustersByUnit.clear();
        clusters.clear();
        results.reset(plan);
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
        results.reset(plan);
        return true;
    }

    private Outcome finish(boolean full, Set<RouteId> changedRoutes) {
        results.changed();
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
            results.placementsChanged(placed.listener());
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
        results.install(built);
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

    // ---------------------------------------------------------------------------------------------------------
    // Results

    /** The proxy configuration (empty while the Gateway is not accepted). */
    public GatewayIr ir() {
        return results.ir();
    }

    /** The whole translation as an immutable value (status of every object involved, and the IR). */
    public GatewayTranslation snapshot() {
        return results.snapshot();
    }

    /** Status entries of one route's parents that name this Gateway or its ListenerSets. */
    public List<GatewayTranslation.RouteParent> routeParents(RouteId id) {
        return results.routeParents(id);
    }

    public ObjectStatusIr.GatewayStatus gatewayStatus() {
        return results.gatewayStatus();
    }

    public Map<ObjectKey, ObjectStatusIr.ListenerSetStatus> listenerSetStatuses() {
        return results.listenerSetStatuses();
    }
}
