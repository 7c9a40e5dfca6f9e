package dev.gantry.translate;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.runtime.Parallel;
import dev.gantry.translate.RouteTables.Placement;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Dependency;
import dev.gantry.view.Indexes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parallel part of a Gateway's full translation: finding the routes that name its parents, translating them in
 * chunks of neighbours side by side, and merging what the chunks gathered into the engine's indexes. Routes
 * translate independently of each other, so a cold start spreads them over the cores; none of it depends on the
 * order the pieces finish in (placements are ordered by precedence, reads are sets).
 */
final class ColdStart {

    /** A unit holds the routes of a listener or more: fewer of them are worth spreading than of routes. */
    static final int UNITS_IN_PARALLEL = 32;

    /** Neighbouring routes translated by one thread, in a full translation. */
    private static final int ROUTES_PER_CHUNK = 256;

    /**
     * Each chunk keeps its reads apart by hash in this many groups, so that the reads of all chunks are merged group
     * by group, side by side (a power of two).
     */
    private static final int READ_GROUPS = 16;

    /** What the routes of one chunk feed into, gathered by listener and by read. */
    static final class RouteChunk {
        final Map<ListenerState, List<Placement>> placed = new IdentityHashMap<>();
        /** The routes that made each read, by {@link #readGroup}. */
        @SuppressWarnings("unchecked") // an array of maps
        final Map<Dependency, List<RouteId>>[] readers = new Map[READ_GROUPS];

        final List<RouteId> withPolicies = new ArrayList<>(0);

        RouteChunk() {
            for (int g = 0; g < READ_GROUPS; g++) {
                readers[g] = new HashMap<>();
            }
        }

        void add(RouteId id, RouteResult result) {
            for (RouteAttachment.Placed on : result.placed()) {
                placed.computeIfAbsent(on.listener(), k -> new ArrayList<>()).add(on.placement());
            }
            for (Dependency read : result.reads()) {
                readers[readGroup(read)]
                        .computeIfAbsent(read, k -> new ArrayList<>())
                        .add(id);
            }
            if (!result.policyUses().isEmpty()) {
                withPolicies.add(id);
            }
        }
    }

    private static int readGroup(Dependency read) {
        int h = read.hashCode();
        return (h ^ (h >>> 16)) & (READ_GROUPS - 1);
    }

    /**
     * One instance of each read and cluster key, and one resolution of each backend reference, shared by the routes
     * of a full translation. Routes are translated side by side, each making its own equal copies; indexing tens of
     * thousands of copies afterwards would compare their strings character by character, where one instance
     * compares by identity.
     */
    static final class Canonical {
        private final ConcurrentHashMap<Dependency, Dependency> reads = new ConcurrentHashMap<>();
        final ConcurrentHashMap<ClusterSpec, ClusterKey> clusters = new ConcurrentHashMap<>();
        /** Backend references resolved once per translation, answering every route that names them. */
        final BackendResolver.Shared backends;

        Canonical(ClusterView view) {
            backends = new BackendResolver.Shared(view, this::read, this::cluster);
        }

        private record ClusterSpec(ObjectKey service, int port, boolean udp, boolean forceHttp2) {}

        Dependency read(Dependency read) {
            Dependency kept = reads.putIfAbsent(read, read);
            return kept == null ? read : kept;
        }

        ClusterKey cluster(ObjectKey service, int port, boolean udp, boolean forceHttp2) {
            ClusterSpec spec = new ClusterSpec(service, port, udp, forceHttp2);
            ClusterKey kept = clusters.get(spec);
            return kept != null
                    ? kept
                    : clusters.computeIfAbsent(spec, s -> ClusterKey.of(service, port, udp, forceHttp2));
        }
    }

    private ColdStart() {}

    /**
     * Routes naming this Gateway or one of its ListenerSets, in parent order (the routes of one listener one after
     * another), gathered parent by parent side by side: tens of thousands of index lookups at scale. Adds the
     * index reads to {@code membership}.
     */
    @SuppressWarnings("unchecked") // arrays of lists
    static FoundRoutes findRoutes(ClusterView view, Set<String> parentKeys, List<Dependency.IndexRead> membership) {
        List<Kind<?>> kindOf = new ArrayList<>();
        for (Kind<?> kind : Kinds.ROUTES) {
            for (String parentKey : parentKeys) {
                membership.add(Dependency.index(Indexes.routesByParent(kind), parentKey));
                kindOf.add(kind);
            }
        }
        List<RouteId>[] idsByParent = new List[membership.size()];
        List<HasMetadata>[] routesByParent = new List[membership.size()];
        Parallel.forEachIndex(membership.size(), i -> {
            Kind<?> kind = kindOf.get(i);
            List<RouteId> ids = new ArrayList<>();
            List<HasMetadata> here = new ArrayList<>();
            // The index holds the routes with their keys: no lookup by key per route.
            view.byIndexWithKeys(Indexes.routesByParent(kind), membership.get(i).key())
                    .forEach((key, route) -> {
                        ids.add(new RouteId(kind, key));
                        here.add(route);
                    });
            idsByParent[i] = ids;
            routesByParent[i] = here;
        });
        List<RouteId> ids = new ArrayList<>();
        List<HasMetadata> routes = new ArrayList<>();
        for (int i = 0; i < idsByParent.length; i++) {
            ids.addAll(idsByParent[i]);
            routes.addAll(routesByParent[i]);
        }
        return new FoundRoutes(ids, routes);
    }

