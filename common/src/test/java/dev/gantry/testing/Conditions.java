package dev.gantry.testing;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Reads conditions from status objects in tests. */
public final class Conditions {

    private Conditions() {}

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    /** Whether the condition has this status and reason (null reason: any) and the current generation. */
    public static boolean has(List<Condition> conditions, String type, String status, String reason, Long generation) {
        Condition condition = find(conditions, type);
        return condition != null
                && status.equals(condition.getStatus())
                && (reason == null || reason.equals(condition.getReason()))
                && (generation == null || generation.equals(condition.getObservedGeneration()));
    }

    public static String describe(List<Condition> conditions) {
        if (conditions == null) {
            return "[]";
        }
        StringBuilder text = new StringBuilder("[");
        for (Condition c : conditions) {
            text.append(c.getType())
                    .append('=')
                    .append(c.getStatus())
                    .append('/')
                    .append(c.getReason())
                    .append("@")
                    .append(c.getObservedGeneration())
                    .append(' ');
        }
        return text.append(']').toString();
    }
}
