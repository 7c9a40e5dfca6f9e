package dev.gantry.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * Identity of a Kubernetes object within one kind: namespace (empty for cluster-scoped objects) and name.
 * Renders as {@code namespace/name}, the form used in node metadata, logs and metrics.
 *
 * <p>A value class rather than a record so that its rendering and hash, asked for on every dependency read of
 * every route, are computed once.
 */
public final class ObjectKey implements Comparable<ObjectKey> {

    private final String namespace;
    private final String name;
    private final int hash;
    private String rendered;

    public ObjectKey(String namespace, String name) {
        this.namespace = namespace == null ? "" : namespace;
        this.name = Objects.requireNonNull(name, "name");
        int h = this.namespace.hashCode() * 0x61C88647 + name.hashCode();
        this.hash = h ^ (h >>> 16);
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    public static ObjectKey of(HasMetadata object) {
        return new ObjectKey(
                object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    public static ObjectKey cluster(String name) {
        return new ObjectKey("", name);
    }

    /** Parses {@code namespace/name}, or a bare {@code name} for cluster-scoped objects. */
    public static ObjectKey parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new ObjectKey("", text);
        }
        if (slash == 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("expected namespace/name, got '" + text + "'");
        }
        return new ObjectKey(text.substring(0, slash), text.substring(slash + 1));
    }

    /**
     * The usual {@code 31 * namespace + name} collides for regular names: {@code team-001/ls-000-r10}
     * and {@code team-000/ls-000-r11} hash alike. A large odd multiplier keeps such neighbours apart.
     */
    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object other) {
        return this == other
                || other instanceof ObjectKey k
                        && hash == k.hash
                        && name.equals(k.name)
                        && namespace.equals(k.namespace);
    }

    @Override
    public int compareTo(ObjectKey other) {
        int byNamespace = namespace.compareTo(other.namespace);
        return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        String r = rendered;
        if (r == null) {
            // A benign race: every thread computes the same string.
            r = namespace.isEmpty() ? name : namespace + "/" + name;
            rendered = r;
        }
        return r;
    }
}
