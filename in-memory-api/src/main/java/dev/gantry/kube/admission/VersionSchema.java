package dev.gantry.kube.admission;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the API server does with a custom resource of one CRD version before storing it: prune unknown fields,
 * apply defaults, validate against the structural schema (types, enums, patterns, lengths, counts, formats,
 * required fields, list types) and, when that found nothing that makes the object unreadable to CEL, evaluate the
 * {@code x-kubernetes-validations} rules. On updates an error in a part of the object that did not change is
 * dropped (Kubernetes' validation ratcheting), and rules that read {@code oldSelf} run.
 */
final class VersionSchema {

    private static final Set<String> ROOT_KEPT = Set.of("apiVersion", "kind", "metadata");

    /** The rules of a schema node that all held for a value. */
    private record Passed(SchemaNode node, JsonNode self) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Passed p && p.node == node && p.self.equals(self);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(node) * 31 + self.hashCode();
        }
    }

    /**
     * List values whose rules are known to hold, so that a world of many similar objects (the same parent
     * references, the same listeners) does not evaluate the same comprehensions over the same list again and again.
     * The values are parts of admitted requests, never changed afterwards.
     */
    private static final Cache<Passed, Boolean> PASSED =
            Caffeine.newBuilder().maximumSize(10_000).build();

    private final SchemaNode root;

    VersionSchema(SchemaNode root) {
        this.root = root;
    }

    // ---- Pruning and defaulting -------------------------------------------------------------------------------

    /** Drops what the schema does not describe and nulls it does not allow, then applies defaults, in place. */
    void pruneAndDefault(ObjectNode object) {
        prune(object, root, true);
        applyDefaults(object, root, true);
    }

    private static void prune(JsonNode value, SchemaNode s, boolean atRoot) {
        if (s == null) {
            return;
        }
        if (value instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (atRoot && ROOT_KEPT.contains(e.getKey())) {
                    continue; // metadata is ObjectMeta, checked apart from the schema
                }
                SchemaNode child = s.properties.get(e.getKey());
                if (child == null) {
                    child = s.additionalProperties;
                }
                if (child == null) {
                    if (!s.preserveUnknownFields) {
                        it.remove();
                    }
                    continue;
                }
                if (e.getValue().isNull() && !child.nullable && child.defaultValue == null) {
                    it.remove(); // the API server drops a null it would refuse, unless a default replaces it
                    continue;
                }
                prune(e.getValue(), child, false);
            }
        } else if (value instanceof ArrayNode array && s.items != null) {
            for (JsonNode item : array) {
                prune(item, s.items, false);
            }
        }
    }

    private static void applyDefaults(JsonNode value, SchemaNode s, boolean atRoot) {
        if (s == null) {
            return;
        }
        if (value instanceof ObjectNode object) {
            for (Map.Entry<String, SchemaNode> p : s.properties.entrySet()) {
                SchemaNode child = p.getValue();
                if (child.defaultValue == null || (atRoot && ROOT_KEPT.contains(p.getKey()))) {
                    continue;
                }
                JsonNode present = object.get(p.getKey());
                if (present == null || (present.isNull() && !child.nullable)) {
                    object.set(p.getKey(), child.defaultValue.deepCopy());
                }
            }
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                if (atRoot && ROOT_KEPT.contains(e.getKey())) {
                    continue;
                }
                SchemaNode child = s.properties.get(e.getKey());
                applyDefaults(e.getValue(), child != null ? child : s.additionalProperties, false);
            }
        } else if (value instanceof ArrayNode array && s.items != null) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isNull() && !s.items.nullable && s.items.defaultValue != null) {
                    array.set(i, s.items.defaultValue.deepCopy());
                }
                applyDefaults(array.get(i), s.items, false);
            }
        }
    }

    // ---- Validation ---------------------------------------------------------------------------------------------

    /**
     * The object's errors, in the order the API server lists them: schema, then list types, then CEL rules.
     *
     * @param object the pruned and defaulted object
     * @param old the stored object on an update, else null
     */
    List<FieldError> validate(ObjectNode object, ObjectNode old) {
        Walk walk = new Walk();
        walk.check(object, old, root, FieldPath.ROOT, old != null && old.equals(object), true, walk.schemaErrors);
        List<FieldError> errors = new ArrayList<>(walk.schemaErrors);
        errors.addAll(walk.listErrors);
        boolean blocking = errors.stream()
                .anyMatch(e -> e.type() == FieldError.Type.NOT_SUPPORTED || e.type() == FieldError.Type.TYPE_INVALID);
        if (blocking) {
            errors.add(new FieldError(
                    FieldError.Type.INVALID,
                    "<nil>",
                    "null",
                    "some validation rules were not checked"
                            + " because the object was invalid; correct the existing errors to complete validation"));
        } else if (root.rulesBelow) {
            walk.cel(object, old, root, FieldPath.ROOT, old != null && old.equals(object), true);
            errors.addAll(walk.celErrors);
        }
        return errors;
    }

    /** One validation pass over one object; holds the errors found and the CEL values built for it. */
    private static final class Walk {
        final List<FieldError> schemaErrors = new ArrayList<>();
        final List<FieldError> listErrors = new ArrayList<>();
        final List<FieldError> celErrors = new ArrayList<>();
        /** CEL values by JSON node: converting a node converts its subtree, which rules further down reuse. */
        final Map<JsonNode, Object> celValues = new IdentityHashMap<>();

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
                        check(
                                item,
                                oldItem,
                                s.items,
                                path.index(i),
                                oldItem != null && oldItem.equals(item),
                                false,
                                out);
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
                if (s.compiledPattern != null
                        && !s.compiledPattern.matcher(text).find()) {
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

        // ---- CEL ----------------------------------------------------------------------------------------------------

        void cel(JsonNode value, JsonNode old, SchemaNode s, FieldPath path, boolean unchanged, boolean atRoot) {
            if (value == null || value.isNull() || value.isMissingNode() || !s.rulesBelow) {
                return;
            }
            if (unchanged && !s.transitionRulesBelow) {
                // What a rule would find wrong in a part that did not change is ratcheted anyway: a status write does
                // not evaluate the spec's rules again.
                return;
            }
            if (!s.rules.isEmpty()) {
                evaluate(value, old, s, path, unchanged);
            }
            if (value instanceof ObjectNode object) {
                for (Map.Entry<String, JsonNode> e : object.properties()) {
                    if (atRoot && ROOT_KEPT.contains(e.getKey())) {
                        continue;
                    }
                    SchemaNode child = s.properties.get(e.getKey());
                    if (child == null) {
                        child = s.additionalProperties;
                    }
                    if (child == null || !child.rulesBelow) {
                        continue;
                    }
                    JsonNode oldChild = old == null ? null : old.get(e.getKey());
                    boolean childUnchanged = unchanged || (oldChild != null && oldChild.equals(e.getValue()));
                    cel(e.getValue(), oldChild, child, path.child(e.getKey()), childUnchanged, false);
                }
            } else if (value instanceof ArrayNode array && s.items != null && s.items.rulesBelow) {
                // Items of a map list are matched to their old selves by key; other items have no old self (oldSelf
                // rules skip them) and take their list's unchanged-ness for ratcheting.
                Map<List<JsonNode>, JsonNode> oldByKey =
                        s.isListMap() && old instanceof ArrayNode oldArray ? byKey(oldArray, s) : Map.of();
                for (int i = 0; i < array.size(); i++) {
                    JsonNode item = array.get(i);
                    JsonNode oldItem = s.isListMap() ? oldByKey.get(keyOf(item, s)) : null;
                    boolean itemUnchanged = unchanged || (oldItem != null && oldItem.equals(item));
                    cel(item, oldItem, s.items, path.index(i), itemUnchanged, false);
                }
            }
        }

        private void evaluate(JsonNode value, JsonNode old, SchemaNode s, FieldPath path, boolean unchanged) {
            // Lists (parent references, listeners, rules) are where rules iterate, and where many objects hold the
            // same.
            Passed passed = value.isArray() && !s.transitionRules && !unchanged ? new Passed(s, value) : null;
            if (passed != null && PASSED.getIfPresent(passed) != null) {
                return;
            }
            boolean held = true;
            Object self = null;
            Object oldSelf = null;
            for (CelRule rule : s.rules) {
                if (rule.transition() ? old == null : unchanged) {
                    continue; // transition rules compare with a stored value; others would be ratcheted
                }
                CelLibrary.Compiled compiled = CelLibrary.compile(rule.rule());
                if (compiled.program() == null) {
                    held = false;
                    celErrors.add(invalid(
                            path, FieldError.quote(s.celTypeName()), "rule compile error: " + compiled.error()));
                    continue;
                }
                if (self == null) {
                    self = celValue(value, s);
                }
                Map<String, Object> activation = new HashMap<>(2);
                activation.put("self", self);
                if (rule.transition()) {
                    if (oldSelf == null) {
                        oldSelf = celValue(old, s);
                    }
                    activation.put("oldSelf", oldSelf);
                }
                Object result;
                try {
                    result = compiled.program().eval(activation);
                } catch (CelEvaluationException e) {
                    held = false;
                    addCel(
                            unchanged && !rule.transition(),
                            invalid(
                                    path,
                                    FieldError.quote(s.celTypeName()),
                                    CelLibrary.describe(e) + " evaluating rule: " + ruleErrorString(rule)));
                    continue;
                }
                if (Boolean.TRUE.equals(result)) {
                    continue;
                }
                held = false;
                if (!(result instanceof Boolean)) {
                    addCel(
                            unchanged && !rule.transition(),
                            invalid(
                                    path,
                                    FieldError.quote(s.celTypeName()),
                                    "rule did not evaluate to a bool evaluating rule: " + ruleErrorString(rule)));
                    continue;
                }
                String detail = rule.failureMessage().trim();
                if (rule.messageExpression() != null) {
                    CelLibrary.Compiled message = CelLibrary.compile(rule.messageExpression());
                    if (message.program() != null) {
                        try {
                            if (message.program().eval(activation) instanceof String text && !text.isBlank()) {
                                detail = text;
                            }
                        } catch (CelEvaluationException e) {
                            // the API server falls back to the fixed message
                        }
                    }
                }
                FieldPath at = rule.fieldPath() == null ? path : relative(path, rule.fieldPath());
                String shown = value.isObject() || value.isArray() ? null : FieldError.go(value);
                FieldError.Type type = switch (rule.reason() == null ? "" : rule.reason()) {
                    case "FieldValueForbidden" -> FieldError.Type.FORBIDDEN;
                    case "FieldValueRequired" -> FieldError.Type.REQUIRED;
                    case "FieldValueDuplicate" -> FieldError.Type.DUPLICATE;
                    default -> FieldError.Type.INVALID;
                };
                addCel(unchanged && !rule.transition(), new FieldError(type, at.toString(), shown, detail));
            }
            if (passed != null && held) {
                PASSED.put(passed, Boolean.TRUE);
            }
        }

        private void addCel(boolean ratcheted, FieldError error) {
            if (!ratcheted) {
                celErrors.add(error);
            }
        }

        /** The node as CEL sees it: maps, lists, Long, Double, String, Boolean, with escaped property names. */
        private Object celValue(JsonNode value, SchemaNode s) {
            Object known = celValues.get(value);
            if (known != null) {
                return known;
            }
            Object converted;
            if (value == null || value.isNull()) {
                return NullValue.NULL_VALUE;
            } else if (value instanceof ObjectNode object) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : object.properties()) {
                    SchemaNode child = s == null ? null : s.properties.get(e.getKey());
                    if (child != null) {
                        map.put(s.celNames.get(e.getKey()), celValue(e.getValue(), child));
                    } else {
                        map.put(e.getKey(), celValue(e.getValue(), s == null ? null : s.additionalProperties));
                    }
                }
                converted = Collections.unmodifiableMap(map);
            } else if (value instanceof ArrayNode array) {
                List<Object> list = new ArrayList<>(array.size());
                for (JsonNode item : array) {
                    list.add(celValue(item, s == null ? null : s.items));
                }
                converted = Collections.unmodifiableList(list);
            } else if (value.isIntegralNumber()) {
                converted = value.longValue();
            } else if (value.isNumber()) {
                converted = s != null && "integer".equals(s.type) ? (Object) value.longValue() : value.doubleValue();
            } else if (value.isBoolean()) {
                converted = value.booleanValue();
            } else {
                converted = value.asString();
            }
            celValues.put(value, converted);
            return converted;
        }
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    private static String ruleErrorString(CelRule rule) {
        return rule.message() != null && !rule.message().isBlank()
                ? rule.message().trim()
                : rule.rule().trim();
    }

    /** A rule's {@code fieldPath} ({@code .spec.foo}, {@code .labels['a.b']}) below the rule's node. */
    private static FieldPath relative(FieldPath base, String fieldPath) {
        FieldPath at = base;
        int i = 0;
        while (i < fieldPath.length()) {
            char c = fieldPath.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < fieldPath.length() && fieldPath.charAt(end) != '.' && fieldPath.charAt(end) != '[') {
                    end++;
                }
                at = at.child(fieldPath.substring(i + 1, end));
                i = end;
            } else if (c == '[') {
                int end = fieldPath.indexOf(']', i);
                if (end < 0) {
                    break;
                }
                String inner = fieldPath.substring(i + 1, end);
                at = at.child(
                        inner.startsWith("'") && inner.endsWith("'") && inner.length() >= 2
                                ? inner.substring(1, inner.length() - 1)
                                : inner);
                i = end + 1;
            } else {
                i++;
            }
        }
        return at;
    }

    private static Map<List<JsonNode>, JsonNode> byKey(ArrayNode array, SchemaNode s) {
        Map<List<JsonNode>, JsonNode> out = new HashMap<>();
        for (JsonNode item : array) {
            out.putIfAbsent(keyOf(item, s), item);
        }
        return out;
    }

    private static List<JsonNode> keyOf(JsonNode item, SchemaNode s) {
        List<JsonNode> key = new ArrayList<>(s.listMapKeys.size());
        for (String k : s.listMapKeys) {
            JsonNode v = item.get(k);
            key.add(v == null ? JsonNodeFactory.instance.nullNode() : v);
        }
        return key;
    }

    private static FieldError invalid(FieldPath path, String shownValue, String detail) {
        return new FieldError(FieldError.Type.INVALID, path.toString(), shownValue, detail);
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
