package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A read-only view of the cluster objects translation depends on.
 *
 * <p>Translation treats the view as immutable: it never mutates returned objects, and the runner that owns a
 * view does not change it while a translation runs. Collections come back ordered by {@link ObjectKey}, so
 * anything built by iterating them is deterministic.
 */
public interface ClusterView {

    <T extends HasMetadata> Optional<T> get(Kind<T> kind, ObjectKey key);

    /** All objects of a kind, ordered by key. */
    <T extends HasMetadata> Collection<T> list(Kind<T> kind);

    /** Objects of a kind in one namespace, ordered by key. */
    <T extends HasMetadata> Collection<T> inNamespace(Kind<T> kind, String namespace);

    /** Objects filed under {@code key} in {@code index}, ordered by object key. */
    <T extends HasMetadata> Collection<T> byIndex(Index<T> index, String key);

    /**
     * {@link #byIndex}'s objects by their keys, in key order: for a caller that needs both, without building keys
     * from the objects or looking the objects up by key.
     */
    default <T extends HasMetadata> SortedMap<ObjectKey, T> byIndexWithKeys(Index<T> index, String key) {
        SortedMap<ObjectKey, T> byKey = new TreeMap<>();
        byIndex(index, key).forEach(object -> byKey.put(ObjectKey.of(object), object));
        return byKey;
    }
}
