package dev.gantry.translate;

import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.model.Routes;
import dev.gantry.status.Reasons;
import dev.gantry.translate.RouteRules.RuleIr;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteRule;
import java.util.ArrayList;
import java.util.List;

/** Translates TLSRoutes, TCPRoutes and UDPRoutes: their rules carry only weighted backends. */
final class L4RouteTranslator {

    private final BackendResolver backends;

    L4RouteTranslator(BackendResolver backends) {
        this.backends = backends;
    }

    RouteRules translate(HasMetadata route) {
        List<List<BackendRef>> ruleBackends = new ArrayList<>();
        switch (route) {
            case TLSRoute r -> {
                for (TLSRouteRule rule : r.getSpec().getRules() == null
                        ? List.<TLSRouteRule>of()
                        : r.getSpec().getRules()) {
                    ruleBackends.add(rule.getBackendRefs());
                }
            }
            case TCPRoute r -> {
                for (TCPRouteRule rule : r.getSpec().getRules() == null
                        ? List.<TCPRouteRule>of()
                        : r.getSpec().getRules()) {
                    ruleBackends.add(rule.getBackendRefs());
                }
            }
            case UDPRoute r -> {
                for (UDPRouteRule rule : r.getSpec().getRules() == null
                        ? List.<UDPRouteRule>of()
                        : r.getSpec().getRules()) {
                    ruleBackends.add(rule.getBackendRefs());
                }
            }
            default -> throw new IllegalArgumentException("not a layer-4 route: " + route.getKind());
        }
        String kind = Routes.kindOf(route).kind();
        String namespace = Metadata.namespace(route);
        RefsTracker refs = new RefsTracker();
        List<RuleIr> rules = new ArrayList<>();
        for (int i = 0; i < ruleBackends.size(); i++) {
            List<WeightedClusterIr> weighted = new ArrayList<>();
            for (BackendRef backendRef : ruleBackends.get(i) == null ? List.<BackendRef>of() : ruleBackends.get(i)) {
                BackendRefIr ref = BackendRefIr.of(backendRef, namespace);
                if (ref.weight() < 0) {
                    return new RouteRules(
                            route,
                            Reasons.UNSUPPORTED_VALUE,
                            "rules[" + i + "]: weight must not be negative",
                            refs.reason,
                            refs.message,
                            List.of());
                }
                if (ref.weight() == 0) {
                    continue;
                }
                String cluster = switch (backends.resolve(kind, namespace, ref, false)) {
                    case BackendResolver.Backend.Resolved resolved ->
                        resolved.cluster().name();
                    case BackendResolver.Backend.Unresolved unresolved -> {
                        refs.fail(unresolved.refsReason(), unresolved.message());
                        yield null;
                    }
                    case BackendResolver.Backend.Unusable unusable -> null;
                };
                weighted.add(new WeightedClusterIr(cluster, ref.weight(), HeaderEditsIr.NONE, HeaderEditsIr.NONE));
            }
            rules.add(RuleIr.backendsOnly(i, weighted));
        }
        return new RouteRules(route, null, null, refs.reason, refs.message, rules);
    }
}
