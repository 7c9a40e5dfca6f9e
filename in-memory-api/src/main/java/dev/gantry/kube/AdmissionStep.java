package dev.gantry.kube;

import dev.gantry.kube.admission.CrdAdmission;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The in-memory API's admission of Gateway API objects, between the HTTP request and fabric8's store: creates,
 * updates and patches of the main resource and of its status are pruned, defaulted and validated as a real API
 * server does (see {@link CrdAdmission}); a refused write is answered 422 with the server's {@code Status}, an
 * admitted one goes to the store with the defaults in it.
 *
 * <p>A patch is applied here, to the stored object, so that the whole result is what gets validated; the store is
 * then sent a JSON patch that replaces what changed. That also gives merge patches RFC 7386's meaning (fabric8's
 * store would append to lists instead of replacing them).
 */
final class AdmissionStep {

    private static final Pattern RESOURCE =
            Pattern.compile("^/apis/([^/]+)/([^/]+)/(?:namespaces/([^/]+)/)?([^/]+)(?:/([^/]+))?(/status)?$");
    private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static final String JSON_PATCH = "application/json-patch+json";

    /** The request to hand on (changed or not), or the refusal and its message. */
    record Result(RecordedRequest request, MockResponse refusal, String message) {
        Result(RecordedRequest request) {
            this(request, null, null);
        }
    }

    private final CrdAdmission admission = new CrdAdmission(CrdAdmission.GATEWAY_API_GROUPS);
    private final KubernetesCrudDispatcher crud;
    private final Object patchLock = new Object();
    private volatile boolean enabled = true;

    AdmissionStep(KubernetesCrudDispatcher crud) {
        this.crud = crud;
    }

    void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Learns the schema of a CRD the store accepted (from the stored copy: the request body is consumed). */
    void afterWrite(String method, String bare, MockResponse response) {
        if (response.code() < 200
                || response.code() >= 300
                || !bare.startsWith(CRDS)
                || !("POST".equals(method) || "PUT".equals(method))
                || response.getBody() == null) {
            return;
        }
        try {
            admission.register(Serialization.jsonMapper().readTree(utf8(response.getBody())));
        } catch (RuntimeException e) {
            // not a CRD the store could parse either
        }
    }

