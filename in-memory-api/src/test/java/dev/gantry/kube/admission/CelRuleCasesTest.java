package dev.gantry.kube.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gantry.kube.InMemoryKubernetesApi;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Every CEL rule of the bundled Gateway API CRDs, in every kind and version that carries it, refuses an object that
 * breaks it (422, the rule's message, at the rule's field) and admits one that keeps it. The inputs come from
 * {@code cel-rule-cases.yaml}, one case per rule; a rule without a case fails the test, so a new CRD version cannot
 * bring rules nobody checked.
 */
class CelRuleCasesTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A valid object's spec for each kind: what a case's value is placed into. */
    private static final Map<String, String> BASE = Map.ofEntries(
            Map.entry("Gateway", "{gatewayClassName: gc, listeners: [{name: http, port: 80, protocol: HTTP}]}"),
            Map.entry("GatewayClass", "{controllerName: example.com/c}"),
            Map.entry("XMesh", "{controllerName: example.com/c}"),
            Map.entry("HTTPRoute", "{parentRefs: [{name: gw}]}"),
            Map.entry("GRPCRoute", "{parentRefs: [{name: gw}]}"),
            Map.entry("TCPRoute", "{parentRefs: [{name: gw}], rules: [{backendRefs: [{name: svc, port: 80}]}]}"),
            Map.entry("UDPRoute", "{parentRefs: [{name: gw}], rules: [{backendRefs: [{name: svc, port: 80}]}]}"),
            Map.entry(
                    "TLSRoute",
                    "{parentRefs: [{name: gw}], hostnames: [a.example.com],"
                            + " rules: [{backendRefs: [{name: svc, port: 443}]}]}"),
            Map.entry(
                    "BackendTLSPolicy",
                    "{targetRefs: [{group: '', kind: Service, name: svc}],"
                            + " validation: {hostname: example.com, wellKnownCACertificates: System}}"),
            Map.entry("ListenerSet", "{parentRef: {name: gw}, listeners: [{name: http, port: 80, protocol: HTTP}]}"),
            Map.entry(
                    "XBackend",
                    "{type: ExternalHostname, externalHostname: {hostname: api.example.com}," + " port: {port: 443}}"),
            Map.entry("XBackendTrafficPolicy", "{targetRefs: [{group: '', kind: Service, name: svc}]}"));

    private static final Map<String, String> FILTER_TYPES = Map.of(
            "requestMirror",
            "RequestMirror",
            "externalAuth",
            "ExternalAuth",
            "cors",
            "CORS",
            "requestRedirect",
            "RequestRedirect",
            "urlRewrite",
            "URLRewrite");

    /** Where a rule sits: a kind's version and the path of the schema node (with [*] for list items). */
    private record Occurrence(
            String group, String version, String kind, boolean namespaced, String path, String rule, String message) {}

    private final AtomicInteger names = new AtomicInteger();

    @ParameterizedTest
    @ValueSource(strings = {InMemoryKubernetesApi.STANDARD_CRDS, InMemoryKubernetesApi.EXPERIMENTAL_CRDS})
    void everyRuleRefusesWhatBreaksItAndAdmitsWhatKeepsIt(String bundle) throws IOException {
        Map<String, JsonNode> cases = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("cel-rule-cases.yaml")) {
            for (JsonNode c : YAML.readTree(in)) {
                cases.put(c.path("rule").asString(), c);
            }
        }
        List<Occurrence> occurrences = occurrences(bundle);
        assertTrue(occurrences.size() > 100, "the bundle's rules were found: " + occurrences.size());
        Set<String> missing = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        try (InMemoryKubernetesApi api = InMemoryKubernetesApi.start(0, bundle);
                KubernetesClient client = api.newClient("cel-rule-cases")) {
            for (Occurrence o : occurrences) {
                JsonNode c = cases.get(o.rule());
                if (c == null) {
                    missing.add(o.kind() + " " + o.path() + ": " + o.rule());
                    continue;
                }
                String where = o.kind() + "/" + o.version() + " " + o.path() + " (" + o.message() + "): ";
                try {
                    check(client, o, c);
                } catch (AssertionError | RuntimeException e) {
                    failures.add(where + e.getMessage());
                }
            }
        }
        if (!missing.isEmpty()) {
            fail("CEL rules without a case in cel-rule-cases.yaml:\n" + String.join("\n", missing));
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + occurrences.size() + " rule checks failed:\n"
                    + String.join("\n", failures));
        }
    }

    private void check(KubernetesClient client, Occurrence o, JsonNode c) {
        String field = o.path().substring(1).replace("[*]", "[0]");
        JsonNode good = c.get("good");
        JsonNode bad = c.has("badByField") ? c.get("badByField").get(lastName(o.path())) : c.get("bad");
        boolean status = o.path().startsWith(".status");
        // The rule is kept: the object is admitted.
        GenericKubernetesResource created = write(client, o, good, null, status);
        KubernetesClientException refused;
        try {
            write(client, o, bad, c.path("transition").asBoolean(false) ? created : null, status);
            throw new AssertionError("admitted " + bad);
        } catch (KubernetesClientException e) {
            refused = e;
        }
        assertEquals(422, refused.getCode(), refused.getMessage());
        assertEquals("Invalid", refused.getStatus().getReason());
        assertEquals(o.kind(), refused.getStatus().getDetails().getKind());
        assertEquals(o.group(), refused.getStatus().getDetails().getGroup());
        List<StatusCause> causes = refused.getStatus().getDetails().getCauses();
        boolean ruleCause = causes.stream()
                .anyMatch(cause -> field.equals(cause.getField())
                        && cause.getMessage().endsWith(": " + o.message())
                        && "FieldValueInvalid".equals(cause.getReason()));
        if (c.has("unreachable")) {
            assertTrue(
                    !ruleCause
                            && causes.stream()
                                    .anyMatch(cause ->
                                            cause.getMessage().contains("some validation rules were not checked")),
                    "refused by the schema before the rule: " + causes);
        } else {
            assertTrue(ruleCause, "a cause at " + field + " with the rule's message, among " + messages(causes));
            assertTrue(
                    refused.getStatus().getMessage().startsWith(o.kind() + "." + o.group() + " \""),
                    refused.getStatus().getMessage());
        }
    }

    private static List<String> messages(List<StatusCause> causes) {
        return causes.stream()
                .map(cause -> cause.getField() + ": " + cause.getMessage())
                .toList();
    }

    /** Creates an object with the value at the rule's place, or (given the stored one) changes it to have it. */
    private GenericKubernetesResource write(
            KubernetesClient client, Occurrence o, JsonNode value, GenericKubernetesResource stored, boolean status) {
        ObjectNode object;
        if (stored == null) {
            object = F.objectNode();
            object.put("apiVersion", o.group() + "/" + o.version());
            object.put("kind", o.kind());
            ObjectNode metadata = object.putObject("metadata");
            metadata.put("name", "case-" + names.incrementAndGet());
            if (o.namespaced()) {
                metadata.put("namespace", "default");
            }
            object.set("spec", YAML.readTree(BASE.get(o.kind())));
        } else {
            object = (ObjectNode) Serialization.jsonMapper().valueToTree(stored);
            object.put("apiVersion", o.group() + "/" + o.version());
        }
        if (status) {
            GenericKubernetesResource created =
                    client.resource(toResource(object)).create();
            ObjectNode withStatus = (ObjectNode) Serialization.jsonMapper().valueToTree(created);
            place(withStatus, o.kind(), o.path(), value);
            return client.resource(toResource(withStatus)).updateStatus();
        }
        place(object, o.kind(), o.path(), value);
        return stored == null
                ? client.resource(toResource(object)).create()
                : client.resource(toResource(object)).update();
    }

    private static GenericKubernetesResource toResource(ObjectNode object) {
        return Serialization.jsonMapper().treeToValue(object, GenericKubernetesResource.class);
    }

    /** Puts the value at the path, creating what leads there as a valid object of the kind would have it. */
    private static void place(ObjectNode object, String kind, String path, JsonNode value) {
        List<String> tokens = new ArrayList<>();
        for (String part : path.substring(1).split("\\.")) {
            if (part.endsWith("[*]")) {
                tokens.add(part.substring(0, part.length() - 3));
                tokens.add("[*]");
            } else {
                tokens.add(part);
            }
        }
        JsonNode current = object;
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            boolean last = i == tokens.size() - 1;
            String next = last ? null : tokens.get(i + 1);
            if (token.equals("[*]")) {
                prefix.append("[*]");
                ArrayNode array = (ArrayNode) current;
                if (last) {
                    if (array.isEmpty()) {
                        array.add(value.deepCopy());
                    } else {
                        array.set(0, value.deepCopy());
                    }
                    return;
                }
                JsonNode fill = fill(kind, prefix.toString(), next);
                if (array.isEmpty()) {
                    array.add(fill != null ? fill : F.objectNode());
                } else if (fill != null && replaces(kind, prefix.toString(), next)) {
                    array.set(0, fill);
                }
                current = array.get(0);
            } else {
                if (!prefix.isEmpty()) {
                    prefix.append('.');
                }
                prefix.append(token);
                ObjectNode parent = (ObjectNode) current;
                if (last) {
                    parent.set(token, value.deepCopy());
                    return;
                }
                JsonNode child = parent.get(token);
                if (child == null) {
                    JsonNode fill = fill(kind, prefix.toString(), next);
                    child = "[*]".equals(next) ? F.arrayNode() : fill != null ? fill : F.objectNode();
                    parent.set(token, child);
                }
                current = child;
            }
        }
    }

    private static boolean replaces(String kind, String prefix, String next) {
        return prefix.equals("spec.listeners[*]") && "tls".equals(next);
    }

    /** What a valid object has where the path passes through, when the base object has nothing there. */
    private static JsonNode fill(String kind, String prefix, String next) {
        String yaml = null;
        if (prefix.endsWith("filters[*]") && FILTER_TYPES.containsKey(next)) {
            yaml = "{type: " + FILTER_TYPES.get(next) + "}";
        } else if (prefix.endsWith("backendRefs[*]")) {
            yaml = "{name: svc, port: 80}";
        } else if (prefix.endsWith(".requestMirror")) {
            yaml = "{backendRef: {name: svc, port: 80}}";
        } else if (prefix.endsWith(".externalAuth")) {
            yaml = "{protocol: HTTP, http: {}, backendRef: {name: auth, port: 80}}";
        } else if (prefix.equals("spec.listeners[*]") && "tls".equals(next)) {
            yaml = "{name: https, port: 443, protocol: HTTPS}";
        } else if (kind.equals("XBackend") && prefix.equals("spec.tls")) {
            yaml = "{mode: ServerOnly, validation: {hostname: api.example.com, wellKnownCACertificates: System}}";
        } else if (prefix.equals("spec.tls.frontend")) {
            yaml = "{default: {validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}]}}}";
        } else if (prefix.equals("spec.retryConstraint.minRetryRate")) {
            yaml = "{count: 10}";
        }
        return yaml == null ? null : YAML.readTree(yaml);
    }

    private static String lastName(String path) {
        String last = path.substring(path.lastIndexOf('.') + 1);
        return last.endsWith("[*]") ? last.substring(0, last.length() - 3) : last;
    }

    /** Every rule of the bundle with the kind, version and schema path it sits at. */
    private static List<Occurrence> occurrences(String bundle) throws IOException {
        List<Occurrence> out = new ArrayList<>();
        try (InputStream in = InMemoryKubernetesApi.class.getResourceAsStream(bundle)) {
            var documents = YAML.readValues(YAML.createParser(in), JsonNode.class);
            while (documents.hasNext()) {
                JsonNode crd = documents.next();
                if (crd == null
                        || !"CustomResourceDefinition".equals(crd.path("kind").asString(""))) {
                    continue;
                }
                JsonNode spec = crd.path("spec");
                for (JsonNode version : spec.path("versions")) {
                    if (!version.path("served").asBoolean(true)) {
                        continue;
                    }
                    collect(
                            version.path("schema").path("openAPIV3Schema"),
                            "",
                            out,
                            spec,
                            version.path("name").asString());
                }
            }
        }
        return out;
    }

    private static void collect(JsonNode schema, String path, List<Occurrence> out, JsonNode spec, String version) {
        for (JsonNode rule : schema.path("x-kubernetes-validations")) {
            out.add(new Occurrence(
                    spec.path("group").asString(),
                    version,
                    spec.path("names").path("kind").asString(),
                    "Namespaced".equals(spec.path("scope").asString()),
                    path,
                    rule.path("rule").asString(),
                    rule.path("message").asString()));
        }
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            collect(p.getValue(), path + "." + p.getKey(), out, spec, version);
        }
        if (schema.has("items")) {
            collect(schema.get("items"), path + "[*]", out, spec, version);
        }
    }
}
