package dev.gantry.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-memory Kubernetes API on a loopback port: fabric8's mock server in CRUD mode with the Gateway API
 * CRDs registered (so {@code /status} subresources behave), admission of Gateway API objects as an API server
 * admits them (unknown fields pruned, defaults applied, the CRD schemas and CEL rules enforced, 422 for what a
 * cluster would refuse), discovery for kubectl, conversion of older Gateway API versions, resourceVersion checks
 * on status updates, a request log and fault injection for tests.
 */
public final class InMemoryKubernetesApi implements AutoCloseable {

    /** Classpath location of the Gateway API CRDs bundled from the Helm chart. */
    public static final String STANDARD_CRDS = "/dev/gantry/gateway-api/standard-install.yaml";

    public static final String EXPERIMENTAL_CRDS = "/dev/gantry/gateway-api/experimental-install.yaml";

    /** The mock web server logs every request through java.util.logging at INFO; keep that out of the console. */
    private static final Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

    private final KubernetesMockServer server;
    private final InMemoryDispatcher dispatcher;
    private final int port;

    private InMemoryKubernetesApi(KubernetesMockServer server, InMemoryDispatcher dispatcher, int port) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.port = port;
    }

    /** A port already taken when the in-memory API should listen on it. */
    public static final class PortInUseException extends IllegalStateException {
        public PortInUseException(int port) {
            super("port " + port + " on 127.0.0.1 is already in use; choose another with --api-port");
        }
    }

    /**
     * Starts the API on 127.0.0.1.
     *
     * @param port port to listen on; 0 picks a free one
     * @param crdResource classpath resource with the CRDs to register (standard or experimental channel)
     */
    public static InMemoryKubernetesApi start(int port, String crdResource) {
        if (port != 0) {
            ensureFree(port);
        }
        KubernetesCrudDispatcher crud = new IndexedCrudDispatcher();
        InMemoryDispatcher dispatcher = new InMemoryDispatcher(crud);
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        InMemoryKubernetesApi api = new InMemoryKubernetesApi(server, dispatcher, server.getPort());
        dispatcher.setServerAddress("127.0.0.1:" + api.port);
        api.registerCrds(crdResource);
        return api;
    }

    public static InMemoryKubernetesApi start(int port) {
        return start(port, STANDARD_CRDS);
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.WARNING);
        return logger;
    }

    private static void ensureFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (BindException e) {
            throw new PortInUseException(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void registerCrds(String resource) {
        try (KubernetesClient client = newClient("gantry-in-memory-setup");
                InputStream crds = InMemoryKubernetesApi.class.getResourceAsStream(resource)) {
            if (crds == null) {
                throw new IllegalStateException("CRDs not found on the class path at " + resource);
            }
            for (HasMetadata object : client.load(crds).items()) {
                if (object instanceof CustomResourceDefinition crd) {
                    client.apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .resource(crd)
                            .create();
                } else if (!(object instanceof GenericKubernetesResource)) {
                    // ValidatingAdmissionPolicies of the bundle are not enforced by the in-memory API; skip them.
                    continue;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether objects are looked up through an index rather than by a scan of all (see IndexedCrudDispatcher). */
    boolean indexed() {
        return dispatcher.indexed();
    }

    public int port() {
        return port;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:6443}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Client settings pointing at this API; the user agent names the component in the request log. */
    public Config config(String userAgent) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withNamespace("default")
                .withHttp2Disable(true)
                .withUserAgent(userAgent)
                .withRequestTimeout((int) TimeUnit.SECONDS.toMillis(30))
                .withConnectionTimeout((int) TimeUnit.SECONDS.toMillis(10))
                .build();
    }

    public KubernetesClient newClient(String userAgent) {
        return new KubernetesClientBuilder().withConfig(config(userAgent)).build();
    }

    /** The requests served so far (the last million), oldest first. */
    public List<InMemoryDispatcher.Call> requestLog() {
        return dispatcher.requestLog();
    }

    /** The writes refused as invalid (422) so far (the last ten thousand), oldest first, with their messages. */
    public List<InMemoryDispatcher.Refusal> refusals() {
        return dispatcher.refusals();
    }

    /**
     * Status writes by clients whose User-Agent starts with {@code userAgentPrefix} that were refused as invalid:
     * a controller's status that a real API server would not store either.
     */
    public List<InMemoryDispatcher.Refusal> refusedStatusWrites(String userAgentPrefix) {
        return refusals().stream()
                .filter(r -> r.isStatusWrite() && r.userAgent().startsWith(userAgentPrefix))
                .toList();
    }

    /**
     * Stores Gateway API objects without pruning, defaulting or validating them, as an API server without the CRDs'
     * schemas would; for tests that feed translation objects only an older or unvalidated server can hold.
     */
    public void admitWithoutValidation(boolean on) {
        dispatcher.setAdmission(!on);
    }

    /** Answers the next {@code times} requests matching method and path with {@code code}. */
    public void injectFault(String method, String pathRegex, int code, int times) {
        dispatcher.injectFault(method, pathRegex, null, code, times);
    }

    /** Like {@link #injectFault(String, String, int, int)}, for the requests of one client only. */
    public void injectFault(String method, String pathRegex, String userAgent, int code, int times) {
        dispatcher.injectFault(method, pathRegex, userAgent, code, times);
    }

    /**
     * Like {@link #injectFault(String, String, String, int, int)} for list requests only: a GET on a path matching
     * that is not a watch (an informer's relist, a read of one object). A 429 carries {@code Retry-After: 1}.
     */
    public void injectListFault(String pathRegex, String userAgent, int code, int times) {
        dispatcher.injectListFault(pathRegex, userAgent, code, times);
    }

    /**
     * Forgets the history before now, as etcd's compaction does: from now on a watch that resumes from an older
     * resourceVersion is answered as an API server answers it, with an ERROR event carrying {@code 410 Gone}
     * ({@code Expired}), and its client must list again. Watches from now on, or without a resourceVersion, are
     * served.
     */
    public void compact() {
        dispatcher.compact();
    }

    /** How many watches were answered {@code 410 Gone} since the API started. */
    public int expiredWatches() {
        return dispatcher.expiredWatches();
    }

    /** Closes every open watch, as an API server does on restart; informers must re-establish them. */
    public void dropWatches() {
        dispatcher.dropWatches();
    }

    @Override
    public void close() {
        server.destroy();
    }
}
