package dev.gantry.status;

import java.util.List;

/** One entry of a route's {@code status.parents}. */
public record RouteParentStatusIr(ParentRefIr parentRef, String controllerName, List<ConditionIr> conditions) {

    public RouteParentStatusIr {
        conditions = List.copyOf(conditions);
    }
}
