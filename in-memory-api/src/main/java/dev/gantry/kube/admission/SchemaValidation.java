package dev.gantry.kube.admission;

import static dev.gantry.kube.admission.VersionSchema.ROOT_KEPT;
import static dev.gantry.kube.admission.VersionSchema.byKey;
import static dev.gantry.kube.admission.VersionSchema.invalid;
import static dev.gantry.kube.admission.VersionSchema.keyOf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One pass of a CRD version's structural schema over an object, as the API server validates it: types, enums,
 * patterns, lengths, counts, formats, required fields, {@code oneOf}/{@code anyOf}/{@code not}, and the duplicates
 * that {@code x-kubernetes-list-type} forbids. Holds the errors found, schema errors apart from list-type errors as
 * the server lists them after.
 */
final class SchemaValidation {
    final List<FieldError> schemaErrors = new ArrayList<>();
    final List<FieldError> listErrors = new ArrayList<>();

    /**
     * Schema checks of one node and its subtree. A subtree equal to what is stored is not checked: its errors
     * would be ratcheted, as the API server lets an update keep what it already stored.
     */
    void check(
            JsonNode value,
            JsonNode old,
            SchemaNode s,
            FieldPath path,
            boolean unchanged,
            boolean atRoot,
            List<FieldError> out) {
        if (value == null || value.isMissingNode() || unchanged) {
            return;
        }
        if (value.isNull()) {
            if (!s.nullable && (s.type != null || s.intOrString)) {
                out.add(typeError(path, s, "null"));
            }
            return;
        }
        String actual = typeOf(value);
        if (!typeMatches(s, value, actual)) {
            out.add(typeError(path, s, actual));
            return;
        }
        valueChecks(value, s, path, out);
        if (value instanceof ObjectNode object) {
            for (String name : s.required) {
                if (!object.has(name)) {
                    out.add(new FieldError(
                            FieldError.Type.REQUIRED, path.child(name).toString(), null, ""));
                }
            }
            if (s.maxProperties != null && object.size() > s.maxProperties) {
                out.add(new FieldError(
                        FieldError.Type.TOO_MANY,
                        path.toString(),
                        Integer.toString(object.size()),
                        "must have at most " + s.maxProperties + " items"));
            }
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                if (atRoot && ROOT_KEPT.contains(e.getKey())) {
                    continue;
                }
                SchemaNode child = s.properties.get(e.getKey());
                FieldPath childPath;
                if (child != null) {
                    childPath = path.child(e.getKey());
                } else if (s.additionalProperties != null) {
                    child = s.additionalProperties;
                    childPath = path.child(e.getKey());
                } else {
                    continue;
                }
                JsonNode oldChild = old == null ? null : old.get(e.getKey());
                check(
                        e.getValue(),
                        oldChild,
                        child,
                        childPath,
                        oldChild != null && oldChild.equals(e.getValue()),
                        false,
                        out);
            }
        } else if (value instanceof ArrayNode array) {
            if (s.maxItems != null && array.size() > s.maxItems) {
                out.add(new FieldError(
                        FieldError.Type.TOO_MANY,
                        path.toString(),
                        Integer.toString(array.size()),
                        "must have at most " + s.maxItems + " items"));
            }
            if (s.minItems != null && array.size() < s.minItems) {
                out.add(invalid(
                        path,
                        Integer.toString(array.size()),
                        path + " in body should have at least " + s.minItems + " items"));
            }
            listTypes(array, s, path);
            if (s.items != null) {
                Map<List<JsonNode>, JsonNode> oldByKey =
                        s.isListMap() && old instanceof ArrayNode oldArray ? byKey(oldArray, s) : Map.of();
                for (int i = 0; i < array.size(); i++) {
                    JsonNode item = array.get(i);
                    JsonNode oldItem = s.isListMap() ? oldByKey.get(keyOf(item, s)) : null;
                    check(item, oldItem, s.items, path.index(i), oldItem != null && oldItem.equals(item), false, out);
                }
            }
        }
    }

    private void valueChecks(JsonNode value, SchemaNode s, FieldPath path, List<FieldError> out) {
        if (s.enumValues != null && !s.enumValues.contains(value)) {
            out.add(new FieldError(
                    FieldError.Type.NOT_SUPPORTED,
                    path.toString(),
                    FieldError.go(value),
                    "supported values: "
                            + s.enumValues.stream()
                                    .map(v -> v.isString()
                                            ? FieldError.quote(v.asString())
                                            : FieldError.quote(v.toString()))
                                    .collect(Collectors.joining(", "))));
        }
        if (value.isString()) {
            String text = value.asString();
            int length = text.codePointCount(0, text.length());
            if (s.maxLength != null && length > s.maxLength) {
                out.add(new FieldError(
                        FieldError.Type.TOO_LONG,
                        path.toString(),
                        FieldError.go(value),
                        "may not be more than " + s.maxLength + " bytes"));
            }
            if (s.minLength != null && length < s.minLength) {
                out.add(invalid(
                        path,
                        FieldError.go(value),
                        path + " in body should be at least " + s.minLength + " chars long"));
            }
            if (s.compiledPattern != null && !s.compiledPattern.matcher(text).find()) {
                out.add(invalid(path, FieldError.go(value), path + " in body should match '" + s.pattern + "'"));
            }
            if (s.format != null && !formatMatches(s.format, text)) {
                out.add(new FieldError(
                        FieldError.Type.TYPE_INVALID,
                        path.toString(),
                        FieldError.go(value),
                        path + " in body must be of type " + s.format + ": " + FieldError.go(value)));
            }
        } else if (value.isNumber()) {
            double d = value.doubleValue();
            if (s.minimum != null && d < s.minimum) {
                out.add(invalid(
                        path,
                        FieldError.go(value),
                        path + " in body should be greater than or equal to " + number(s.minimum)));
            }
            if (s.maximum != null && d > s.maximum) {
                out.add(invalid(
                        path,
                        FieldError.go(value),
                        path + " in body should be less than or equal to " + number(s.maximum)));
            }
        }
        if (!s.oneOf.isEmpty()) {
            List<FieldError> alternatives = new ArrayList<>();
            int valid = 0;
            for (SchemaNode alternative : s.oneOf) {
                List<FieldError> errors = new ArrayList<>();
                valueOnly(value, alternative, path, errors);
                valid += errors.isEmpty() ? 1 : 0;
                alternatives.addAll(errors);
            }
            if (valid != 1) {
                out.add(invalid(
                        path,
                        "\"\"",
                        FieldError.quote(path.toString()) + " must validate one and only one schema" + " (oneOf). "
                                + (valid == 0 ? "Found none valid" : "Found " + valid + " valid alternatives")));
                if (valid == 0) {
                    out.addAll(alternatives);
                }
            }
        }
        if (!s.anyOf.isEmpty()) {
            List<FieldError> alternatives = new ArrayList<>();
            boolean any = false;
            for (SchemaNode alternative : s.anyOf) {
                List<FieldError> errors = new ArrayList<>();
                valueOnly(value, alternative, path, errors);
                any |= errors.isEmpty();
                alternatives.addAll(errors);
            }
            if (!any) {
                out.add(invalid(
                        path,
                        "\"\"",
                        FieldError.quote(path.toString()) + " must validate at least one schema (anyOf)"));
                out.addAll(alternatives);
            }
        }
        if (s.not != null) {
            List<FieldError> errors = new ArrayList<>();
            valueOnly(value, s.not, path, errors);
            if (errors.isEmpty()) {
                out.add(invalid(
                        path, "\"\"", FieldError.quote(path.toString()) + " must not validate the schema (not)"));
            }
        }
    }

    /** A oneOf/anyOf/not branch: value validations only (the structural part is the enclosing schema's). */
    private void valueOnly(JsonNode value, SchemaNode s, FieldPath path, List<FieldError> out) {
        valueChecks(value, s, path, out);
        if (value instanceof ObjectNode object) {
            for (String name : s.required) {
                if (!object.has(name)) {
                    out.add(new FieldError(
                            FieldError.Type.REQUIRED, path.child(name).toString(), null, ""));
                }
            }
            for (Map.Entry<String, SchemaNode> p : s.properties.entrySet()) {
                JsonNode child = object.get(p.getKey());
                if (child != null && !child.isNull()) {
                    valueOnly(child, p.getValue(), path.child(p.getKey()), out);
                }
            }
        }
    }

    /** {@code x-kubernetes-list-type}: no two items of a set alike, no two items of a map with the same keys. */
    private void listTypes(ArrayNode array, SchemaNode s, FieldPath path) {
        if ("set".equals(s.listType)) {
            Set<JsonNode> seen = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                if (!seen.add(array.get(i))) {
                    listErrors.add(new FieldError(
                            FieldError.Type.DUPLICATE, path.index(i).toString(), FieldError.go(array.get(i)), ""));
                }
            }
        } else if (s.isListMap()) {
            Set<List<JsonNode>> seen = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                if (!item.isObject()) {
                    continue;
                }
                if (!seen.add(keyOf(item, s))) {
                    ObjectNode keys = JsonNodeFactory.instance.objectNode();
                    for (String k : s.listMapKeys) {
                        if (item.has(k)) {
                            keys.set(k, item.get(k));
                        }
                    }
                    listErrors.add(new FieldError(
                            FieldError.Type.DUPLICATE, path.index(i).toString(), FieldError.go(keys), ""));
                }
            }
        }
    }

    private static FieldError typeError(FieldPath path, SchemaNode s, String actual) {
        String expected = s.intOrString ? "integer,string" : s.type;
        return new FieldError(
                FieldError.Type.TYPE_INVALID,
                path.toString(),
                FieldError.quote(actual),
                path + " in body must be of type " + expected + ": " + FieldError.quote(actual));
    }

    private static String typeOf(JsonNode value) {
        if (value.isObject()) {
            return "object";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isString()) {
            return "string";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isIntegralNumber()) {
            return "integer";
        }
        if (value.isNumber()) {
            return "number";
        }
        return "null";
    }

    private static boolean typeMatches(SchemaNode s, JsonNode value, String actual) {
        if (s.intOrString) {
            return "string".equals(actual) || isInteger(value);
        }
        if (s.type == null) {
            return true;
        }
        return switch (s.type) {
            case "integer" -> isInteger(value);
            case "number" -> value.isNumber();
            default -> s.type.equals(actual);
        };
    }

    private static boolean isInteger(JsonNode value) {
        return value.isIntegralNumber() || (value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue()));
    }

    /** The formats the API server checks; others (int32, int64, ...) describe and do not constrain. */
    private static boolean formatMatches(String format, String text) {
        return switch (format) {
            case "ipv4" -> Formats.isIpv4(text);
            case "ipv6" -> Formats.isIpv6(text);
            case "cidr" -> Formats.isCidr(text);
            case "date-time", "datetime" -> Formats.isDateTime(text);
            case "uuid" -> Formats.uuid(text).isEmpty();
            case "hostname" -> Formats.dns1123Subdomain(text).isEmpty();
            case "uri" -> Formats.isUrl(text);
            default -> true;
        };
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
