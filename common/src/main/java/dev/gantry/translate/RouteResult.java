package dev.gantry.translate;

import dev.gantry.view.Dependency;
import java.util.List;
import java.util.Set;

/**
 * One route translated for one Gateway: its rules, its parent status entries, where it is placed, what it read,
 * the BackendTLSPolicies its backends met and the clusters they resolved to.
 *
 * @param oneRouteListeners per entry of {@code parents}, the TCP and UDP listeners it attached to (where only the
 *     oldest route is served: see {@link L4RouteServing}); empty when the route attached to none
 */
record RouteResult(
        RouteRules rules,
        List<GatewayTranslation.RouteParent> parents,
        List<RouteAttachment.Placed> placed,
        List<Dependency> reads,
        List<BackendResolver.PolicyUse> policyUses,
        Set<ClusterKey> clusters,
        List<List<ListenerState>> oneRouteListeners) {}
