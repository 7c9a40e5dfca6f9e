package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.Routes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalPolicyTargetReferenceWithSectionName;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentGatewayReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The secondary indexes translation looks objects up by. */
public final class Indexes {

    /** EndpointSlices by the Service they belong to ({@code namespace/name}). */
    public static final Index<EndpointSlice> ENDPOINT_SLICES_BY_SERVICE =
            new Index<>("endpointslices-by-service", Kinds.ENDPOINT_SLICE, Indexes::serviceOfSlice);

    /** Gateways by {@code spec.gatewayClassName}. */
    public static final Index<Gateway> GATEWAYS_BY_CLASS = new Index<>(
            "gateways-by-class",
            Kinds.GATEWAY,
            g -> g.getSpec() == null || g.getSpec().getGatewayClassName() == null
                    ? List.of()
                    : List.of(g.getSpec().getGatewayClassName()));

    /** ListenerSets by the Gateway their {@code spec.parentRef} names ({@code namespace/name}). */
    public static final Index<ListenerSet> LISTENER_SETS_BY_GATEWAY =
            new Index<>("listenersets-by-gateway", Kinds.LISTENER_SET, Indexes::gatewayOfListenerSet);

    /** BackendTLSPolicies by the Services they target ({@code namespace/name}). */
    public static final Index<BackendTLSPolicy> BACKEND_TLS_POLICIES_BY_SERVICE =
            new Index<>("backendtlspolicies-by-service", Kinds.BACKEND_TLS_POLICY, Indexes::servicesOfPolicy);

    private static final Map<Kind<?>, Index<?>> ROUTES_BY_PARENT = routesByParent();

    private Indexes() {}

    /** Routes of one kind by parent, keyed {@code Kind/namespace/name} of each parentRef. */
    @SuppressWarnings("unchecked")
    public static <T extends HasMetadata> Index<T> routesByParent(Kind<T> routeKind) {
        Index<?> index = ROUTES_BY_PARENT.get(routeKind);
        if (index == null) {
            throw new IllegalArgumentException(routeKind + " is not a route kind");
        }
        return (Index<T>) index;
    }

    /** Every index, so stores and dependency trackers can maintain them all. */
    public static List<Index<?>> all() {
        List<Index<?>> all = new ArrayList<>(List.of(
                ENDPOINT_SLICES_BY_SERVICE,
                GATEWAYS_BY_CLASS,
                LISTENER_SETS_BY_GATEWAY,
                BACKEND_TLS_POLICIES_BY_SERVICE));
        Kinds.ROUTES.forEach(k -> all.add(ROUTES_BY_PARENT.get(k)));
        return List.copyOf(all);
    }

    private static Map<Kind<?>, Index<?>> routesByParent() {
        return Map.of(
                Kinds.HTTP_ROUTE, routeIndex(Kinds.HTTP_ROUTE),
                Kinds.GRPC_ROUTE, routeIndex(Kinds.GRPC_ROUTE),
                Kinds.TLS_ROUTE, routeIndex(Kinds.TLS_ROUTE),
                Kinds.TCP_ROUTE, routeIndex(Kinds.TCP_ROUTE),
                Kinds.UDP_ROUTE, routeIndex(Kinds.UDP_ROUTE));
    }

    private static <T extends HasMetadata> Index<T> routeIndex(Kind<T> kind) {
        return new Index<>(kind.plural() + "-by-parent", kind, Indexes::parentsOfRoute);
    }

    private static Collection<String> parentsOfRoute(HasMetadata route) {
        Set<String> keys = new LinkedHashSet<>();
        for (ParentReference ref : Routes.parentRefs(route)) {
            if (ref != null && ref.getName() != null) {
                keys.add(Routes.parentKey(ref, route.getMetadata().getNamespace())
                        .indexKey());
            }
        }
        return keys;
    }

    private static Collection<String> serviceOfSlice(EndpointSlice slice) {
        var labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get("kubernetes.io/service-name");
        return service == null
                ? List.of()
                : List.of(new ObjectKey(slice.getMetadata().getNamespace(), service).toString());
    }

    private static Collection<String> gatewayOfListenerSet(ListenerSet set) {
        ParentGatewayReference ref =
                set.getSpec() == null ? null : set.getSpec().getParentRef();
        if (ref == null || ref.getName() == null) {
            return List.of();
        }
        String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty()
                ? set.getMetadata().getNamespace()
                : ref.getNamespace();
        return List.of(new ObjectKey(namespace, ref.getName()).toString());
    }

    private static Collection<String> servicesOfPolicy(BackendTLSPolicy policy) {
        if (policy.getSpec() == null || policy.getSpec().getTargetRefs() == null) {
            return List.of();
        }
        Set<String> keys = new LinkedHashSet<>();
        for (LocalPolicyTargetReferenceWithSectionName ref : policy.getSpec().getTargetRefs()) {
            if (ref != null
                    && ref.getName() != null
                    && (ref.getGroup() == null || ref.getGroup().isEmpty())
                    && "Service".equals(ref.getKind())) {
                keys.add(new ObjectKey(policy.getMetadata().getNamespace(), ref.getName()).toString());
            }
        }
        return keys;
    }
}
