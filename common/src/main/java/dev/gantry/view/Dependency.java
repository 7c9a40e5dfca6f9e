package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;

/**
 * One read translation made: an object by key (present or not), all objects of a kind, the objects of a kind in
 * a namespace, or an index bucket. A change touches a read when it could change that read's answer.
 *
 * @param kind kind name
 * @param scope {@code object}, {@code all}, {@code namespace} or the index name
 * @param key object key, namespace, or index key ("" for {@code all})
 */
public record Dependency(String kind, String scope, String key) {

    // Written out: each translation hashes a few reads per route into the read indexes.
    @Override
    public boolean equals(Object other) {
        return this == other
                || other instanceof Dependency d && key.equals(d.key) && kind.equals(d.kind) && scope.equals(d.scope);
    }

    @Override
    public int hashCode() {
        return (key.hashCode() * 31 + kind.hashCode()) * 31 + scope.hashCode();
    }

    public static Dependency object(Kind<?> kind, ObjectKey key) {
        return new Dependency(kind.kind(), "object", key.toString());
    }

    public static Dependency all(Kind<?> kind) {
        return new Dependency(kind.kind(), "all", "");
    }

    public static Dependency namespace(Kind<?> kind, String namespace) {
        return new Dependency(kind.kind(), "namespace", namespace);
    }

    public static Dependency index(Index<?> index, String key) {
        return new Dependency(index.kind().kind(), index.name(), key);
    }
}
