package dev.gantry.translate;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.translate.RouteTables.Placement;
import dev.gantry.translate.RouteTables.PlacementKey;
import dev.gantry.view.Dependency;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes of one Gateway's translation: each route's result, where it is placed (each listener's placements in
 * precedence order), which routes made each read (a read is counted once in the translation's {@link ReadLedger}
 * however many routes make it), the routes whose backends met a BackendTLSPolicy, and the route each TCP or UDP
 * listener serves before the placements an update touches change (see {@link L4RouteServing}). Not thread-safe: the
 * engine's thread only.
 */
final class RouteLedger {

    /** Past this many retranslated routes, sorting every route again costs less than a binary search for each. */
    private static final int ORDER_PENDING_LIMIT = 64;

    private final ReadLedger reads;
    private Map<RouteId, RouteResult> routes = new HashMap<>();
    /** Route ids in order, for status listings; null until sorted after a full translation. */
    private ArrayList<RouteId> ordered;
    /**
     * Routes retranslated since {@link #ordered} was last brought up to date: a one-route change then costs a binary
     * search, not a sort of every route.
     */
    private final Set<RouteId> orderPending = new HashSet<>();

    private final Set<RouteId> withPolicies = new TreeSet<>();
    /** Written side by side by a full translation's merge: a concurrent map. */
    private final Map<Dependency, Set<RouteId>> readers = new ConcurrentHashMap<>();

    private final Map<ListenerState, ListenerPlacements> placements = new IdentityHashMap<>();
    /** The route each TCP or UDP listener served (null: none) before the placements changed since the last take. */
    private final Map<ListenerState, PlacementKey> servedBefore = new IdentityHashMap<>();

    RouteLedger(ReadLedger reads) {
        this.reads = reads;
    }

    /**
     * Takes on the routes of a full translation, merging what its chunks gathered. Returns the distinct reads the
     * routes made, for the caller to count with the Gateway's own reads (all at once: see {@link ReadLedger#reserve}).
     */
    List<List<Dependency>> adopt(ColdStart.Translated translated) {
        routes = translated.routes();
        return ColdStart.index(translated.chunks(), readers, placements, withPolicies);
    }

    /** Records a translated route: its placements, and the reads it made (counting those no other route makes). */
    void place(RouteId id, RouteResult result) {
        routes.put(id, result);
        orderChanged(id);
        if (!result.policyUses().isEmpty()) {
            withPolicies.add(id);
        }
        for (RouteAttachment.Placed placed : result.placed()) {
            noteServed(placed.listener());
            placements
                    .computeIfAbsent(placed.listener(), k -> ListenerPlacements.empty())
                    .put(placed.placement());
        }
        for (Dependency read : result.reads()) {
            Set<RouteId> made = readers.get(read);
            if (made == null) {
                made = new HashSet<>();
                readers.put(read, made);
                reads.count(read);
            }
            made.add(id);
        }
    }

    /** Forgets a route: its placements, and the reads only it made. Returns what it was, or null. */
    RouteResult remove(RouteId id) {
        RouteResult previous = routes.remove(id);
        withPolicies.remove(id);
        orderChanged(id);
        if (previous == null) {
            return null;
        }
        for (RouteAttachment.Placed placed : previous.placed()) {
            noteServed(placed.listener());
            ListenerPlacements onListener = placements.get(placed.listener());
            onListener.remove(placed.placement().order());
            if (onListener.isEmpty()) {
                placements.remove(placed.listener());
            }
        }
        for (Dependency read : previous.reads()) {
            Set<RouteId> made = readers.get(read);
            made.remove(id);
            if (made.isEmpty()) {
                readers.remove(read);
                reads.uncount(read);
            }
        }
        return previous;
    }

    RouteResult get(RouteId id) {
        return routes.get(id);
    }

    int size() {
        return routes.size();
    }

    /** The routes that made a read, or null. */
    Set<RouteId> readersOf(Dependency read) {
        return readers.get(read);
    }

    /** The routes whose backends met a BackendTLSPolicy, in order. */
    Set<RouteId> withPolicies() {
        return Collections.unmodifiableSet(withPolicies);
    }

    /** Every route id in order; a view, valid until the next change. */
    List<RouteId> inOrder() {
        if (ordered == null) {
            ArrayList<RouteId> ids = new ArrayList<>(routes.keySet());
            Collections.sort(ids);
            ordered = ids;
        } else {
            for (RouteId id : orderPending) {
                int at = Collections.binarySearch(ordered, id);
                boolean present = routes.containsKey(id);
                if (present && at < 0) {
                    ordered.add(-at - 1, id);
                } else if (!present && at >= 0) {
                    ordered.remove(at);
                }
            }
        }
        orderPending.clear();
        return Collections.unmodifiableList(ordered);
    }

    /** The placements on a listener in precedence order; a view, valid until the next change. */
    Collection<Placement> placementsOn(ListenerState listener) {
        ListenerPlacements onListener = placements.get(listener);
        return onListener == null ? List.of() : onListener.inOrder();
    }

    /** How many routes are placed on a listener. */
    int attachedTo(ListenerState listener) {
        ListenerPlacements onListener = placements.get(listener);
        return onListener == null ? 0 : onListener.size();
    }

    /** The route served on a listener, the first placed (null: none): what a TCP or UDP listener forwards to. */
    PlacementKey servedOn(ListenerState listener) {
        ListenerPlacements onListener = placements.get(listener);
        return onListener == null || onListener.isEmpty()
                ? null
                : onListener.inOrder().getFirst().order();
    }

    /**
     * Adds to {@code changed} the routes that started or stopped being served on a TCP or UDP listener since the last
     * call (or {@link #forgetServed}), and starts over.
     */
    void takeServedChanges(Set<RouteId> changed) {
        for (Map.Entry<ListenerState, PlacementKey> entry : servedBefore.entrySet()) {
            PlacementKey now = servedOn(entry.getKey());
            if (!Objects.equals(entry.getValue(), now)) {
                addRoute(changed, entry.getValue());
                addRoute(changed, now);
            }
        }
        servedBefore.clear();
    }

    /** Starts tracking served routes over (a full translation reports no changed routes). */
    void forgetServed() {
        servedBefore.clear();
    }

    void clear() {
        routes.clear();
        ordered = null;
        orderPending.clear();
        withPolicies.clear();
        readers.clear();
        placements.clear();
        servedBefore.clear();
    }

    /** A route came or went: the ordered ids learn it when next asked (already pending after a remove: no cost). */
    private void orderChanged(RouteId id) {
        if (ordered != null && orderPending.size() >= ORDER_PENDING_LIMIT) {
            ordered = null;
            orderPending.clear();
        } else if (ordered != null) {
            orderPending.add(id);
        }
    }

    private void noteServed(ListenerState listener) {
        if (L4RouteServing.servesOneRoute(listener) && !servedBefore.containsKey(listener)) {
            servedBefore.put(listener, servedOn(listener));
        }
    }

    private static void addRoute(Set<RouteId> into, PlacementKey served) {
        if (served != null) {
            Kind<?> kind = Kinds.ROUTES.get(served.kind());
            into.add(new RouteId(kind, served.key()));
        }
    }
}
