package dev.gantry.translate;

import dev.gantry.ir.GatewayIr;
import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.RouteParentStatusIr;
import java.util.List;
import java.util.Map;

/**
 * Everything one Gateway's translation produces: the proxy configuration and the status of the Gateway, of its
 * ListenerSets, of the route parent entries that point at it, and of the policies its backends use.
 *
 * @param gateway the Gateway
 * @param ir proxy configuration (empty when the Gateway is not accepted)
 * @param gatewayStatus the Gateway's status
 * @param listenerSets status of every ListenerSet whose parentRef names this Gateway
 * @param routeParents route parent entries for parentRefs naming this Gateway or its ListenerSets
 * @param policyAncestors policy ancestor entries naming this Gateway
 * @param proxy how the Gateway's proxies are provisioned, or null when its parameters are invalid
 * @param exposedPorts ports of the valid listeners, for the proxy Service
 * @param certificates the certificates the Gateway's proxies serve and trust, with when each is valid
 */
public record GatewayTranslation(
        ObjectKey gateway,
        GatewayIr ir,
        ObjectStatusIr.GatewayStatus gatewayStatus,
        Map<ObjectKey, ObjectStatusIr.ListenerSetStatus> listenerSets,
        List<RouteParent> routeParents,
        Map<ObjectKey, PolicyAncestorStatusIr> policyAncestors,
        ProxyParameters proxy,
        List<ExposedPort> exposedPorts,
        List<CertificateUse> certificates) {

    public GatewayTranslation {
        listenerSets = Map.copyOf(listenerSets);
        routeParents = List.copyOf(routeParents);
        policyAncestors = Map.copyOf(policyAncestors);
        exposedPorts = List.copyOf(exposedPorts);
        certificates = List.copyOf(certificates);
    }

    /**
     * One route parent entry.
     *
     * @param routeKind kind of the route
     * @param route the route
     * @param parentIndex index of the parentRef in {@code spec.parentRefs}, for ordering
     * @param status the entry
     */
    public record RouteParent(Kind<?> routeKind, ObjectKey route, int parentIndex, RouteParentStatusIr status) {}
}
