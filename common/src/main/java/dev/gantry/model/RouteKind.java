package dev.gantry.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What Gantry reads and writes of one route kind: code over "any route" looks its kind up in this table instead of
 * switching over the five kinds in each place.
 *
 * @param kind the informer kind
 * @param envoyName the kind as it appears in Envoy resource names ({@code httproute/...})
 * @param spec the route's spec (null when it has none)
 * @param parentRefs the route's parentRefs (null when unset)
 * @param hostnames the route's hostnames (null when unset, and for kinds without hostnames)
 * @param parents the parent entries of the route's status (null when it has no status)
 * @param newStatus a status of the kind's own class holding these parent entries
 * @param setStatus sets the route's status (a status of the kind's own class, or null to clear it)
 * @param <R> the route class
 */
public record RouteKind<R extends HasMetadata>(
        Kind<R> kind,
        String envoyName,
        Function<R, Object> spec,
        Function<R, List<ParentReference>> parentRefs,
        Function<R, List<String>> hostnames,
        Function<R, List<RouteParentStatus>> parents,
        Function<List<RouteParentStatus>, Object> newStatus,
        BiConsumer<R, Object> setStatus) {

    public static final RouteKind<HTTPRoute> HTTP = new RouteKind<>(
            Kinds.HTTP_ROUTE,
            "httproute",
            HTTPRoute::getSpec,
            r -> r.getSpec() == null ? null : r.getSpec().getParentRefs(),
            r -> r.getSpec() == null ? null : r.getSpec().getHostnames(),
            r -> r.getStatus() == null ? null : r.getStatus().getParents(),
            HTTPRouteStatus::new,
            (r, status) -> r.setStatus((HTTPRouteStatus) status));

    public static final RouteKind<GRPCRoute> GRPC = new RouteKind<>(
            Kinds.GRPC_ROUTE,
            "grpcroute",
            GRPCRoute::getSpec,
            r -> r.getSpec() == null ? null : r.getSpec().getParentRefs(),
            r -> r.getSpec() == null ? null : r.getSpec().getHostnames(),
            r -> r.getStatus() == null ? null : r.getStatus().getParents(),
            GRPCRouteStatus::new,
            (r, status) -> r.setStatus((GRPCRouteStatus) status));

    public static final RouteKind<TLSRoute> TLS = new RouteKind<>(
            Kinds.TLS_ROUTE,
            "tlsroute",
            TLSRoute::getSpec,
            r -> r.getSpec() == null ? null : r.getSpec().getParentRefs(),
            r -> r.getSpec() == null ? null : r.getSpec().getHostnames(),
            r -> r.getStatus() == null ? null : r.getStatus().getParents(),
            TLSRouteStatus::new,
            (r, status) -> r.setStatus((TLSRouteStatus) status));

    public static final RouteKind<TCPRoute> TCP = new RouteKind<>(
            Kinds.TCP_ROUTE,
            "tcproute",
            TCPRoute::getSpec,
            r -> r.getSpec() == null ? null : r.getSpec().getParentRefs(),
            r -> null,
            r -> r.getStatus() == null ? null : r.getStatus().getParents(),
            TCPRouteStatus::new,
            (r, status) -> r.setStatus((TCPRouteStatus) status));

    public static final RouteKind<UDPRoute> UDP = new RouteKind<>(
            Kinds.UDP_ROUTE,
            "udproute",
            UDPRoute::getSpec,
            r -> r.getSpec() == null ? null : r.getSpec().getParentRefs(),
            r -> null,
            r -> r.getStatus() == null ? null : r.getStatus().getParents(),
            UDPRouteStatus::new,
            (r, status) -> r.setStatus((UDPRouteStatus) status));

    /** Every route kind, in the order route precedence ranks kinds. */
    public static final List<RouteKind<?>> ALL = List.of(HTTP, GRPC, TLS, TCP, UDP);

    private static final Map<Class<?>, RouteKind<?>> BY_CLASS = Map.of(
            HTTPRoute.class,
            HTTP,
            GRPCRoute.class,
            GRPC,
            TLSRoute.class,
            TLS,
            TCPRoute.class,
            TCP,
            UDPRoute.class,
            UDP);

    /** The route kind of an object, or empty when it is not a route. */
    public static Optional<RouteKind<?>> of(HasMetadata object) {
        return object == null ? Optional.empty() : Optional.ofNullable(BY_CLASS.get(object.getClass()));
    }

    /** The route kind of an informer kind, or empty when it is not a route kind. */
    public static Optional<RouteKind<?>> of(Kind<?> kind) {
        for (RouteKind<?> route : ALL) {
            if (route.kind().equals(kind)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** The route kind of an object known to be a route. */
    public static RouteKind<?> ofRoute(HasMetadata route) {
        return of(route).orElseThrow(() -> new IllegalArgumentException("not a route: " + route.getKind()));
    }

    public Object specOf(HasMetadata route) {
        return spec.apply(kind.type().cast(route));
    }

    public List<ParentReference> parentRefsOf(HasMetadata route) {
        List<ParentReference> refs = parentRefs.apply(kind.type().cast(route));
        return refs == null ? List.of() : refs;
    }

    public List<String> hostnamesOf(HasMetadata route) {
        List<String> names = hostnames.apply(kind.type().cast(route));
        return names == null ? List.of() : names;
    }

    /** The parent entries of the route's status, null when it has no status. */
    public List<RouteParentStatus> parentsOf(HasMetadata route) {
        return parents.apply(kind.type().cast(route));
    }

    /** Sets the route's status: one made by {@link #newStatus}, or null to clear it. */
    public void setStatusOf(HasMetadata route, Object status) {
        setStatus.accept(kind.type().cast(route), status);
    }
}
