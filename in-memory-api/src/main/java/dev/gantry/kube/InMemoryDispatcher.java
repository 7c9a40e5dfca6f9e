package dev.gantry.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sits in front of fabric8's CRUD dispatcher and makes it behave more like an API server: discovery documents
 * ({@link ApiDiscovery}), admission of Gateway API objects, conversion of served Gateway API versions to v1, 409 on
 * stale status updates, a request log and injected faults.
 */
public final class InMemoryDispatcher extends Dispatcher {

    /**
     * One request as served.
     *
     * @param method HTTP method
     * @param path request path with query
     * @param userAgent the client's User-Agent (components identify themselves with it)
     * @param code response status code
     * @param receivedNanos when it arrived, on {@link System#nanoTime()}'s clock of the API's JVM
     */
    public record Call(String method, String path, String userAgent, int code, long receivedNanos) {
        public boolean isWrite() {
            return !"GET".equals(method);
        }

        /** Whether the call wrote a {@code /status} subresource. */
        public boolean isStatusWrite() {
            return isWrite() && isStatusPath(path);
        }
    }

    /**
     * A write the in-memory API refused as invalid (422), with the API server's message.
     *
     * @param method HTTP method
     * @param path request path with query
     * @param userAgent the client's User-Agent
     * @param message the refusal's message, e.g. {@code Gateway.gateway.networking.k8s.io "gw" is invalid: ...}
     */
    public record Refusal(String method, String path, String userAgent, String message) {
        /** Whether the write was to a {@code /status} subresource. */
        public boolean isStatusWrite() {
            return isStatusPath(path);
        }
    }

    /** Whether a request path (with or without a query) names a {@code /status} subresource. */
    static boolean isStatusPath(String path) {
        int query = path.indexOf('?');
        return (query < 0 ? path : path.substring(0, query)).endsWith("/status");
    }

    /**
     * An injected answer for the next {@code remaining[0]} matching requests; with {@code listsOnly}, a GET matches
     * only when it is not a watch.
     */
    private record Fault(String method, Pattern path, String userAgent, boolean listsOnly, int code, int[] remaining) {}

    private static final Pattern GATEWAY_API_VERSION =
            Pattern.compile("^/apis/gateway\\.networking\\.k8s\\.io/(v1beta1|v1alpha2|v1alpha3)(/.*)?$");
    private static final Pattern API_GROUP_VERSION = Pattern.compile("^/apis/[^/]+/([^/]+)/");
    static final int MAX_LOGGED_CALLS = 1_000_000;
    static final int MAX_LOGGED_REFUSALS = 10_000;
    private static final Pattern STATUS_PUT = Pattern.compile("^(/apis?/.+)/status$");
    private static final Pattern NAMESPACE_WRITE = Pattern.compile("^/api/v1/namespaces(/[^/]+)?$");
    static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private final KubernetesCrudDispatcher crud;
    private final AdmissionStep admission;
    private final ApiDiscovery discovery;
    /**
     * Appended on every request (a copy-on-write list would copy it whole each time), and bounded, so a
     * standalone Gantry that runs for weeks does not keep every request it ever served.
     */
    private final ArrayDeque<Call> log = new ArrayDeque<>();

    private final ArrayDeque<Refusal> refusals = new ArrayDeque<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    /** resourceVersion by object path, as the last write through this dispatcher left it. */
    private final Map<String, String> versions = new ConcurrentHashMap<>();

    private final Set<WebSocket> watches = ConcurrentHashMap.newKeySet();
    /** Watches resuming from a resourceVersion below this one are answered 410 Gone: etcd compacted them away. */
    private volatile long compactedBelow;

    private final AtomicInteger expiredWatches = new AtomicInteger();

    InMemoryDispatcher(KubernetesCrudDispatcher crud) {
        this.crud = crud;
        this.admission = new AdmissionStep(crud);
        this.discovery = new ApiDiscovery(crud);
    }

    /** Turns admission (schema, defaults, CEL rules) of Gateway API objects on or off; on by default. */
    void setAdmission(boolean enabled) {
        admission.setEnabled(enabled);
    }

