package dev.gantry.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * Says in a Gateway condition's message which of its listeners are not accepted and why, and which are, as the spec
 * asks of a Gateway with conflicted listeners ("which Listeners are conflicted, and which are Accepted").
 */
final class ListenerVerdicts {

    private ListenerVerdicts() {}

    /**
     * For example {@code not accepted: 'a' ProtocolConflict, 'b' ProtocolConflict; accepted: 'c'}. A Gateway holds
     * at most 64 listeners, so the message names them all and stays far below the API's limit.
     */
    static String describe(List<ListenerState> listeners) {
        List<String> refused = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        for (ListenerState l : listeners) {
            if (l.conflicted()) {
                refused.add("'" + l.name + "' " + l.conflictReason);
            } else if (!l.accepted()) {
                refused.add("'" + l.name + "' " + l.notAcceptedReason);
            } else {
                accepted.add("'" + l.name + "'");
            }
        }
        return "not accepted: " + String.join(", ", refused)
                + (accepted.isEmpty() ? "" : "; accepted: " + String.join(", ", accepted));
    }
}
