package dev.gantry.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.List;
import java.util.Objects;

/** The fields every route kind shares, read without caring which kind it is. */
public final class Routes {

    private Routes() {}

    public static List<ParentReference> parentRefs(HasMetadata route) {
        return RouteKind.ofRoute(route).parentRefsOf(route);
    }

    /** Hostnames of the route; empty for kinds without hostnames (TCP, UDP). */
    public static List<String> hostnames(HasMetadata route) {
        return RouteKind.of(route).map(kind -> kind.hostnamesOf(route)).orElse(List.of());
    }

    public static Kind<?> kindOf(HasMetadata route) {
        return RouteKind.ofRoute(route).kind();
    }

    /** The parent a reference names, with the defaults of the spec applied (kind Gateway, the route's namespace). */
    public static ParentKey parentKey(ParentReference ref, String routeNamespace) {
        String group = ref.getGroup() == null ? Kinds.GATEWAY_GROUP : ref.getGroup();
        String kind = ref.getKind() == null ? "Gateway" : ref.getKind();
        String namespace =
                ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNamespace : ref.getNamespace();
        return new ParentKey(group, kind, new ObjectKey(namespace, ref.getName() == null ? "" : ref.getName()));
    }

    /**
     * A route's parent: a Gateway or a ListenerSet (or anything else a user wrote, which is then not ours).
     *
     * @param group API group of the parent
     * @param kind kind of the parent
     * @param key namespace and name
     */
    public static final class ParentKey {
        private final String group;
        private final String kind;
        private final ObjectKey key;
        private String indexKey;

        public ParentKey(String group, String kind, ObjectKey key) {
            this.group = Objects.requireNonNull(group, "group");
            this.kind = Objects.requireNonNull(kind, "kind");
            this.key = Objects.requireNonNull(key, "key");
        }

        public String group() {
            return group;
        }

        public String kind() {
            return kind;
        }

        public ObjectKey key() {
            return key;
        }

        public boolean isGateway() {
            return Kinds.GATEWAY_GROUP.equals(group) && "Gateway".equals(kind);
        }

        public boolean isListenerSet() {
            return Kinds.GATEWAY_GROUP.equals(group) && "ListenerSet".equals(kind);
        }

        /** The index key of routes by parent: {@code Kind/namespace/name} (asked for per route, so kept). */
        public String indexKey() {
            String k = indexKey;
            if (k == null) {
                k = kind + "/" + key;
                indexKey = k;
            }
            return k;
        }

        @Override
        public boolean equals(Object other) {
            return this == other
                    || other instanceof ParentKey p
                            && key.equals(p.key)
                            && kind.equals(p.kind)
                            && group.equals(p.group);
        }

        @Override
        public int hashCode() {
            return (group.hashCode() * 31 + kind.hashCode()) * 31 + key.hashCode();
        }

        @Override
        public String toString() {
            return group + "/" + kind + " " + key;
        }
    }
}