    void setServerAddress(String address) {
        discovery.setServerAddress(address);
    }

    List<Call> requestLog() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    List<Refusal> refusals() {
        synchronized (refusals) {
            return List.copyOf(refusals);
        }
    }

    void injectFault(String method, String pathRegex, String userAgent, int code, int times) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), userAgent, false, code, new int[] {times}));
    }

    void injectListFault(String pathRegex, String userAgent, int code, int times) {
        faults.add(new Fault("GET", Pattern.compile(pathRegex), userAgent, true, code, new int[] {times}));
    }

    void compact() {
        compactedBelow = crud.requestResourceVersion();
    }

    int expiredWatches() {
        return expiredWatches.get();
    }

    void dropWatches() {
        for (Iterator<WebSocket> it = watches.iterator(); it.hasNext(); ) {
            WebSocket socket = it.next();
            socket.close(1001, "in-memory API dropped the watch");
            it.remove();
        }
    }

    boolean indexed() {
        return crud instanceof IndexedCrudDispatcher indexedCrud && indexedCrud.indexed();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        long received = System.nanoTime();
        RecordedRequest effective = labelNamespace(convertVersion(request));
        MockResponse response = serve(effective, requestedVersion(request));
        Call call = new Call(
                request.getMethod(),
                request.getPath(),
                nullToEmpty(request.getHeader("User-Agent")),
                response.code(),
                received);
        synchronized (log) {
            if (log.size() == MAX_LOGGED_CALLS) {
                log.removeFirst();
            }
            log.addLast(call);
        }
        return response;
    }

    /** The API version a request names ({@code v1beta1} for a write converted to v1), or null. */
    private static String requestedVersion(RecordedRequest request) {
        String path = request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Matcher matcher = API_GROUP_VERSION.matcher(bare);
        return matcher.find() ? matcher.group(1) : null;
    }

    private MockResponse serve(RecordedRequest request, String requestedVersion) {
        String method = request.getMethod();
        String path = request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Map<String, String> query = query(path);
        boolean watch = "GET".equals(method) && isTrue(query.get("watch"));
        for (Fault fault : faults) {
            synchronized (fault) {
                if (fault.remaining()[0] > 0
                        && fault.method().equalsIgnoreCase(method)
                        && fault.path().matcher(bare).find()
                        && !(fault.listsOnly() && watch)
                        && (fault.userAgent() == null || fault.userAgent().equals(request.getHeader("User-Agent")))) {
                    fault.remaining()[0]--;
                    return injected(fault.code(), method, bare);
                }
            }
        }
        if (watch && compactedAway(query.get("resourceVersion"))) {
            expiredWatches.incrementAndGet();
            return expired(query.get("resourceVersion"));
        }
        if ("GET".equals(method)) {
            MockResponse document = discovery.document(bare);
            if (document != null) {
                return document;
            }
        }
        if ("PUT".equals(method)) {
            Matcher status = STATUS_PUT.matcher(bare);
            if (status.matches()) {
                MockResponse conflict = staleStatusUpdate(status.group(1), request);
                if (conflict != null) {
                    return conflict;
                }
            }
        }
        if (admission.governs(method, bare)) {
            AdmissionStep.Result admitted = admission.admit(request, bare, requestedVersion);
            if (admitted.refusal() != null) {
                remember(new Refusal(method, path, nullToEmpty(request.getHeader("User-Agent")), admitted.message()));
                return admitted.refusal();
            }
            request = admitted.request();
        }
        MockResponse response = crud.dispatch(request);
        admission.afterWrite(method, bare, response);
        trackVersion(method, bare, response);
        if (response.getWebSocketListener() != null) {
            return response.withWebSocketUpgrade(new TrackedWatch(response.getWebSocketListener()));
        }
        return response;
    }

    private void remember(Refusal refusal) {
        synchronized (refusals) {
            if (refusals.size() == MAX_LOGGED_REFUSALS) {
                refusals.removeFirst();
            }
            refusals.addLast(refusal);
        }
    }

    /** A real API server rejects a status update whose resourceVersion is not the current one. */
    private MockResponse staleStatusUpdate(String objectPath, RecordedRequest request) {
        String sent;
        try {
            JsonNode body = Serialization.jsonMapper().readTree(utf8(request.getBody()));
            JsonNode version = body.path("metadata").path("resourceVersion");
            sent = version.isMissingNode() || version.isNull() ? "" : version.asString();
        } catch (RuntimeException e) {
            return null;
        }
        if (sent.isEmpty()) {
            return null;
        }
        String actual = versions.get(objectPath);
        if (actual == null) {
            MockResponse current = crud.handleGet(objectPath);
            if (current.code() != 200) {
                return null;
            }
            JsonNode stored = Serialization.jsonMapper().readTree(utf8(current.getBody()));
            actual = stored.path("metadata").path("resourceVersion").asString();
        }
        if (!sent.equals(actual)) {
            return status(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled: the object has been modified; please apply your"
                            + " changes to the latest version and try again");
        }
        return null;
    }

    /**
     * A real API server labels every Namespace with {@code kubernetes.io/metadata.name}; selectors on a namespace's
     * name (allowedRoutes, allowedListeners) depend on it.
     */
    private static RecordedRequest labelNamespace(RecordedRequest request) {
        String path = request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Matcher matcher = NAMESPACE_WRITE.matcher(bare);
        boolean create = "POST".equals(request.getMethod()) && matcher.matches() && matcher.group(1) == null;
        boolean replace = "PUT".equals(request.getMethod()) && matcher.matches() && matcher.group(1) != null;
        if (!create && !replace || request.getBody() == null) {
            return request;
        }
        JsonNode body;
        try {
            body = Serialization.jsonMapper().readTree(utf8(request.getBody()));
        } catch (RuntimeException e) {
            return request; // the CRUD dispatcher answers malformed bodies
        }
        if (!(body instanceof ObjectNode object)
                || !(object.get("metadata") instanceof ObjectNode metadata)
                || metadata.path("name").asString("").isEmpty()) {
            return request;
        }
        ObjectNode labels =
                metadata.get("labels") instanceof ObjectNode existing ? existing : metadata.putObject("labels");
        labels.put(NAMESPACE_NAME_LABEL, metadata.path("name").asString());
        return new RecordedRequest(
                request.getHttpVersion(),
                request.method(),
                path,
                request.getHeaders(),
                new Buffer(Serialization.jsonMapper().writeValueAsString(object).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Remembers the resourceVersion each write leaves on an object, so that checking a status update against it
     * does not cost a read that scans the whole store.
     */
    private void trackVersion(String method, String bare, MockResponse response) {
        int code = response.code();
        if (code < 200 || code >= 300 || "GET".equals(method)) {
            return;
        }
        String objectPath = bare.endsWith("/status") ? bare.substring(0, bare.length() - "/status".length()) : bare;
        if ("DELETE".equals(method)) {
            versions.remove(objectPath);
            return;
        }
        if (response.getBody() == null) {
            return;
        }
        try {
            JsonNode body = Serialization.jsonMapper().readTree(utf8(response.getBody()));
            JsonNode metadata = body.path("metadata");
            String name = metadata.path("name").asString("");
            String version = metadata.path("resourceVersion").asString("");
            if (name.isEmpty() || version.isEmpty() || body.has("items")) {
                return;
            }
            versions.put("POST".equals(method) ? objectPath + "/" + name : objectPath, version);
        } catch (RuntimeException e) {
            versions.remove(objectPath); // unknown: the next check reads the store
        }
    }

    /** Gateway API types are the same in every served version: serve them all from v1. */
    private static RecordedRequest convertVersion(RecordedRequest request) {
        String path = request.getPath();
        Matcher matcher = GATEWAY_API_VERSION.matcher(path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
        if (!matcher.matches() || matcher.group(2) == null) {
            return request;
        }
        String converted = path.replaceFirst(
                "/gateway\\.networking\\.k8s\\.io/" + matcher.group(1) + "/", "/gateway.networking.k8s.io/v1/");
        Buffer body = request.getBody();
        byte[] bytes = body == null ? new byte[0] : body.getBytes();
        if (bytes.length > 0) {
            String text = new String(bytes, StandardCharsets.UTF_8)
                    .replace(
                            "\"gateway.networking.k8s.io/" + matcher.group(1) + "\"",
                            "\"gateway.networking.k8s.io/v1\"");
            bytes = text.getBytes(StandardCharsets.UTF_8);
        }
        return new RecordedRequest(
                request.getHttpVersion(), request.method(), converted, request.getHeaders(), new Buffer(bytes));
    }

    /** Whether a watch's resourceVersion is older than what the store still has history for. */
    private boolean compactedAway(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return false; // "from now": nothing to replay
        }
        try {
            long version = Long.parseLong(resourceVersion);
            return version > 0 && version < compactedBelow;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * What an API server answers a watch from a compacted resourceVersion: the watch opens, and its one event is an
     * ERROR carrying {@code 410 Gone} (reason {@code Expired}); the client must list again.
     */
    private MockResponse expired(String resourceVersion) {
        ObjectNode event = Serialization.jsonMapper().createObjectNode();
        event.put("type", "ERROR");
        ObjectNode object = statusObject(
                410, "Expired", "too old resource version: " + resourceVersion + " (" + compactedBelow + ")");
        event.set("object", object);
        String text = event.toString();
        return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                webSocket.send(text);
                webSocket.close(1000, "expired");
            }
        });
    }

    /** An injected error; a 429 says when to come back, as an API server's priority and fairness does. */
    private static MockResponse injected(int code, String method, String bare) {
        MockResponse response =
                status(code, code == 429 ? "TooManyRequests" : "Injected", "injected fault for " + method + " " + bare);
        return code == 429 ? response.setHeader("Retry-After", "1") : response;
    }

    private static Map<String, String> query(String path) {
        int at = path.indexOf('?');
        if (at < 0) {
            return Map.of();
        }
        Map<String, String> params = new HashMap<>();
        for (String pair : path.substring(at + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(key, value);
        }
        return params;
    }

    private static boolean isTrue(String value) {
        return "true".equals(value) || "1".equals(value);
    }

    private static ObjectNode statusObject(int code, String reason, String message) {
        ObjectNode status = Serialization.jsonMapper().createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }

    private static MockResponse status(int code, String reason, String message) {
        return new MockResponse()
                .setResponseCode(code)
                .setHeader("Content-Type", "application/json")
                .setBody(statusObject(code, reason, message).toString());
    }

    /** Reads a body without consuming it (the CRUD dispatcher reads it again). */
    static String utf8(Buffer buffer) {
        return buffer == null ? "" : new String(buffer.getBytes(), StandardCharsets.UTF_8);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Remembers open watch sockets so they can be dropped on demand. */
    private final class TrackedWatch extends WebSocketListener {
        private final WebSocketListener delegate;

        TrackedWatch(WebSocketListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            delegate.onBeforeAccept(webSocket, response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            watches.add(webSocket);
            delegate.onOpen(webSocket, response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            delegate.onMessage(webSocket, text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            delegate.onMessage(webSocket, bytes);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            delegate.onMessage(webSocket, bytes);
        }

        @Override
        public void onPing(WebSocket webSocket, byte[] bytes) {
            delegate.onPing(webSocket, bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            watches.remove(webSocket);
            delegate.onClosing(webSocket, code, reason);
        }

        // The mock's listener waits (up to a minute) for its queued events when a watch closes; on the server's event
        // loop that would stall every other request, so the wait happens on a thread of its own.
        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            watches.remove(webSocket);
            Thread.ofVirtual()
                    .name("in-memory-api-watch-close")
                    .start(() -> delegate.onClosed(webSocket, code, reason));
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable error, Response response) {
            watches.remove(webSocket);
            Thread.ofVirtual()
                    .name("in-memory-api-watch-close")
                    .start(() -> delegate.onFailure(webSocket, error, response));
        }
    }
}
