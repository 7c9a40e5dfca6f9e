package dev.gantry.kube.admission;

import static dev.gantry.kube.admission.VersionSchema.ROOT_KEPT;
import static dev.gantry.kube.admission.VersionSchema.byKey;
import static dev.gantry.kube.admission.VersionSchema.invalid;
import static dev.gantry.kube.admission.VersionSchema.keyOf;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One evaluation of a CRD version's {@code x-kubernetes-validations} rules over an object, after its structural
 * validation found nothing that makes it unreadable to CEL. Rules of a part that did not change are ratcheted;
 * transition rules compare with the stored object. Holds the errors found and the CEL values built for the object.
 */
final class RuleValidation {

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

    final List<FieldError> celErrors = new ArrayList<>();
    /** CEL values by JSON node: converting a node converts its subtree, which rules further down reuse. */
    private final Map<JsonNode, Object> celValues = new IdentityHashMap<>();

    /** Evaluates the rules of one node and its subtree, each part against its stored self on an update. */
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
                celErrors.add(
                        invalid(path, FieldError.quote(s.celTypeName()), "rule compile error: " + compiled.error()));
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
}
