package dev.gantry.model;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A Kubernetes resource kind Gantry reads: its API coordinates and the fabric8 model class.
 *
 * @param group API group, empty for the core group
 * @param version API version Gantry reads and writes
 * @param kind the kind name
 * @param plural the REST resource name
 * @param namespaced whether objects live in namespaces
 * @param type fabric8 model class
 */
public record Kind<T extends HasMetadata>(
        String group, String version, String kind, String plural, boolean namespaced, Class<T> type) {

    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code Kind.group}, as Gateway API references name kinds, e.g. {@code HTTPRoute.gateway.networking.k8s.io}. */
    public String groupKind() {
        return group.isEmpty() ? kind : kind + "." + group;
    }

    /** Kinds are few and compared often (every dependency and route key holds one): compare by group and kind. */
    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof Kind<?> k && kind.equals(k.kind) && group.equals(k.group);
    }

    @Override
    public int hashCode() {
        return kind.hashCode();
    }

    @Override
    public String toString() {
        return kind;
    }
}
