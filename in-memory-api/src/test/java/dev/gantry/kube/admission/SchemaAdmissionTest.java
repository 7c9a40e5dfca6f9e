package dev.gantry.kube.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.kube.InMemoryKubernetesApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory API prunes, defaults and validates Gateway API objects against their CRD schemas as a server does. */
class SchemaAdmissionTest {

    private static InMemoryKubernetesApi api;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = InMemoryKubernetesApi.start(0, InMemoryKubernetesApi.EXPERIMENTAL_CRDS);
        client = api.newClient("schema-admission-test");
    }

    @AfterAll
    static void stop() {
        client.close();
        api.close();
    }

    private static GenericKubernetesResource object(String yaml) {
        return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    }

    private static GenericKubernetesResource create(String yaml) {
        return client.resource(object(yaml)).create();
    }

    private static KubernetesClientException refused(Runnable write) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, write::run);
        assertEquals(422, e.getCode(), e.getMessage());
        assertEquals("Invalid", e.getStatus().getReason());
        assertEquals(422, e.getStatus().getCode());
        return e;
    }

    private static StatusCause cause(KubernetesClientException e, String field) {
        return e.getStatus().getDetails().getCauses().stream()
                .filter(c -> field.equals(c.getField()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no cause at " + field + ": " + e.getStatus().getMessage()));
    }

    private static String gateway(String name, String listeners) {
        return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: default}
        spec:
          gatewayClassName: gc
          listeners: %s
        """.formatted(name, listeners);
    }

    @Test
    void aPatternMismatchIsRefusedInTheServersWords() {
        KubernetesClientException e =
                refused(() -> create(gateway("pattern", "[{name: http, port: 80, protocol: HTTP, hostname: Foo}]")));
        String pattern = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
        assertEquals(
                "Gateway.gateway.networking.k8s.io \"pattern\" is invalid: spec.listeners[0].hostname: Invalid value:"
                        + " \"Foo\": spec.listeners[0].hostname in body should match '" + pattern + "'",
                e.getStatus().getMessage());
        StatusCause cause = cause(e, "spec.listeners[0].hostname");
        assertEquals("FieldValueInvalid", cause.getReason());
        assertEquals("pattern", e.getStatus().getDetails().getName());
        assertEquals("gateway.networking.k8s.io", e.getStatus().getDetails().getGroup());
        assertEquals("Gateway", e.getStatus().getDetails().getKind());
    }

    @Test
    void anEnumValueOutsideTheListIsNotSupportedAndStopsTheRules() {
        KubernetesClientException e = refused(() -> create(gateway(
                "enum",
                "[{name: http, port: 80, protocol: HTTP," + " allowedRoutes: {namespaces: {from: Everywhere}}}]")));
        StatusCause cause = cause(e, "spec.listeners[0].allowedRoutes.namespaces.from");
        assertEquals("FieldValueNotSupported", cause.getReason());
        assertEquals(
                "Unsupported value: \"Everywhere\": supported values: \"All\", \"Selector\", \"Same\"",
                cause.getMessage());
        assertTrue(
                e.getStatus()
                        .getMessage()
                        .contains(
                                "<nil>: Invalid value: null: some validation rules were not"
                                        + " checked because the object was invalid; correct the existing errors to complete validation"));
    }

    @Test
    void tooManyItemsAndTooLongStringsAreRefused() {
        List<String> listeners = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            listeners.add("{name: l" + i + ", port: " + (1000 + i) + ", protocol: HTTP}");
        }
        KubernetesClientException many = refused(() -> create(gateway("many", listeners.toString())));
        StatusCause tooMany = cause(many, "spec.listeners");
        assertEquals("FieldValueTooMany", tooMany.getReason());
        assertEquals("Too many: 65: must have at most 64 items", tooMany.getMessage());

        KubernetesClientException longName =
                refused(() -> create(gateway("long", "[{name: " + "a".repeat(254) + ", port: 80, protocol: HTTP}]")));
        StatusCause tooLong = cause(longName, "spec.listeners[0].name");
        assertEquals("FieldValueTooLong", tooLong.getReason());
        assertEquals("Too long: may not be more than 253 bytes", tooLong.getMessage());
    }

    @Test
    void aDuplicateKeyInAMapListIsRefused() {
        KubernetesClientException e = refused(() -> create(
                gateway("dup", "[{name: http, port: 80, protocol: HTTP}, {name: http, port: 81, protocol: HTTP}]")));
        StatusCause duplicate = cause(e, "spec.listeners[1]");
        assertEquals("FieldValueDuplicate", duplicate.getReason());
        assertEquals("Duplicate value: map[string]interface {}{\"name\":\"http\"}", duplicate.getMessage());
    }

    @Test
    void aMissingRequiredFieldIsRefused() {
        KubernetesClientException e = refused(() -> create(gateway("required", "[{name: http, protocol: HTTP}]")));
        StatusCause required = cause(e, "spec.listeners[0].port");
        assertEquals("FieldValueRequired", required.getReason());
        assertEquals("Required value", required.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeIsRefused() {
        KubernetesClientException e =
                refused(() -> create(gateway("type", "[{name: http, port: eighty, protocol: HTTP}]")));
        StatusCause type = cause(e, "spec.listeners[0].port");
        assertEquals("FieldValueTypeInvalid", type.getReason());
        assertEquals(
                "Invalid value: \"string\": spec.listeners[0].port in body must be of type integer: \"string\"",
                type.getMessage());
    }

    @Test
    void aNumberBelowTheMinimumIsRefused() {
        KubernetesClientException e =
                refused(() -> create(gateway("minimum", "[{name: http, port: 0, protocol: HTTP}]")));
        assertEquals(
                "Invalid value: 0: spec.listeners[0].port in body should be greater than or equal to 1",
                cause(e, "spec.listeners[0].port").getMessage());
    }

    @Test
    void defaultsAreAppliedAndUnknownFieldsPrunedOnCreate() {
        GenericKubernetesResource gw =
                create(gateway("defaults", "[{name: http, port: 80, protocol: HTTP, bogus: 1}]") + "  unknown: true\n");
        Map<String, Object> listener = listeners(gw).getFirst();
        assertEquals(Map.of("namespaces", Map.of("from", "Same")), listener.get("allowedRoutes"));
        assertFalse(listener.containsKey("bogus"));
        assertFalse(spec(gw).containsKey("unknown"));

        GenericKubernetesResource route = create("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: defaults, namespace: default}
        spec:
          parentRefs: [{name: gw}]
          rules:
          - backendRefs: [{name: svc, port: 80}]
        """);
        @SuppressWarnings("unchecked")
        Map<String, Object> rule = ((List<Map<String, Object>>) spec(route).get("rules")).getFirst();
        assertEquals(List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/"))), rule.get("matches"));
        @SuppressWarnings("unchecked")
        Map<String, Object> parent = ((List<Map<String, Object>>) spec(route).get("parentRefs")).getFirst();
        assertEquals("gateway.networking.k8s.io", parent.get("group"));
        assertEquals("Gateway", parent.get("kind"));
    }

    @Test
    void anOlderServedVersionIsValidatedAgainstItsOwnSchema() {
        KubernetesClientException e = refused(() -> create("""
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: HTTPRoute
        metadata: {name: beta, namespace: default}
        spec:
          hostnames: [Foo]
        """));
        assertTrue(cause(e, "spec.hostnames[0]").getMessage().contains("should match"));
    }

    @Test
    void updatesAndPatchesAreValidatedAndMergePatchesReplaceLists() {
        GenericKubernetesResource gw = create(gateway("patched", "[{name: http, port: 80, protocol: HTTP}]"));
        var resource = client.genericKubernetesResources("gateway.networking.k8s.io/v1", "Gateway")
                .inNamespace("default")
                .withName("patched");
        KubernetesClientException merge = refused(
                () -> resource.patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"listeners\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"HTTP\",\"hostname\":\"Foo\"}]}}"));
        cause(merge, "spec.listeners[0].hostname");

        GenericKubernetesResource patched = resource.patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"listeners\":[{\"name\":\"other\",\"port\":81,\"protocol\":\"HTTP\"}]}}");
        assertEquals(1, listeners(patched).size(), "RFC 7386: a list in a merge patch replaces the stored one");
        assertEquals("other", listeners(resource.get()).getFirst().get("name"));
        assertEquals(
                Map.of("namespaces", Map.of("from", "Same")),
                listeners(resource.get()).getFirst().get("allowedRoutes"));

        KubernetesClientException json = refused(() -> resource.patch(
                PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/listeners/0/port\",\"value\":70000}]"));
        cause(json, "spec.listeners[0].port");

        GenericKubernetesResource current = resource.get();
        spec(current).put("gatewayClassName", "");
        KubernetesClientException update =
                refused(() -> client.resource(current).update());
        cause(update, "spec.gatewayClassName");
        assertEquals(gw.getMetadata().getUid(), resource.get().getMetadata().getUid());
    }

    @Test
    void statusWritesAreValidated() {
        create("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: BackendTLSPolicy
        metadata: {name: policy, namespace: default}
        spec:
          targetRefs: [{group: '', kind: Service, name: svc}]
          validation: {hostname: example.com, wellKnownCACertificates: System}
        """);
        var policy = client.genericKubernetesResources("gateway.networking.k8s.io/v1", "BackendTLSPolicy")
                .inNamespace("default")
                .withName("policy");
        List<Object> ancestors = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            ancestors.add(Map.of(
                    "ancestorRef",
                    Map.of("name", "gw" + i),
                    "controllerName",
                    "example.com/c",
                    "conditions",
                    List.of(condition("Accepted"))));
        }
        GenericKubernetesResource withAncestors = policy.get();
        withAncestors.setAdditionalProperty("status", Map.of("ancestors", ancestors));
        KubernetesClientException e =
                refused(() -> client.resource(withAncestors).updateStatus());
        assertEquals(
                "Too many: 17: must have at most 16 items",
                cause(e, "status.ancestors").getMessage());
        GenericKubernetesResource sixteen = policy.get();
        sixteen.setAdditionalProperty("status", Map.of("ancestors", ancestors.subList(0, 16)));
        client.resource(sixteen).updateStatus();

        GenericKubernetesResource route = create("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: parents, namespace: default}
        spec:
          parentRefs: [{name: gw}]
        """);
        List<Object> parents = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            parents.add(Map.of(
                    "parentRef",
                    Map.of("name", "gw" + i),
                    "controllerName",
                    "example.com/c",
                    "conditions",
                    List.of(condition("Accepted"))));
        }
        route.setAdditionalProperty("status", Map.of("parents", parents));
        e = refused(() -> client.resource(route).updateStatus());
        assertEquals(
                "Too many: 33: must have at most 32 items",
                cause(e, "status.parents").getMessage());

        GenericKubernetesResource gw = create(gateway("conditions", "[{name: http, port: 80, protocol: HTTP}]"));
        List<Object> conditions = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            conditions.add(condition("Type" + i));
        }
        gw.setAdditionalProperty("status", Map.of("conditions", conditions));
        e = refused(() -> client.resource(gw).updateStatus());
        assertEquals("FieldValueTooMany", cause(e, "status.conditions").getReason());

        KubernetesClientException patch =
                refused(() -> client.genericKubernetesResources("gateway.networking.k8s.io/v1", "Gateway")
                        .inNamespace("default")
                        .withName("conditions")
                        .subresource("status")
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                Serialization.asJson(Map.of(
                                        "status",
                                        Map.of(
                                                "conditions",
                                                List.of(Map.of(
                                                        "type",
                                                        "Accepted",
                                                        "status",
                                                        "Maybe",
                                                        "reason",
                                                        "R",
                                                        "message",
                                                        "",
                                                        "lastTransitionTime",
                                                        "2026-01-01T00:00:00Z")))))));
        assertEquals(
                "FieldValueNotSupported",
                cause(patch, "status.conditions[0].status").getReason());
    }

    @Test
    void aTransitionRuleComparesWithTheStoredObject() {
        create("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: immutable}
        spec: {controllerName: example.com/c}
        """);
        GenericKubernetesResource gc = client.genericKubernetesResources("gateway.networking.k8s.io/v1", "GatewayClass")
                .withName("immutable")
                .get();
        spec(gc).put("controllerName", "example.com/other");
        KubernetesClientException e = refused(() -> client.resource(gc).update());
        assertEquals(
                "Invalid value: \"example.com/other\": Value is immutable",
                cause(e, "spec.controllerName").getMessage());
    }

    private static Map<String, Object> condition(String type) {
        return Map.of(
                "type",
                type,
                "status",
                "True",
                "reason",
                "Accepted",
                "message",
                "",
                "lastTransitionTime",
                "2026-01-01T00:00:00Z",
                "observedGeneration",
                1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource object) {
        return (Map<String, Object>) object.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listeners(GenericKubernetesResource gw) {
        return (List<Map<String, Object>>) spec(gw).get("listeners");
    }
}
