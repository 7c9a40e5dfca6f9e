package dev.gantry.kube.admission;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /** The object's own fields, which the schema does not prune, default or check. */
    static final Set<String> ROOT_KEPT = Set.of("apiVersion", "kind", "metadata");

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
        SchemaValidation schema = new SchemaValidation();
        schema.check(object, old, root, FieldPath.ROOT, old != null && old.equals(object), true, schema.schemaErrors);
        List<FieldError> errors = new ArrayList<>(schema.schemaErrors);
        errors.addAll(schema.listErrors);
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
            RuleValidation rules = new RuleValidation();
            rules.cel(object, old, root, FieldPath.ROOT, old != null && old.equals(object), true);
            errors.addAll(rules.celErrors);
        }
        return errors;
    }

    // ---- What the validations share ----------------------------------------------------------------------------

    /** The items of a map list by their keys, the first of each: an item's stored self on an update. */
    static Map<List<JsonNode>, JsonNode> byKey(ArrayNode array, SchemaNode s) {
        Map<List<JsonNode>, JsonNode> out = new HashMap<>();
        for (JsonNode item : array) {
            out.putIfAbsent(keyOf(item, s), item);
        }
        return out;
    }

    /** The values of a map list item's keys, a null node for each it lacks. */
    static List<JsonNode> keyOf(JsonNode item, SchemaNode s) {
        List<JsonNode> key = new ArrayList<>(s.listMapKeys.size());
        for (String k : s.listMapKeys) {
            JsonNode v = item.get(k);
            key.add(v == null ? JsonNodeFactory.instance.nullNode() : v);
        }
        return key;
    }

    static FieldError invalid(FieldPath path, String shownValue, String detail) {
        return new FieldError(FieldError.Type.INVALID, path.toString(), shownValue, detail);
    }
}
