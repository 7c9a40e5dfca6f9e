package dev.gantry.translate;

import dev.gantry.view.Dependency;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The reads one Gateway's translation rests on, counted (several routes, units and clusters may read the same
 * object), and which reads came and went since the last outcome: what the dependency index of the controller or the
 * shard must learn. Not thread-safe: the engine's thread only.
 */
final class ReadLedger {

    /** Reads the translation makes now and did not before, and those it no longer makes. */
    record Delta(Set<Dependency> added, Set<Dependency> removed) {}

    /** Replaced, not cleared, by a full translation, which compares the reads it made with the ones before. */
    private Map<Dependency, Integer> counts = new HashMap<>();

    private final Set<Dependency> added = new HashSet<>();
    private final Set<Dependency> removed = new HashSet<>();
    /** The reads before a full translation; null outside one (changes are then tracked read by read). */
    private Set<Dependency> before;

    Set<Dependency> reads() {
        return Collections.unmodifiableSet(counts.keySet());
    }

    /** A full translation starts: counting starts afresh, and its delta compares with the reads before. */
    void startFull() {
        before = counts.keySet();
        counts = new HashMap<>();
    }

    /** Makes room for this many more reads at once: tens of thousands would otherwise grow the map several times. */
    void reserve(int more) {
        HashMap<Dependency, Integer> sized = HashMap.newHashMap(counts.size() + more);
        sized.putAll(counts);
        counts = sized;
    }

    void count(Dependency read) {
        if (counts.merge(read, 1, Integer::sum) == 1 && before == null && !removed.remove(read)) {
            added.add(read);
        }
    }

    void uncount(Dependency read) {
        Integer count = counts.get(read);
        if (count == null) {
            return;
        }
        if (count == 1) {
            counts.remove(read);
            if (before == null && !added.remove(read)) {
                removed.add(read);
            }
        } else {
            counts.put(read, count - 1);
        }
    }

    /** The reads added and removed since the last delta (or since the full translation started), and starts over. */
    Delta finish() {
        Set<Dependency> readsAdded;
        Set<Dependency> readsRemoved;
        if (before != null) {
            // Looked up rather than copied and removed: a retranslation of tens of thousands of reads mostly finds the
            // same ones again.
            readsAdded = new HashSet<>();
            for (Dependency read : counts.keySet()) {
                if (!before.contains(read)) {
                    readsAdded.add(read);
                }
            }
            readsRemoved = new HashSet<>();
            for (Dependency read : before) {
                if (!counts.containsKey(read)) {
                    readsRemoved.add(read);
                }
            }
        } else {
            readsAdded = new HashSet<>(added);
            readsRemoved = new HashSet<>(removed);
        }
        added.clear();
        removed.clear();
        before = null;
        return new Delta(readsAdded, readsRemoved);
    }

    /** A full translation that threw: back to tracking read by read (the engine starts over on the next change). */
    void abandonFull() {
        before = null;
    }
}