    /** Routes found by {@link #findRoutes}: each id with its object at the same position. */
    record FoundRoutes(List<RouteId> ids, List<HasMetadata> routes) {
        int size() {
            return ids.size();
        }
    }

    /** Translates one route of a full translation, sharing reads, cluster keys and resolutions through canonical. */
    @FunctionalInterface
    interface RouteTranslation {
        RouteResult translate(RouteId id, HasMetadata route, Canonical canonical);
    }

    /**
     * The routes of a full translation.
     *
     * @param routes every route translated (the map the engine keeps)
     * @param chunks what each chunk of neighbours gathered, for {@link #index}
     * @param clusterKeys one instance of each cluster key the routes resolved
     */
    record Translated(Map<RouteId, RouteResult> routes, RouteChunk[] chunks, Collection<ClusterKey> clusterKeys) {}

    /** Translates routes in chunks of neighbours, side by side; each chunk gathers its placements and reads. */
    static Translated translateRoutes(ClusterView view, FoundRoutes found, RouteTranslation translation) {
        Canonical canonical = new Canonical(view);
        Map<RouteId, RouteResult> routes = new ConcurrentHashMap<>(Math.max(16, found.size()));
        int chunkCount = (found.size() + ROUTES_PER_CHUNK - 1) / ROUTES_PER_CHUNK;
        RouteChunk[] chunks = new RouteChunk[chunkCount];
        Parallel.forEachIndex(chunkCount, found.size() < Parallel.THRESHOLD ? Integer.MAX_VALUE : 2, c -> {
            RouteChunk chunk = new RouteChunk();
            for (int i = c * ROUTES_PER_CHUNK; i < Math.min(found.size(), (c + 1) * ROUTES_PER_CHUNK); i++) {
                RouteId id = found.ids().get(i);
                RouteResult result = translation.translate(id, found.routes().get(i), canonical);
                // A route naming several of these parents is found once per parent: the first to finish places it.
                if (result != null && routes.putIfAbsent(id, result) == null) {
                    chunk.add(id, result);
                }
            }
            chunks[c] = chunk;
        });
        return new Translated(routes, chunks, canonical.clusters.values());
    }

    /**
     * Merges what the chunks gathered per read and per listener, each read and listener apart from the others, into
     * the engine's indexes. Returns the distinct reads the routes made, for the caller to count.
     *
     * @param routesByRead receives the routes that made each read (written side by side: a concurrent map)
     * @param placements receives each listener's placements, in precedence order
     * @param routesWithPolicies receives the routes whose backends met a BackendTLSPolicy
     */
    static List<List<Dependency>> index(
            RouteChunk[] chunks,
            Map<Dependency, Set<RouteId>> routesByRead,
            Map<ListenerState, ListenerPlacements> placements,
            Set<RouteId> routesWithPolicies) {
        Map<ListenerState, List<List<Placement>>> placedOn = new IdentityHashMap<>();
        for (RouteChunk chunk : chunks) {
            chunk.placed.forEach((listener, on) ->
                    placedOn.computeIfAbsent(listener, k -> new ArrayList<>()).add(on));
            routesWithPolicies.addAll(chunk.withPolicies);
        }
        @SuppressWarnings("unchecked") // an array of lists
        List<Dependency>[] readsByGroup = new List[READ_GROUPS];
        Parallel.forEachIndex(READ_GROUPS, chunks.length > 1 ? 2 : Integer.MAX_VALUE, g -> {
            Map<Dependency, List<List<RouteId>>> readersByRead = new HashMap<>();
            for (RouteChunk chunk : chunks) {
                chunk.readers[g].forEach((read, ids) -> readersByRead
                        .computeIfAbsent(read, k -> new ArrayList<>(2))
                        .add(ids));
            }
            List<Dependency> reads = new ArrayList<>(readersByRead.size());
            readersByRead.forEach((read, lists) -> {
                int size = 0;
                for (List<RouteId> ids : lists) {
                    size += ids.size();
                }
                Set<RouteId> readers = HashSet.newHashSet(size);
                lists.forEach(readers::addAll);
                routesByRead.put(read, readers);
                reads.add(read);
            });
            readsByGroup[g] = reads;
        });
        // Each listener's placements are put in precedence order.
        List<ListenerState> placedListeners = new ArrayList<>(placedOn.keySet());
        List<ListenerPlacements> ordered = Parallel.map(
                placedListeners, UNITS_IN_PARALLEL, listener -> ListenerPlacements.of(placedOn.get(listener)));
        for (int i = 0; i < placedListeners.size(); i++) {
            placements.put(placedListeners.get(i), ordered.get(i));
        }
        return Arrays.asList(readsByGroup);
    }
}
