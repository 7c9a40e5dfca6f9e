package dev.gantry.kube.admission;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * One node of a CRD version's structural OpenAPI schema, parsed once. Patterns are compiled and rules are
 * attached here so that admitting an object never re-reads the schema.
 */
final class SchemaNode {

    final String type;
    final Map<String, SchemaNode> properties;
    final SchemaNode items;
    final SchemaNode additionalProperties;
    final List<String> required;
    final List<JsonNode> enumValues;
    final String pattern;
    final Pattern compiledPattern;
    final Long minLength;
    final Long maxLength;
    final Long minItems;
    final Long maxItems;
    final Long maxProperties;
    final Double minimum;
    final Double maximum;
    final String format;
    final boolean nullable;
    final boolean intOrString;
    final boolean preserveUnknownFields;
    final String listType;
    final List<String> listMapKeys;
    final JsonNode defaultValue;
    final List<SchemaNode> oneOf;
    final List<SchemaNode> anyOf;
    final SchemaNode not;
    final List<CelRule> rules;
    /** Whether a rule here reads {@code oldSelf}. */
    final boolean transitionRules;
    /** Whether this node or one below it carries CEL rules: subtrees without any are not walked for CEL. */
    final boolean rulesBelow;
    /** Whether this node or one below it carries a transition rule (the only rules an unchanged part needs). */
    final boolean transitionRulesBelow;
    /** Property names as CEL sees them (reserved words and odd characters escaped as Kubernetes does). */
    final Map<String, String> celNames;

    private SchemaNode(JsonNode s) {
        type = text(s, "type");
        Map<String, SchemaNode> props = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        JsonNode p = s.path("properties");
        if (p.isObject()) {
            for (Map.Entry<String, JsonNode> e : p.properties()) {
                props.put(e.getKey(), new SchemaNode(e.getValue()));
                names.put(e.getKey(), CelNames.escape(e.getKey()));
            }
        }
        properties = Collections.unmodifiableMap(props);
        celNames = names;
        items = s.path("items").isObject() ? new SchemaNode(s.get("items")) : null;
        additionalProperties =
                s.path("additionalProperties").isObject() ? new SchemaNode(s.get("additionalProperties")) : null;
        required = strings(s.path("required"));
        List<JsonNode> en = new ArrayList<>();
        s.path("enum").forEach(en::add);
        enumValues = s.has("enum") ? List.copyOf(en) : null;
        pattern = text(s, "pattern");
        compiledPattern = pattern == null ? null : Pattern.compile(pattern);
        minLength = number(s, "minLength");
        maxLength = number(s, "maxLength");
        minItems = number(s, "minItems");
        maxItems = number(s, "maxItems");
        maxProperties = number(s, "maxProperties");
        minimum = s.path("minimum").isNumber() ? s.get("minimum").doubleValue() : null;
        maximum = s.path("maximum").isNumber() ? s.get("maximum").doubleValue() : null;
        format = text(s, "format");
        nullable = s.path("nullable").asBoolean(false);
        intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
        preserveUnknownFields = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        listType = text(s, "x-kubernetes-list-type");
        listMapKeys = strings(s.path("x-kubernetes-list-map-keys"));
        defaultValue = s.has("default") ? s.get("default") : null;
        oneOf = nodes(s.path("oneOf"));
        anyOf = nodes(s.path("anyOf"));
        not = s.path("not").isObject() ? new SchemaNode(s.get("not")) : null;
        List<CelRule> parsed = new ArrayList<>();
        for (JsonNode r : s.path("x-kubernetes-validations")) {
            parsed.add(CelRule.of(r));
        }
        rules = List.copyOf(parsed);
        transitionRules = rules.stream().anyMatch(CelRule::transition);
        boolean below = !rules.isEmpty()
                || (items != null && items.rulesBelow)
                || (additionalProperties != null && additionalProperties.rulesBelow);
        boolean transitionBelow = transitionRules
                || (items != null && items.transitionRulesBelow)
                || (additionalProperties != null && additionalProperties.transitionRulesBelow);
        for (SchemaNode child : properties.values()) {
            below |= child.rulesBelow;
            transitionBelow |= child.transitionRulesBelow;
        }
        rulesBelow = below;
        transitionRulesBelow = transitionBelow;
    }

    /** Parses a version's {@code openAPIV3Schema}. */
    static SchemaNode parse(JsonNode openApiV3Schema) {
        return new SchemaNode(openApiV3Schema);
    }

    boolean isListMap() {
        return "map".equals(listType) && !listMapKeys.isEmpty();
    }

    /** The CEL type name Kubernetes reports for a value of this node in rule errors. */
    String celTypeName() {
        if (intOrString) {
            return "";
        }
        return type == null ? "" : type;
    }

    private static String text(JsonNode s, String field) {
        JsonNode v = s.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static Long number(JsonNode s, String field) {
        JsonNode v = s.get(field);
        return v == null || !v.isNumber() ? null : v.longValue();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asString()));
        return List.copyOf(out);
    }

    private static List<SchemaNode> nodes(JsonNode array) {
        List<SchemaNode> out = new ArrayList<>();
        array.forEach(v -> out.add(new SchemaNode(v)));
        return List.copyOf(out);
    }
}
