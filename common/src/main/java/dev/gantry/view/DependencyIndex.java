package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Maps every read of every translated Gateway back to the Gateway, so that a changed object names exactly the
 * Gateways whose translation could change. Not thread-safe: owned by the thread that translates.
 */
public final class DependencyIndex {

    private final Map<Dependency, Set<ObjectKey>> gatewaysByRead = new HashMap<>();
    private final Map<ObjectKey, Set<Dependency>> readsByGateway = new HashMap<>();

    /** Replaces what a Gateway's last translation read. */
    public void record(ObjectKey gateway, Set<Dependency> reads) {
        forget(gateway);
        Set<Dependency> copy = new HashSet<>(reads);
        readsByGateway.put(gateway, copy);
        for (Dependency read : copy) {
            gatewaysByRead.computeIfAbsent(read, k -> new HashSet<>()).add(gateway);
        }
    }

    public void forget(ObjectKey gateway) {
        Set<Dependency> previous = readsByGateway.remove(gateway);
        if (previous == null) {
            return;
        }
        for (Dependency read : previous) {
            Set<ObjectKey> gateways = gatewaysByRead.get(read);
            if (gateways != null) {
                gateways.remove(gateway);
                if (gateways.isEmpty()) {
                    gatewaysByRead.remove(read);
                }
            }
        }
    }

    /** Adds and removes reads of one Gateway, as its incremental translation reports them. */
    public void update(ObjectKey gateway, Set<Dependency> added, Set<Dependency> removed) {
        Set<Dependency> reads = readsByGateway.computeIfAbsent(gateway, k -> new HashSet<>());
        for (Dependency read : removed) {
            if (reads.remove(read)) {
                Set<ObjectKey> gateways = gatewaysByRead.get(read);
                if (gateways != null) {
                    gateways.remove(gateway);
                    if (gateways.isEmpty()) {
                        gatewaysByRead.remove(read);
                    }
                }
            }
        }
        for (Dependency read : added) {
            if (reads.add(read)) {
                gatewaysByRead.computeIfAbsent(read, k -> new HashSet<>()).add(gateway);
            }
        }
    }

    /** Gateways whose translation read something this change touches (the old or the new version of the object). */
    public Set<ObjectKey> affectedBy(Kind<?> kind, ObjectKey key, HasMetadata previous, HasMetadata current) {
        Set<ObjectKey> affected = new HashSet<>();
        for (Dependency read : touchedBy(kind, key, previous, current)) {
            addAll(affected, read);
        }
        return affected;
    }

    /** Every read whose answer a change of this object could alter. */
    public static Set<Dependency> touchedBy(Kind<?> kind, ObjectKey key, HasMetadata previous, HasMetadata current) {
        Set<Dependency> touched = new HashSet<>();
        touched.add(Dependency.object(kind, key));
        touched.add(Dependency.all(kind));
        touched.add(Dependency.namespace(kind, key.namespace()));
        for (Index<?> index : Indexes.all()) {
            if (index.kind().equals(kind)) {
                for (HasMetadata version : new HasMetadata[] {previous, current}) {
                    if (version != null) {
                        for (String indexKey : keysOf(index, version)) {
                            touched.add(Dependency.index(index, indexKey));
                        }
                    }
                }
            }
        }
        return touched;
    }

    public static Set<Dependency> touchedBy(Change change) {
        return touchedBy(change.kind(), change.key(), change.previous(), change.current());
    }

    public int size() {
        return gatewaysByRead.size();
    }

    private void addAll(Set<ObjectKey> into, Dependency read) {
        Set<ObjectKey> gateways = gatewaysByRead.get(read);
        if (gateways != null) {
            into.addAll(gateways);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> Collection<String> keysOf(Index<T> index, HasMetadata object) {
        return index.keys().apply((T) object);
    }
}
