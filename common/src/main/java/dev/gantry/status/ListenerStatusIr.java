package dev.gantry.status;

import java.util.List;

/**
 * Status of one listener of a Gateway or of a ListenerSet.
 *
 * @param name listener name as written in the spec
 * @param supportedKinds route kinds the listener accepts
 * @param attachedRoutes number of routes accepted on this listener
 * @param conditions listener conditions
 */
public record ListenerStatusIr(
        String name, List<RouteGroupKindIr> supportedKinds, int attachedRoutes, List<ConditionIr> conditions) {

    public ListenerStatusIr {
        supportedKinds = List.copyOf(supportedKinds);
        conditions = List.copyOf(conditions);
    }
}
