package dev.gantry.status;

import java.util.List;

/** One entry of a policy's {@code status.ancestors}. */
public record PolicyAncestorStatusIr(ParentRefIr ancestorRef, String controllerName, List<ConditionIr> conditions) {

    public PolicyAncestorStatusIr {
        conditions = List.copyOf(conditions);
    }
}
