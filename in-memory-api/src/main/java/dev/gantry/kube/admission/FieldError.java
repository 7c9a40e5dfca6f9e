package dev.gantry.kube.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * One reason an object is invalid, as the API server words it (Kubernetes' {@code field.Error}): a field path
 * such as {@code spec.listeners[0].hostname}, an error type, the offending value and a detail.
 *
 * @param type what is wrong
 * @param field the field's path; {@code <nil>} for an error about the whole object
 * @param value the offending value already written as the API server writes it (Go syntax), or null where the
 *     message leaves the value out
 * @param detail the explanation after the value, or empty
 */
public record FieldError(Type type, String field, String value, String detail) {

    /** Kubernetes' error types: the cause reason of the Status and the words that start the message. */
    public enum Type {
        NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
        REQUIRED("FieldValueRequired", "Required value"),
        INVALID("FieldValueInvalid", "Invalid value"),
        TYPE_INVALID("FieldValueTypeInvalid", "Invalid value"),
        TOO_LONG("FieldValueTooLong", "Too long"),
        TOO_MANY("FieldValueTooMany", "Too many"),
        DUPLICATE("FieldValueDuplicate", "Duplicate value"),
        FORBIDDEN("FieldValueForbidden", "Forbidden");

        private final String reason;
        private final String words;

        Type(String reason, String words) {
            this.reason = reason;
            this.words = words;
        }

        /** The cause's {@code reason} in a Status, e.g. {@code FieldValueInvalid}. */
        public String reason() {
            return reason;
        }
    }

    /** The message without the field path: the cause's {@code message} in a Status. */
    public String body() {
        StringBuilder s = new StringBuilder(type.words);
        boolean valueless = type == Type.REQUIRED || type == Type.FORBIDDEN || type == Type.TOO_LONG;
        if (!valueless && value != null) {
            s.append(": ").append(value);
        }
        if (detail != null && !detail.isEmpty()) {
            s.append(": ").append(detail);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return field + ": " + body();
    }

    // ---- Values in Go syntax, as the API server prints the unstructured values it decoded ---------------------

    /** A scalar as {@code %v}/{@code %q} print it, a map or list as {@code %#v} does. */
    static String go(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "null";
        }
        if (v.isString()) {
            return quote(v.asString());
        }
        if (v.isObject() || v.isArray()) {
            return goSyntax(v);
        }
        return goNumberOrBool(v);
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String goNumberOrBool(JsonNode v) {
        if (v.isIntegralNumber()) {
            return Long.toString(v.longValue());
        }
        if (v.isNumber()) {
            double d = v.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e21 ? Long.toString((long) d) : Double.toString(d);
        }
        return v.asString();
    }

    private static String goSyntax(JsonNode v) {
        if (v == null || v.isNull()) {
            return "interface {}(nil)";
        }
        if (v.isString()) {
            return quote(v.asString());
        }
        if (v.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            v.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
            List<String> entries = new ArrayList<>();
            sorted.forEach((k, x) -> entries.add(quote(k) + ":" + goSyntax(x)));
            return "map[string]interface {}{" + String.join(", ", entries) + "}";
        }
        if (v.isArray()) {
            List<String> entries = new ArrayList<>();
            v.forEach(x -> entries.add(goSyntax(x)));
            return "[]interface {}{" + String.join(", ", entries) + "}";
        }
        return goNumberOrBool(v);
    }
}
