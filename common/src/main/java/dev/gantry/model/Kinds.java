package dev.gantry.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every kind that translation reads. */
public final class Kinds {

    public static final String GATEWAY_GROUP = "gateway.networking.k8s.io";

    public static final Kind<GatewayClass> GATEWAY_CLASS =
            new Kind<>(GATEWAY_GROUP, "v1", "GatewayClass", "gatewayclasses", false, GatewayClass.class);
    public static final Kind<Gateway> GATEWAY =
            new Kind<>(GATEWAY_GROUP, "v1", "Gateway", "gateways", true, Gateway.class);
    public static final Kind<ListenerSet> LISTENER_SET =
            new Kind<>(GATEWAY_GROUP, "v1", "ListenerSet", "listenersets", true, ListenerSet.class);
    public static final Kind<HTTPRoute> HTTP_ROUTE =
            new Kind<>(GATEWAY_GROUP, "v1", "HTTPRoute", "httproutes", true, HTTPRoute.class);
    public static final Kind<GRPCRoute> GRPC_ROUTE =
            new Kind<>(GATEWAY_GROUP, "v1", "GRPCRoute", "grpcroutes", true, GRPCRoute.class);
    public static final Kind<TLSRoute> TLS_ROUTE =
            new Kind<>(GATEWAY_GROUP, "v1", "TLSRoute", "tlsroutes", true, TLSRoute.class);
    public static final Kind<TCPRoute> TCP_ROUTE =
            new Kind<>(GATEWAY_GROUP, "v1", "TCPRoute", "tcproutes", true, TCPRoute.class);
    public static final Kind<UDPRoute> UDP_ROUTE =
            new Kind<>(GATEWAY_GROUP, "v1", "UDPRoute", "udproutes", true, UDPRoute.class);
    public static final Kind<ReferenceGrant> REFERENCE_GRANT =
            new Kind<>(GATEWAY_GROUP, "v1", "ReferenceGrant", "referencegrants", true, ReferenceGrant.class);
    public static final Kind<BackendTLSPolicy> BACKEND_TLS_POLICY =
            new Kind<>(GATEWAY_GROUP, "v1", "BackendTLSPolicy", "backendtlspolicies", true, BackendTLSPolicy.class);
    public static final Kind<Service> SERVICE = new Kind<>("", "v1", "Service", "services", true, Service.class);
    public static final Kind<EndpointSlice> ENDPOINT_SLICE =
            new Kind<>("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, EndpointSlice.class);
    public static final Kind<Secret> SECRET = new Kind<>("", "v1", "Secret", "secrets", true, Secret.class);
    public static final Kind<ConfigMap> CONFIG_MAP =
            new Kind<>("", "v1", "ConfigMap", "configmaps", true, ConfigMap.class);
    public static final Kind<Namespace> NAMESPACE =
            new Kind<>("", "v1", "Namespace", "namespaces", false, Namespace.class);

    /** Route kinds, in the order their status is reported. */
    public static final List<Kind<?>> ROUTES = List.of(HTTP_ROUTE, GRPC_ROUTE, TLS_ROUTE, TCP_ROUTE, UDP_ROUTE);

    /** Every input kind of translation. */
    public static final List<Kind<?>> ALL = List.of(
            GATEWAY_CLASS,
            GATEWAY,
            LISTENER_SET,
            HTTP_ROUTE,
            GRPC_ROUTE,
            TLS_ROUTE,
            TCP_ROUTE,
            UDP_ROUTE,
            REFERENCE_GRANT,
            BACKEND_TLS_POLICY,
            SERVICE,
            ENDPOINT_SLICE,
            SECRET,
            CONFIG_MAP,
            NAMESPACE);

    private static final Map<Class<?>, Optional<Kind<?>>> BY_TYPE = byType();

    private Kinds() {}

    private static Map<Class<?>, Optional<Kind<?>>> byType() {
        Map<Class<?>, Optional<Kind<?>>> byType = new HashMap<>();
        ALL.forEach(k -> byType.put(k.type(), Optional.of(k)));
        return Map.copyOf(byType);
    }

    /** The input kind of a model class, if translation reads it (asked once per stored object). */
    public static Optional<Kind<?>> ofType(Class<?> type) {
        return BY_TYPE.getOrDefault(type, Optional.empty());
    }

    /** The input kind with this group and kind name (group may be null or empty for the core group). */
    public static Optional<Kind<?>> of(String group, String kind) {
        String g = group == null ? "" : group;
        return ALL.stream()
                .filter(k -> k.group().equals(g) && k.kind().equals(kind))
                .findFirst();
    }
}
