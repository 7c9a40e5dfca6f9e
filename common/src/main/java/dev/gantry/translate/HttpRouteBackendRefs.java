package dev.gantry.translate;

import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An HTTPRoute rule's backendRefs as weighted clusters: a backend of weight 0 gets no traffic and is left out; one
 * whose reference does not resolve keeps its weight without a cluster (its share answers 500).
 */
final class HttpRouteBackendRefs {

    private HttpRouteBackendRefs() {}

    /** The weighted clusters of a rule's backendRefs, with each one's header modifiers. */
    static List<WeightedClusterIr> weightedClusters(
            String where, List<HTTPBackendRef> refs, String namespace, BackendResolver backends, RefsTracker tracker)
            throws InvalidRoute {
        List<WeightedClusterIr> result = new ArrayList<>();
        List<HTTPBackendRef> list = refs == null ? List.of() : refs;
        for (int b = 0; b < list.size(); b++) {
            HTTPBackendRef backendRef = list.get(b);
            BackendRefIr ref = BackendRefIr.of(backendRef, namespace);
            if (ref.weight() < 0) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE, where + ".backendRefs[" + b + "]: weight must not be negative");
            }
            HeaderEditsIr requestHeaders = HeaderEditsIr.NONE;
            HeaderEditsIr responseHeaders = HeaderEditsIr.NONE;
            List<HTTPRouteFilter> filters = backendRef.getFilters() == null ? List.of() : backendRef.getFilters();
            String at = filters.isEmpty() ? null : where + ".backendRefs[" + b + "]";
            Set<String> seen = filters.isEmpty() ? Set.of() : new HashSet<>();
            for (HTTPRouteFilter filter : filters) {
                String type = filter.getType() == null ? "" : filter.getType();
                if (!seen.add(type)) {
                    throw new InvalidRoute(
                            Reasons.INCOMPATIBLE_FILTERS, at + ": filter " + type + " appears more than once");
                }
                switch (type) {
                    case "RequestHeaderModifier" ->
                        requestHeaders = HttpRouteFilters.headerEdits(at, filter.getRequestHeaderModifier());
                    case "ResponseHeaderModifier" ->
                        responseHeaders = HttpRouteFilters.headerEdits(at, filter.getResponseHeaderModifier());
                    default ->
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE,
                                at + ": filter type '" + type + "' is not supported on a backendRef");
                }
            }
            if (ref.weight() == 0) {
                continue;
            }
            String cluster = switch (backends.resolve("HTTPRoute", namespace, ref, false)) {
                case BackendResolver.Backend.Resolved resolved ->
                    resolved.cluster().name();
                case BackendResolver.Backend.Unresolved unresolved -> {
                    tracker.fail(unresolved.refsReason(), unresolved.message());
                    yield null;
                }
                case BackendResolver.Backend.Unusable unusable -> null;
            };
            result.add(new WeightedClusterIr(cluster, ref.weight(), requestHeaders, responseHeaders));
        }
        return result;
    }
}
