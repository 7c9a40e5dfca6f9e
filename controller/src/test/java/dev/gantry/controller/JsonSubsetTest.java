package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonSubsetTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static JsonNode json(String text) {
        return MAPPER.readTree(text);
    }

    @Test
    void aFieldGantryDoesNotSetAsksForNothing() {
        // A provisioned object without annotations must not look drifted (it was "restored" after every change).
        JsonNode desired = json("{\"metadata\":{\"labels\":{\"app\":\"proxy\"}}}");
        for (String actual : new String[] {
            "{\"metadata\":{\"labels\":{\"app\":\"proxy\"}}}",
            "{\"metadata\":{\"labels\":{\"app\":\"proxy\"},\"annotations\":{\"user\":\"x\"}}}"
        }) {
            JsonNode object = json(actual);
            assertTrue(
                    JsonSubset.contains(
                            object.path("metadata").path("annotations"),
                            desired.path("metadata").path("annotations")),
                    actual);
            assertTrue(JsonSubset.contains(object, desired), actual);
        }
    }

    @Test
    void aFieldGantrySetsMustBeThereWithItsValue() {
        JsonNode desired = json("{\"metadata\":{\"annotations\":{\"owner\":\"edge\"}},\"spec\":{\"replicas\":2}}");
        assertTrue(JsonSubset.contains(
                json("{\"metadata\":{\"annotations\":{\"owner\":\"edge\",\"x\":\"y\"}},"
                        + "\"spec\":{\"replicas\":2.0,\"paused\":false}}"),
                desired));
        assertFalse(JsonSubset.contains(json("{\"metadata\":{},\"spec\":{\"replicas\":2}}"), desired));
        assertFalse(JsonSubset.contains(
                json("{\"metadata\":{\"annotations\":{\"owner\":\"edge\"}}," + "\"spec\":{\"replicas\":7}}"), desired));
    }
}
