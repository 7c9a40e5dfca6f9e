package dev.gantry.kube.admission;

import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * One {@code x-kubernetes-validations} entry. Its program is compiled on first use and shared by every schema
 * (and every in-memory API in the process) that carries the same expression.
 *
 * @param rule the CEL expression; true means valid
 * @param message fixed failure message, or null for Kubernetes' {@code failed rule: <rule>}
 * @param messageExpression CEL expression giving the message, or null
 * @param fieldPath path (relative to the rule's node) the error is reported at, or null
 * @param reason {@code FieldValueInvalid} (the default), {@code FieldValueForbidden}, {@code FieldValueRequired}
 *     or {@code FieldValueDuplicate}
 * @param transition whether the rule reads {@code oldSelf}: such rules run on updates only
 * @param optionalOldSelf whether {@code oldSelf} is an optional (the rule then also runs on create)
 */
record CelRule(
        String rule,
        String message,
        String messageExpression,
        String fieldPath,
        String reason,
        boolean transition,
        boolean optionalOldSelf) {

    private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

    static CelRule of(JsonNode r) {
        String rule = r.path("rule").asString();
        return new CelRule(
                rule,
                textOrNull(r, "message"),
                textOrNull(r, "messageExpression"),
                textOrNull(r, "fieldPath"),
                textOrNull(r, "reason"),
                OLD_SELF.matcher(rule).find(),
                r.path("optionalOldSelf").asBoolean(false));
    }

    /** The message Kubernetes reports when the rule is false. */
    String failureMessage() {
        if (message != null && !message.isBlank()) {
            return message;
        }
        return "failed rule: " + rule;
    }

    private static String textOrNull(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
