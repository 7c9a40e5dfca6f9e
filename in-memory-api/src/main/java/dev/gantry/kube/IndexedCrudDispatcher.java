package dev.gantry.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fabric8's CRUD dispatcher with its objects indexed by resource type (plural) and name. The dispatcher finds the object a
 * create, update, patch or status write names by testing every stored object in turn, so filling the API with N
 * objects cost O(N²) and each status write O(N); here the lookup reads one bucket of the index and applies the
 * dispatcher's own matching to what is in it, so the answer is the same.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(IndexedCrudDispatcher.class);
    private static final String PLURAL = KubernetesAttributesExtractor.PLURAL;
    private static final String NAME = KubernetesAttributesExtractor.NAME;

    /** The dispatcher's store, or null when it could not be replaced (lookups then scan, as fabric8's do). */
    private final IndexedStore indexed;

    private final Map<AttributeSet, String> guarded;

    IndexedCrudDispatcher() {
        super(List.of());
        IndexedStore store = new IndexedStore();
        Map<AttributeSet, String> synchronizedStore = Collections.synchronizedMap(store);
        boolean replaced;
        try {
            // The store is a protected final field, created empty by the constructor: nothing is in it yet.
            Field field = CrudDispatcher.class.getDeclaredField("map");
            field.setAccessible(true);
            field.set(this, synchronizedStore);
            replaced = field.get(this) == synchronizedStore;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("in-memory API: objects are not indexed ({}); lookups scan every object", e.toString());
            replaced = false;
        }
        this.indexed = replaced ? store : null;
        this.guarded = synchronizedStore;
    }

    /** Whether lookups use the index (false only if fabric8's store could not be replaced). */
    boolean indexed() {
        return indexed != null;
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        List<Attribute> bucket = bucketOf(query);
        if (indexed == null || bucket == null) {
            return super.findResource(query);
        }
        synchronized (guarded) {
            Set<AttributeSet> candidates = indexed.byTypeAndName.get(bucket);
            if (candidates != null) {
                for (AttributeSet candidate : candidates) {
                    if (candidate.matches(query)) {
                        return Map.entry(candidate, indexed.get(candidate));
                    }
                }
            }
            return null;
        }
    }

    /**
     * The bucket a query can only be answered from: every object matching a query that demands a resource type (its plural)
     * and a name carries those two attributes, equal to the query's. Null when the query does not demand both.
     */
    private static List<Attribute> bucketOf(AttributeSet query) {
        Attribute plural = query.getAttribute(PLURAL);
        Attribute name = query.getAttribute(NAME);
        if (plural == null
                || name == null
                || plural.getType() != AttributeType.WITH
                || name.getType() != AttributeType.WITH) {
            return null;
        }
        return Arrays.asList(plural, name);
    }

    /** The stored objects in insertion order (as fabric8 keeps them), with an index by type and name. */
    private static final class IndexedStore extends LinkedHashMap<AttributeSet, String> {

        final Map<List<Attribute>, Set<AttributeSet>> byTypeAndName = new HashMap<>();

        private static List<Attribute> bucketOfStored(AttributeSet stored) {
            return Arrays.asList(stored.getAttribute(PLURAL), stored.getAttribute(NAME));
        }

        @Override
        public String put(AttributeSet key, String value) {
            String previous = super.put(key, value);
            byTypeAndName
                    .computeIfAbsent(bucketOfStored(key), k -> new LinkedHashSet<>())
                    .add(key);
            return previous;
        }

        @Override
        public void putAll(Map<? extends AttributeSet, ? extends String> all) {
            all.forEach(this::put);
        }

        @Override
        public String remove(Object key) {
            boolean present = containsKey(key);
            String previous = super.remove(key);
            if (present && key instanceof AttributeSet stored) {
                List<Attribute> bucket = bucketOfStored(stored);
                Set<AttributeSet> members = byTypeAndName.get(bucket);
                if (members != null) {
                    members.remove(stored);
                    if (members.isEmpty()) {
                        byTypeAndName.remove(bucket);
                    }
                }
            }
            return previous;
        }

        @Override
        public void clear() {
            super.clear();
            byTypeAndName.clear();
        }

        // fabric8 changes the store through put, remove and clear only; views that could change it behind the index's
        // back are read-only, so a change of that would fail loudly rather than leave the index wrong.
        @Override
        public Set<Map.Entry<AttributeSet, String>> entrySet() {
            return Collections.unmodifiableSet(super.entrySet());
        }

        @Override
        public Set<AttributeSet> keySet() {
            return Collections.unmodifiableSet(super.keySet());
        }

        @Override
        public Collection<String> values() {
            return Collections.unmodifiableCollection(super.values());
        }
    }
}