    /** Whether this request writes a governed resource (the only ones {@link #admit} changes). */
    boolean governs(String method, String bare) {
        if (!enabled || !("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method))) {
            return false;
        }
        Matcher m = RESOURCE.matcher(bare);
        return m.matches()
                && CrdAdmission.GATEWAY_API_GROUPS.contains(m.group(1))
                && admission.governs(m.group(1), m.group(4));
    }

    /**
     * Admits a write of a governed resource.
     *
     * @param request the request, already converted to the stored version
     * @param bare its path without query
     * @param requestedVersion the version the client wrote to (its schema applies)
     */
    Result admit(RecordedRequest request, String bare, String requestedVersion) {
        if ("PATCH".equals(request.getMethod())) {
            synchronized (patchLock) {
                return doAdmit(request, bare, requestedVersion);
            }
        }
        return doAdmit(request, bare, requestedVersion);
    }

    private Result doAdmit(RecordedRequest request, String bare, String requestedVersion) {
        Matcher m = RESOURCE.matcher(bare);
        if (!m.matches()) {
            return new Result(request);
        }
        String group = m.group(1);
        String plural = m.group(4);
        boolean status = m.group(6) != null;
        String method = request.getMethod();
        JsonNode sent;
        try {
            sent = Serialization.jsonMapper().readTree(utf8(request.getBody()));
        } catch (RuntimeException e) {
            return new Result(request); // the store answers malformed bodies
        }
        if ("POST".equals(method)) {
            if (m.group(5) != null || !(sent instanceof ObjectNode body)) {
                return new Result(request);
            }
            return decide(request, CrdAdmission.Operation.CREATE, group, requestedVersion, plural, body, null, false);
        }
        String objectPath = status ? bare.substring(0, bare.length() - "/status".length()) : bare;
        ObjectNode stored = stored(objectPath);
        if (stored == null) {
            return new Result(request); // the store answers 404
        }
        CrdAdmission.Operation operation =
                status ? CrdAdmission.Operation.STATUS_UPDATE : CrdAdmission.Operation.UPDATE;
        if ("PUT".equals(method)) {
            if (!(sent instanceof ObjectNode body)) {
                return new Result(request);
            }
            return decide(request, operation, group, requestedVersion, plural, body, stored, false);
        }
        JsonNode patched = applyPatch(request.getHeader("Content-Type"), sent, stored);
        if (!(patched instanceof ObjectNode body)) {
            return new Result(request); // a patch type the store decides about (or refuses)
        }
        return decide(request, operation, group, requestedVersion, plural, body, stored, true);
    }

    private Result decide(
            RecordedRequest request,
            CrdAdmission.Operation operation,
            String group,
            String version,
            String plural,
            ObjectNode body,
            ObjectNode stored,
            boolean patch) {
        CrdAdmission.Outcome outcome = admission.admit(operation, group, version, plural, body, stored);
        if (outcome == null) {
            return new Result(request);
        }
        if (!outcome.admitted()) {
            return new Result(
                    request,
                    new MockResponse()
                            .setResponseCode(422)
                            .setHeader("Content-Type", "application/json")
                            .setBody(outcome.status().toString()),
                    outcome.message());
        }
        byte[] bytes;
        RecordedRequest forwarded;
        if (patch) {
            ArrayNode ops = replaceChanged(stored, outcome.object(), operation == CrdAdmission.Operation.STATUS_UPDATE);
            bytes = ops.toString().getBytes(StandardCharsets.UTF_8);
            forwarded = new RecordedRequest(
                    request.getHttpVersion(),
                    request.method(),
                    request.getPath(),
                    request.getHeaders()
                            .newBuilder()
                            .set("Content-Type", JSON_PATCH)
                            .build(),
                    new Buffer(bytes));
        } else {
            bytes = Serialization.jsonMapper().writeValueAsBytes(outcome.object());
            forwarded = new RecordedRequest(
                    request.getHttpVersion(),
                    request.method(),
                    request.getPath(),
                    request.getHeaders(),
                    new Buffer(bytes));
        }
        return new Result(forwarded);
    }

    private ObjectNode stored(String objectPath) {
        Map.Entry<?, String> entry = crud.findResource(crud.getKey(objectPath));
        if (entry == null) {
            return null;
        }
        return Serialization.jsonMapper().readTree(entry.getValue()) instanceof ObjectNode object ? object : null;
    }

    /** The patched object, or null for a patch type this step leaves to the store. */
    private static JsonNode applyPatch(String contentType, JsonNode patch, ObjectNode stored) {
        String type = contentType == null ? "" : contentType.toLowerCase();
        try {
            if (type.startsWith(JSON_PATCH)) {
                return JsonPatch.apply(patch, stored.deepCopy());
            }
            if (type.startsWith("application/merge-patch+json")) {
                return mergePatch(stored, patch);
            }
        } catch (RuntimeException e) {
            return null; // a patch that does not apply: the store answers it as it does
        }
        return null;
    }

    /** RFC 7386. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ObjectNode patchObject)) {
            return patch.deepCopy();
        }
        ObjectNode result =
                target instanceof ObjectNode object ? object.deepCopy() : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : patchObject.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** A JSON patch turning {@code stored} into {@code wanted}, one top-level member at a time. */
    private static ArrayNode replaceChanged(ObjectNode stored, ObjectNode wanted, boolean statusOnly) {
        ArrayNode ops = JsonNodeFactory.instance.arrayNode();
        Set<String> keys = new LinkedHashSet<>();
        stored.propertyNames().forEach(keys::add);
        wanted.propertyNames().forEach(keys::add);
        for (String key : keys) {
            if (statusOnly != "status".equals(key)) {
                continue;
            }
            JsonNode want = wanted.get(key);
            if (want == null) {
                ops.addObject().put("op", "remove").put("path", "/" + key);
            } else if (!want.equals(stored.get(key))) {
                ops.addObject().put("op", "add").put("path", "/" + key).set("value", want);
            }
        }
        return ops;
    }

    private static String utf8(Buffer buffer) {
        return buffer == null ? "" : new String(buffer.getBytes(), StandardCharsets.UTF_8);
    }
}
