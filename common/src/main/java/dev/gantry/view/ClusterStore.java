package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The indexed object store behind a {@link ClusterView}: one writer applies changes between translations,
 * any thread may read.
 *
 * <p>Objects are stored as given (the informer's instances, not copies); the store keeps them ordered by key
 * and maintains every {@link Indexes index} incrementally.
 */
public final class ClusterStore implements ClusterView {

    /** Ordered, for listing; {@link #byKey} answers lookups without key comparisons. */
    private final Map<Kind<?>, ConcurrentSkipListMap<ObjectKey, HasMetadata>> objects = new HashMap<>();

    private final Map<Kind<?>, ConcurrentHashMap<ObjectKey, HasMetadata>> byKey = new HashMap<>();
    /** Each index bucket holds its objects by key: a lookup by index needs no second lookup by key. */
    private final Map<Index<?>, ConcurrentHashMap<String, ConcurrentSkipListMap<ObjectKey, HasMetadata>>> indexes =
            new HashMap<>();

    private final Map<Kind<?>, List<Index<?>>> indexesByKind = new HashMap<>();

    public ClusterStore() {
        for (Kind<?> kind : Kinds.ALL) {
            objects.put(kind, new ConcurrentSkipListMap<>());
            byKey.put(kind, new ConcurrentHashMap<>());
            indexesByKind.put(kind, new ArrayList<>());
        }
        for (Index<?> index : Indexes.all()) {
            indexes.put(index, new ConcurrentHashMap<>());
            indexesByKind.get(index.kind()).add(index);
        }
    }

    /** A store holding the given objects; objects of kinds translation does not read are ignored. */
    public static ClusterStore of(Collection<? extends HasMetadata> objects) {
        ClusterStore store = new ClusterStore();
        objects.forEach(store::put);
        return store;
    }

    /** Stores an object of any input kind, replacing the one with the same key; returns the replaced one. */
    public HasMetadata put(HasMetadata object) {
        Optional<Kind<?>> kind = Kinds.ofType(object.getClass());
        return kind.map(k -> putAs(k, object)).orElse(null);
    }

    /**
     * Whether this store already holds exactly this version of the object (same kind, key and resourceVersion): an
     * informer that delivers an object the store took from its cache at sync time delivers nothing new.
     */
    public boolean holds(HasMetadata object) {
        Optional<Kind<?>> kind = Kinds.ofType(object.getClass());
        if (kind.isEmpty()
                || object.getMetadata() == null
                || object.getMetadata().getResourceVersion() == null) {
            return false;
        }
        HasMetadata held = byKey.get(kind.get()).get(ObjectKey.of(object));
        return held != null
                && held.getMetadata() != null
                && object.getMetadata()
                        .getResourceVersion()
                        .equals(held.getMetadata().getResourceVersion());
    }

    /** Removes an object; returns the removed one, or null. */
    public HasMetadata remove(Kind<?> kind, ObjectKey key) {
        HasMetadata previous = objects.get(kind).remove(key);
        byKey.get(kind).remove(key);
        if (previous != null) {
            unindex(kind, key, previous);
        }
        return previous;
    }

    public int size(Kind<?> kind) {
        return objects.get(kind).size();
    }

    private HasMetadata putAs(Kind<?> kind, HasMetadata object) {
        ObjectKey key = ObjectKey.of(object);
        HasMetadata previous = objects.get(kind).put(key, object);
        byKey.get(kind).put(key, object);
        if (previous != null) {
            unindex(kind, key, previous);
        }
        for (Index<?> index : indexesByKind.get(kind)) {
            for (String indexKey : keysOf(index, object)) {
                indexes.get(index)
                        .computeIfAbsent(indexKey, k -> new ConcurrentSkipListMap<>())
                        .put(key, object);
            }
        }
        return previous;
    }

    private void unindex(Kind<?> kind, ObjectKey key, HasMetadata previous) {
        for (Index<?> index : indexesByKind.get(kind)) {
            var buckets = indexes.get(index);
            for (String indexKey : keysOf(index, previous)) {
                buckets.computeIfPresent(indexKey, (k, bucket) -> {
                    bucket.remove(key);
                    return bucket.isEmpty() ? null : bucket;
                });
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> Collection<String> keysOf(Index<T> index, HasMetadata object) {
        return index.keys().apply((T) object);
    }

    @Override
    public <T extends HasMetadata> Optional<T> get(Kind<T> kind, ObjectKey key) {
        return Optional.ofNullable(kind.type().cast(byKey.get(kind).get(key)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Collection<T> list(Kind<T> kind) {
        return Collections.unmodifiableCollection(
                (Collection<T>) objects.get(kind).values());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Collection<T> inNamespace(Kind<T> kind, String namespace) {
        var byKey = objects.get(kind);
        // Keys sort by namespace first, so one namespace is one contiguous range.
        var range = byKey.subMap(new ObjectKey(namespace, ""), true, new ObjectKey(namespace + "\0", ""), false);
        return Collections.unmodifiableCollection((Collection<T>) range.values());
    }

    @Override
    @SuppressWarnings("unchecked") // the bucket of an index of T holds only Ts
    public <T extends HasMetadata> SortedMap<ObjectKey, T> byIndexWithKeys(Index<T> index, String key) {
        ConcurrentSkipListMap<ObjectKey, HasMetadata> bucket =
                indexes.get(index).get(key);
        return bucket == null
                ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap((SortedMap<ObjectKey, T>) (SortedMap<ObjectKey, ?>) bucket);
    }

    @Override
    @SuppressWarnings("unchecked") // the bucket of an index of T holds only Ts
    public <T extends HasMetadata> Collection<T> byIndex(Index<T> index, String key) {
        ConcurrentSkipListMap<ObjectKey, HasMetadata> bucket =
                indexes.get(index).get(key);
        return bucket == null ? List.of() : List.copyOf((Collection<T>) bucket.values());
    }
}
