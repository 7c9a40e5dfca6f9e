package dev.gantry.status;

import java.util.List;

/** The status Gantry wants an object to carry; one variant per kind of status block. */
public sealed interface ObjectStatusIr {

    /** GatewayClass {@code status}. */
    record GatewayClassStatus(List<ConditionIr> conditions, List<String> supportedFeatures) implements ObjectStatusIr {
        public GatewayClassStatus {
            conditions = List.copyOf(conditions);
            supportedFeatures = List.copyOf(supportedFeatures);
        }
    }

    /** Gateway {@code status}; {@code listeners} holds only the Gateway's own listeners. */
    record GatewayStatus(
            List<ConditionIr> conditions,
            List<ListenerStatusIr> listeners,
            List<AddressIr> addresses,
            int attachedListenerSets)
            implements ObjectStatusIr {
        public GatewayStatus {
            conditions = List.copyOf(conditions);
            listeners = List.copyOf(listeners);
            addresses = List.copyOf(addresses);
        }
    }

    /** ListenerSet {@code status}. */
    record ListenerSetStatus(List<ConditionIr> conditions, List<ListenerStatusIr> listeners) implements ObjectStatusIr {
        public ListenerSetStatus {
            conditions = List.copyOf(conditions);
            listeners = List.copyOf(listeners);
        }
    }

    /** A route's {@code status.parents} entries that Gantry manages. */
    record RouteStatus(List<RouteParentStatusIr> parents) implements ObjectStatusIr {
        public RouteStatus {
            parents = List.copyOf(parents);
        }
    }

    /** A policy's {@code status.ancestors} entries that Gantry manages. */
    record PolicyStatus(List<PolicyAncestorStatusIr> ancestors) implements ObjectStatusIr {
        public PolicyStatus {
            ancestors = List.copyOf(ancestors);
        }
    }
}
