package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Makes a reconciler's store start from the informers' whole initial list. An informer reports itself synced once
 * its list is in its cache, but hands the listed objects to event handlers later; a reconciler that translated at
 * that moment from the events it had would translate part of the world. At sync it takes the informers' caches
 * ({@code InformerFeed.cachedObjects()}), keeping what events already brought, and skips those objects when their
 * events arrive ({@link ClusterStore#holds}).
 */
public final class InitialList {

    private record Key(Kind<?> kind, ObjectKey key) {}

    private final Set<Key> deletedBeforeSync = new HashSet<>();
    private boolean applied;

    /**
     * Records a delete the reconciler applied: before sync, the listed copy (taken a moment earlier) must not bring
     * it back; after, it does not matter.
     */
    public void deleted(Kind<?> kind, ObjectKey key) {
        if (!applied) {
            deletedBeforeSync.add(new Key(kind, key));
        }
    }

    /**
     * Puts into {@code store} every listed object whose key it does not hold yet and that was not deleted meanwhile
     * (what the store holds came from later events, which are newer); hands the kind and key of each to
     * {@code taken} and returns how many it put. Only the first call does anything.
     */
    public int apply(ClusterStore store, List<HasMetadata> listed, BiConsumer<Kind<?>, ObjectKey> taken) {
        if (applied) {
            return 0;
        }
        applied = true;
        int put = 0;
        for (HasMetadata object : listed) {
            Optional<Kind<?>> kind = Kinds.ofType(object.getClass());
            if (kind.isEmpty()) {
                continue;
            }
            ObjectKey key = ObjectKey.of(object);
            if (store.get(kind.get(), key).isEmpty() && !deletedBeforeSync.contains(new Key(kind.get(), key))) {
                store.put(object);
                taken.accept(kind.get(), key);
                put++;
            }
        }
        deletedBeforeSync.clear();
        return put;
    }
}
