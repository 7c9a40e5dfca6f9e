package dev.gantry.status;

import java.util.Objects;

/**
 * One status condition as translation decides it. The status writer adds {@code lastTransitionTime}.
 *
 * @param type condition type, e.g. {@code Accepted}
 * @param status {@code True}, {@code False} or {@code Unknown}
 * @param reason CamelCase reason from the Gateway API
 * @param message human-readable detail
 * @param observedGeneration the {@code metadata.generation} of the object the condition describes
 */
public record ConditionIr(String type, String status, String reason, String message, long observedGeneration) {

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    public ConditionIr {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        message = message == null ? "" : message;
    }

    public static ConditionIr of(String type, boolean status, String reason, String message, long generation) {
        return new ConditionIr(type, status ? TRUE : FALSE, reason, message, generation);
    }

    public boolean isTrue() {
        return TRUE.equals(status);
    }
}
