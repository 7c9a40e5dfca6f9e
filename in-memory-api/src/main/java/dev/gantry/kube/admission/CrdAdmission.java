package dev.gantry.kube.admission;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Admission of the custom resources of registered CRDs, as the API server admits them: the object is pruned of
 * fields its schema does not describe, defaulted, then validated against its version's schema and CEL rules. Only
 * CRDs of the groups given at construction are governed; objects of other kinds pass untouched.
 *
 * <p>Schemas are parsed once per CRD content and shared by every instance in the process (tests start many
 * in-memory APIs with the same CRDs); CEL programs are compiled on first use and shared likewise.
 */
public final class CrdAdmission {

    /** The Gateway API's groups: the standard and the experimental (x-k8s.io) one. */
    public static final Set<String> GATEWAY_API_GROUPS =
            Set.of("gateway.networking.k8s.io", "gateway.networking.x-k8s.io");

    private static final Map<String, Map<String, VersionSchema>> PARSED = new ConcurrentHashMap<>();
    /** One background thread compiles the rules of every CRD registered in the process. */
    private static final ExecutorService COMPILER = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("crd-rule-compiler").factory());

    /** What a write does to its object: the main resource, or only its status. */
    public enum Operation {
        CREATE,
        UPDATE,
        STATUS_UPDATE
    }

    /** A governed resource: its kind and its schemas by version name. */
    private record Resource(String group, String kind, Map<String, VersionSchema> versions) {}

    /**
     * The outcome of admitting one write.
     *
     * @param object what the write stores (pruned and defaulted), whether or not it is valid
     * @param errors the reasons it is refused; empty when admitted
     * @param group the resource's group
     * @param kind the resource's kind
     * @param name the object's name
     */
    public record Outcome(ObjectNode object, List<FieldError> errors, String group, String kind, String name) {

        public boolean admitted() {
            return errors.isEmpty();
        }

        /** The API server's message, e.g. {@code Gateway.gateway.networking.k8s.io "gw" is invalid: spec...}. */
        public String message() {
            // Kubernetes' error aggregate: one error bare, several in brackets, repeated messages once.
            Set<String> distinct = new LinkedHashSet<>();
            errors.forEach(e -> distinct.add(e.toString()));
            String all = distinct.size() == 1 ? distinct.iterator().next() : "[" + String.join(", ", distinct) + "]";
            return kind + "." + group + " \"" + name + "\" is invalid: " + all;
        }

        /** The {@code Status} body of the 422 answer. */
        public ObjectNode status() {
            JsonNodeFactory f = JsonNodeFactory.instance;
            ObjectNode status = f.objectNode();
            status.put("kind", "Status");
            status.put("apiVersion", "v1");
            status.putObject("metadata");
            status.put("status", "Failure");
            status.put("message", message());
            status.put("reason", "Invalid");
            ObjectNode details = status.putObject("details");
            details.put("name", name);
            details.put("group", group);
            details.put("kind", kind);
            ArrayNode causes = details.putArray("causes");
            for (FieldError e : errors) {
                ObjectNode cause = causes.addObject();
                cause.put("reason", e.type().reason());
                cause.put("message", e.body());
                cause.put("field", e.field());
            }
            status.put("code", 422);
            return status;
        }
    }

    private final Set<String> groups;
    /** Governed resources by group and plural. */
    private final Map<String, Resource> resources = new ConcurrentHashMap<>();

    public CrdAdmission(Set<String> groups) {
        this.groups = Set.copyOf(groups);
    }

    /** Governs the CRD's resource if its group is one of this admission's; other CRDs are ignored. */
    public void register(JsonNode crd) {
        JsonNode spec = crd.path("spec");
        String group = spec.path("group").asString("");
        if (!groups.contains(group)) {
            return;
        }
        String plural = spec.path("names").path("plural").asString("");
        String kind = spec.path("names").path("kind").asString("");
        Map<String, VersionSchema> versions = PARSED.computeIfAbsent(spec.toString(), key -> {
            Map<String, VersionSchema> parsed = parse(spec);
            precompile(spec);
            return parsed;
        });
        resources.put(group + "/" + plural, new Resource(group, kind, versions));
    }

    /**
     * Compiles the CRD's rules in the background: compiling is slow on a cold JVM (seconds for the bundle), and
     * would otherwise fall on the first objects written, which is where a standalone start or a load test's world
     * is being applied.
     */
    private static void precompile(JsonNode spec) {
        List<String> expressions = new ArrayList<>();
        collectRules(spec.path("versions"), expressions);
        COMPILER.execute(() -> expressions.forEach(CelLibrary::compile));
    }

    private static void collectRules(JsonNode node, List<String> out) {
        if (node.isObject()) {
            for (JsonNode rule : node.path("x-kubernetes-validations")) {
                out.add(rule.path("rule").asString());
                if (rule.hasNonNull("messageExpression")) {
                    out.add(rule.get("messageExpression").asString());
                }
            }
            node.forEach(child -> collectRules(child, out));
        } else if (node.isArray()) {
            node.forEach(child -> collectRules(child, out));
        }
    }

    private static Map<String, VersionSchema> parse(JsonNode spec) {
        Map<String, VersionSchema> versions = new ConcurrentHashMap<>();
        for (JsonNode version : spec.path("versions")) {
            JsonNode schema = version.path("schema").path("openAPIV3Schema");
            if (version.path("served").asBoolean(true) && schema.isObject()) {
                versions.put(version.path("name").asString(), new VersionSchema(SchemaNode.parse(schema)));
            }
        }
        return Map.copyOf(versions);
    }

    /** Whether writes of this resource are admitted here (its CRD is registered and of a governed group). */
    public boolean governs(String group, String plural) {
        return resources.containsKey(group + "/" + plural);
    }

    /**
     * Admits a write. The request body is changed in place (pruned and defaulted), as the API server decodes it.
     *
     * @param operation what the write changes
     * @param group the resource's group
     * @param version the version the client wrote (its schema is the one applied)
     * @param plural the resource's plural name
     * @param body the object as sent; for a status update only its {@code status} counts
     * @param stored the stored object on an update, else null
     * @return the object to store and, if refused, why; null when the resource is not governed
     */
    public Outcome admit(
            Operation operation, String group, String version, String plural, ObjectNode body, ObjectNode stored) {
        Resource resource = resources.get(group + "/" + plural);
        if (resource == null) {
            return null;
        }
        VersionSchema schema = resource.versions().get(version);
        if (schema == null) {
            schema = resource.versions().get("v1");
        }
        if (schema == null) {
            return null;
        }
        schema.pruneAndDefault(body);
        ObjectNode effective = body;
        if (stored != null && operation == Operation.STATUS_UPDATE) {
            // A status write changes the status alone; the rest is what is stored.
            effective = stored.deepCopy();
            if (body.has("status")) {
                effective.set("status", body.get("status"));
            } else {
                effective.remove("status");
            }
        } else if (stored != null && operation == Operation.UPDATE) {
            // A main-resource write leaves the status as stored.
            effective = body.deepCopy();
            if (stored.has("status")) {
                effective.set("status", stored.get("status"));
            } else {
                effective.remove("status");
            }
        }
        List<FieldError> errors = new ArrayList<>(schema.validate(effective, stored));
        String name = body.path("metadata").path("name").asString("");
        if (name.isEmpty() && stored != null) {
            name = stored.path("metadata").path("name").asString("");
        }
        return new Outcome(body, List.copyOf(errors), resource.group(), resource.kind(), name);
    }
}
