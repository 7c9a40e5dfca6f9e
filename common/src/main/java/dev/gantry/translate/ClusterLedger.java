package dev.gantry.translate;

import dev.gantry.runtime.Parallel;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Dependency;
import dev.gantry.view.RecordingView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The upstream clusters of one Gateway's translation: how many units use each, the key each is built from, the
 * cluster built and what building it read. A cluster is built when its first user comes, dropped when its last
 * goes, and rebuilt when something it read changes; its reads are counted in the translation's {@link ReadLedger}.
 * Not thread-safe, apart from the side-by-side builds of {@link #useAll}.
 */
final class ClusterLedger {

    /**
     * A cluster built from the view, with what building it read (null built: it cannot be built, e.g. its Service is
     * gone).
     */
    private record Build(ClusterBuilder.Built built, Set<Dependency> reads) {}

    private final ReadLedger reads;
    private final Map<String, Integer> users = new HashMap<>();
    private final Map<String, ClusterKey> keys = new HashMap<>();
    private final Map<String, ClusterBuilder.Built> clusters = new TreeMap<>();
    private final Map<String, Set<Dependency>> readsOf = new HashMap<>();
    private final Map<Dependency, Set<String>> byRead = new HashMap<>();
    /** Whether a cluster was built, changed or dropped since {@link #takeChanged}. */
    private boolean changed;

    ClusterLedger(ReadLedger reads) {
        this.reads = reads;
    }

    /** Remembers what a cluster is built from (routes resolve the keys, units name the clusters). */
    void key(ClusterKey key) {
        keys.put(key.name(), key);
    }

    /** Every cluster counted at once with its users, built side by side: a full translation, where all are new. */
    void useAll(ClusterView view, Map<String, Integer> uses, int parallelism) {
        users.putAll(uses);
        List<String> names = new ArrayList<>(uses.keySet());
        Build[] built = new Build[names.size()];
        Parallel.forEachIndex(names.size(), parallelism, i -> built[i] = compute(view, names.get(i)));
        for (int i = 0; i < names.size(); i++) {
            install(names.get(i), built[i]);
        }
    }

    /** One more user of a cluster; the first builds it. */
    void use(ClusterView view, String name) {
        if (users.merge(name, 1, Integer::sum) == 1) {
            install(name, compute(view, name));
        }
    }

    /** One user fewer; the last drops it. */
    void release(String name) {
        if (users.merge(name, -1, Integer::sum) == 0) {
            users.remove(name);
            drop(name);
        }
    }

    /** The clusters built from a read, or null. */
    Set<String> builtFrom(Dependency read) {
        return byRead.get(read);
    }

    /** Builds a cluster in use again (something it read changed); a cluster no longer in use is left alone. */
    void rebuild(ClusterView view, String name) {
        if (clusters.containsKey(name)) {
            install(name, compute(view, name));
        }
    }

    Collection<ClusterBuilder.Built> built() {
        return clusters.values();
    }

    /** Whether a cluster was built, changed or dropped since the last call. */
    boolean takeChanged() {
        boolean was = changed;
        changed = false;
        return was;
    }

    void clear() {
        users.clear();
        keys.clear();
        clusters.clear();
        readsOf.clear();
        byRead.clear();
        changed = true;
    }

    /** Reads shared state only, so clusters can be built side by side. */
    private Build compute(ClusterView view, String name) {
        RecordingView recording = new RecordingView(view);
        ClusterBuilder.Built built = ClusterBuilder.build(recording, keys.get(name));
        return new Build(built, Set.copyOf(recording.reads()));
    }

    private void install(String name, Build build) {
        ClusterBuilder.Built before = clusters.remove(name);
        forgetReads(name);
        ClusterBuilder.Built built = build.built();
        readsOf.put(name, build.reads());
        for (Dependency read : build.reads()) {
            byRead.computeIfAbsent(read, k -> new HashSet<>()).add(name);
            reads.count(read);
        }
        if (built != null) {
            // Keep the old instance when nothing changed, so its Envoy resources are reused as they are.
            clusters.put(name, built.equals(before) ? before : built);
        }
        if (built == null ? before != null : !built.equals(before)) {
            changed = true;
        }
    }

    private void drop(String name) {
        if (clusters.remove(name) != null) {
            changed = true;
        }
        forgetReads(name);
    }

    private void forgetReads(String name) {
        Set<Dependency> builtFrom = readsOf.remove(name);
        if (builtFrom != null) {
            for (Dependency read : builtFrom) {
                Set<String> clustersOfRead = byRead.get(read);
                clustersOfRead.remove(name);
                if (clustersOfRead.isEmpty()) {
                    byRead.remove(read);
                }
                reads.uncount(read);
            }
        }
    }
}
