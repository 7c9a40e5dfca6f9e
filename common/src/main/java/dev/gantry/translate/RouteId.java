package dev.gantry.translate;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import java.util.Objects;

/**
 * A route of any kind. A value class rather than a record so that its hash is kept: routes are hashed into read
 * indexes tens of thousands of times per translation, and the key each one points to lies elsewhere in memory.
 */
public final class RouteId implements Comparable<RouteId> {
    private final Kind<?> kind;
    private final ObjectKey key;
    private final int hash;

    public RouteId(Kind<?> kind, ObjectKey key) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.key = Objects.requireNonNull(key, "key");
        this.hash = key.hashCode() * 31 + kind.hashCode();
    }

    public Kind<?> kind() {
        return kind;
    }

    public ObjectKey key() {
        return key;
    }

    @Override
    public boolean equals(Object other) {
        return this == other
                || other instanceof RouteId r && hash == r.hash && key.equals(r.key) && kind.equals(r.kind);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(RouteId other) {
        int byKind = kind.kind().compareTo(other.kind.kind());
        return byKind != 0 ? byKind : key.compareTo(other.key);
    }

    @Override
    public String toString() {
        return "RouteId[kind=" + kind + ", key=" + key + "]";
    }
}
