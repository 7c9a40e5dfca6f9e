package dev.gantry.controller;

import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Whether an object has every field Gantry set, with the value it set. Fields an API server adds (defaults,
 * node ports, cluster IPs) are ignored, so comparing desired to actual never causes an update loop.
 */
final class JsonSubset {

    private JsonSubset() {}

    static boolean contains(JsonNode actual, JsonNode desired) {
        // A field Gantry does not set (absent, e.g. no annotations at all) asks for nothing.
        if (desired == null || desired.isNull() || desired.isMissingNode()) {
            return true;
        }
        if (actual == null || actual.isNull() || actual.isMissingNode()) {
            return desired.isEmpty() && (desired.isObject() || desired.isArray());
        }
        if (desired.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> fields = desired.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!contains(actual.get(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!actual.isArray() || actual.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!contains(actual.get(i), desired.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isNumber() && actual.isNumber()) {
            return desired.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        return desired.equals(actual) || desired.asString().equals(actual.asString());
    }
}
