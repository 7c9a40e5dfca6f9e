package dev.gantry.kube.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What the API server does with rule features the Gateway API CRDs do not use (yet): messageExpression,
 * fieldPath, reason, transition rules and ratcheting, nullable and int-or-string values.
 */
class RuleFeaturesTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    private static final VersionSchema SCHEMA = new VersionSchema(SchemaNode.parse(YAML.readTree("""
      type: object
      properties:
        spec:
          type: object
          x-kubernetes-validations:
          - rule: self.min <= self.max
            messageExpression: "'min ' + string(self.min) + ' exceeds max ' + string(self.max)"
            fieldPath: .max
            reason: FieldValueForbidden
          - rule: "!has(oldSelf.frozen) || self.frozen == oldSelf.frozen"
            message: frozen cannot change
          properties:
            min: {type: integer}
            max: {type: integer}
            frozen: {type: string}
            port:
              x-kubernetes-int-or-string: true
            note:
              type: string
              nullable: true
            legacy:
              type: string
              maxLength: 3
      """)));

    private static ObjectNode object(String yaml) {
        return (ObjectNode) YAML.readTree(yaml);
    }

    private static List<FieldError> validate(String yaml, String old) {
        ObjectNode object = object(yaml);
        SCHEMA.pruneAndDefault(object);
        return SCHEMA.validate(object, old == null ? null : object(old));
    }

    @Test
    void messageExpressionFieldPathAndReasonShapeTheError() {
        List<FieldError> errors = validate("spec: {min: 5, max: 3}", null);
        assertEquals(1, errors.size(), errors.toString());
        FieldError error = errors.getFirst();
        assertEquals(FieldError.Type.FORBIDDEN, error.type());
        assertEquals("spec.max", error.field());
        assertEquals("Forbidden: min 5 exceeds max 3", error.body());
    }

    @Test
    void aTransitionRuleRunsOnUpdatesOnly() {
        assertEquals(List.of(), validate("spec: {min: 1, max: 2, frozen: a}", null));
        List<FieldError> errors = validate("spec: {min: 1, max: 2, frozen: b}", "spec: {min: 1, max: 2, frozen: a}");
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(
                "spec: Invalid value: frozen cannot change", errors.getFirst().toString());
    }

    @Test
    void anUpdateKeepsWhatWasStoredInvalidButNotWhatItChanges() {
        String stored = "spec: {min: 1, max: 2, legacy: toolong}";
        assertEquals(List.of(), validate("spec: {min: 1, max: 3, legacy: toolong}", stored));
        List<FieldError> changed = validate("spec: {min: 1, max: 2, legacy: longer}", stored);
        assertEquals(FieldError.Type.TOO_LONG, changed.getFirst().type());
        assertEquals(
                "spec.legacy: Too long: may not be more than 3 bytes",
                changed.getFirst().toString());
    }

    @Test
    void intOrStringAndNullableValues() {
        assertEquals(List.of(), validate("spec: {min: 1, max: 2, port: 80, note: null}", null));
        assertEquals(List.of(), validate("spec: {min: 1, max: 2, port: http}", null));
        List<FieldError> errors = validate("spec: {min: 1, max: 2, port: true}", null);
        assertEquals(FieldError.Type.TYPE_INVALID, errors.getFirst().type(), errors.toString());
        assertTrue(errors.getLast().toString().contains("some validation rules were not checked"), errors.toString());
    }

    @Test
    void aNullForAFieldThatCannotBeNullIsDropped() {
        ObjectNode object = object("spec: {min: 1, max: 2, frozen: null, note: null}");
        SCHEMA.pruneAndDefault(object);
        JsonNode spec = object.get("spec");
        assertTrue(!spec.has("frozen") && spec.get("note").isNull(), spec.toString());
    }
}
