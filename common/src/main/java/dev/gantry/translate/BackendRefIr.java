package dev.gantry.translate;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;

/**
 * A backend reference of any route kind, with the spec's defaults applied.
 *
 * @param group API group ("" for core)
 * @param kind kind (defaults to Service)
 * @param name object name
 * @param namespace namespace (defaults to the route's)
 * @param port port, or null
 * @param weight weight (defaults to 1)
 */
record BackendRefIr(String group, String kind, String name, String namespace, Integer port, int weight) {

    static BackendRefIr of(HTTPBackendRef ref, String routeNamespace) {
        return of(
                ref.getGroup(),
                ref.getKind(),
                ref.getName(),
                ref.getNamespace(),
                ref.getPort(),
                ref.getWeight(),
                routeNamespace);
    }

    static BackendRefIr of(GRPCBackendRef ref, String routeNamespace) {
        return of(
                ref.getGroup(),
                ref.getKind(),
                ref.getName(),
                ref.getNamespace(),
                ref.getPort(),
                ref.getWeight(),
                routeNamespace);
    }

    static BackendRefIr of(BackendRef ref, String routeNamespace) {
        return of(
                ref.getGroup(),
                ref.getKind(),
                ref.getName(),
                ref.getNamespace(),
                ref.getPort(),
                ref.getWeight(),
                routeNamespace);
    }

    static BackendRefIr of(BackendObjectReference ref, String routeNamespace) {
        return of(ref.getGroup(), ref.getKind(), ref.getName(), ref.getNamespace(), ref.getPort(), 1, routeNamespace);
    }

    private static BackendRefIr of(
            String group,
            String kind,
            String name,
            String namespace,
            Integer port,
            Integer weight,
            String routeNamespace) {
        return new BackendRefIr(
                group == null ? "" : group,
                kind == null ? "Service" : kind,
                name == null ? "" : name,
                namespace == null || namespace.isEmpty() ? routeNamespace : namespace,
                port,
                weight == null ? 1 : weight);
    }

    boolean isService() {
        return group.isEmpty() && "Service".equals(kind);
    }

    String describe() {
        return (group.isEmpty() ? "" : group + "/") + kind + " " + namespace + "/" + name
                + (port == null ? "" : ":" + port);
    }
}
