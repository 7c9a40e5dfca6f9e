package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.loadtest.TcpFaultProxy;
import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
import dev.gantry.testing.Conditions;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import dev.gantry.xds.client.ClientCredentials;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Gantry as separate processes on this machine: the in-memory API in the test's JVM ({@code standalone --api-only}),
 * a controller and N xds-shards each in a JVM of its own. Each process reaches the API through a {@link TcpFaultProxy}
 * of its own (its kubeconfig names the proxy), so a test can take the API away from one process or from all.
 */
final class ProcessCluster implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path directory;
    private final int shardCount;
    private final int xdsPort;
    private final ApiOnly api;
    private final KubernetesClient client;
    private final Map<String, TcpFaultProxy> proxies = new ConcurrentHashMap<>();
    private final Map<String, GantryProcess> processes = new ConcurrentHashMap<>();
    private final Map<String, Integer> adminPorts = new HashMap<>();
    private final Map<String, AtomicInteger> restarts = new ConcurrentHashMap<>();
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    ProcessCluster(Path directory, int shardCount, Path examples) throws IOException {
        this.directory = directory;
        this.shardCount = shardCount;
        this.xdsPort = freePortRange(shardCount);
        this.api = ApiOnly.start(
                new ApiOnly.Options(0, directory.resolve("kubeconfig"), examples, shardCount, xdsPort, null));
        this.client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig())))
                .build();
    }

    /** Starts the controller process, under the identity given (two controllers contend for the Lease). */
    ProcessCluster startController(String identity) throws IOException {
        return startController(identity, Map.of());
    }

    /** Starts a controller process with settings of its own (lease durations, say). */
    ProcessCluster startController(String identity, Map<String, String> settings) throws IOException {
        Map<String, String> env = new HashMap<>(settings);
        env.put("GANTRY_IDENTITY", identity);
        env.put("GANTRY_PROVISION_PROXIES", "false");
        start("controller", identity, env);
        return this;
    }

    ProcessCluster startShard(int index) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_SHARD_COUNT", Integer.toString(shardCount));
        env.put("GANTRY_SHARD_INDEX", Integer.toString(index));
        env.put("GANTRY_XDS_PORT", Integer.toString(xdsPort + index));
        start("xds-shard", shardName(index), env);
        return this;
    }

    static String shardName(int index) {
        return "shard-" + index;
    }

    /**
     * Starts a process and, like a kubelet with {@code restartPolicy: Always}, starts it again a second after it exits
     * (a controller that loses its Lease exits on purpose, to start clean).
     */
    private void start(String command, String name, Map<String, String> env) throws IOException {
        GantryProcess process = launch(command, name, env);
        restarts.putIfAbsent(name, new AtomicInteger());
        process.process().onExit().thenRun(() -> restartAfterExit(command, name, env, process));
    }

    private void restartAfterExit(String command, String name, Map<String, String> env, GantryProcess exited) {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            return;
        }
        if (closing || gone.contains(name) || processes.get(name) != exited) {
            return;
        }
        restarts.get(name).incrementAndGet();
        try {
            start(command, name, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, and no restart: the node or the pod is gone, not just the process. */
    void killForGood(String name) {
        gone.add(name);
        processes.get(name).kill();
    }

    /** How often a process was started again after it exited. */
    int restarts(String name) {
        AtomicInteger count = restarts.get(name);
        return count == null ? 0 : count.get();
    }

    private GantryProcess launch(String command, String name, Map<String, String> env) throws IOException {
        TcpFaultProxy proxy = proxies.get(name);
        if (proxy == null) {
            proxy = TcpFaultProxy.start("127.0.0.1", api.api().port());
            proxies.put(name, proxy);
        }
        Path kubeconfig = directory.resolve(name + ".kubeconfig");
        ApiOnly.writeKubeconfig(kubeconfig, proxy.url());
        int admin = adminPorts.computeIfAbsent(name, n -> freePort());
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("GANTRY_ADMIN_PORT", Integer.toString(admin));
        GantryProcess process = GantryProcess.start(command, directory.resolve(name + ".log"), env);
        processes.put(name, process);
        return process;
    }

    ApiOnly api() {
        return api;
    }

    /** A client straight to the API, past every fault proxy. */
    KubernetesClient client() {
        return client;
    }

    GantryProcess process(String name) {
        return processes.get(name);
    }

    /** The fault proxy between a process and the API. */
    TcpFaultProxy network(String name) {
        return proxies.get(name);
    }

    List<TcpFaultProxy> networks() {
        return List.copyOf(proxies.values());
    }

    int xdsPortOf(ObjectKey gateway) {
        return xdsPort + ShardHash.shardOf(gateway, shardCount);
    }

    int ownerOf(ObjectKey gateway) {
        return ShardHash.shardOf(gateway, shardCount);
    }

    /** The HTTP status of the process's admin {@code /readyz}, or -1 when it does not answer. */
    int readyz(String name) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPorts.get(name) + "/readyz"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    void awaitReady(String name) {
        Eventually.await(TIMEOUT, name + " ready", () -> readyz(name) == 200, this::logs);
    }

    /** A proxy of the Gateway, with the credential the controller issued it, connected to the shard that owns it. */
    AdsClient connectProxy(ObjectKey gateway, String node, AdsClient.Protocol protocol) {
        return AdsClient.connect(
                "127.0.0.1", xdsPortOf(gateway), credentialsOf(gateway), node, gateway.toString(), protocol);
    }

    private AdsClient.Transport credentialsOf(ObjectKey gateway) {
        Path files = api.proxyDirectory().resolve(gateway.namespace()).resolve(gateway.name());
        Eventually.await(
                TIMEOUT,
                "the credential of " + gateway,
                () -> Files.exists(files.resolve("tls.key")) && Files.exists(files.resolve("envoy.yaml")),
                this::logs);
        try {
            String bootstrap = Files.readString(files.resolve("envoy.yaml"));
            assertTrue(bootstrap.contains("port_value: " + xdsPortOf(gateway)), bootstrap);
            ClientCredentials credentials = new ClientCredentials(
                    Files.readString(files.resolve("ca.crt")),
                    Files.readString(files.resolve("tls.crt")),
                    Files.readString(files.resolve("tls.key")));
            return new AdsClient.Transport.Tls(() -> credentials, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of every process's output, for a failure message. */
    String logs() {
        StringBuilder out = new StringBuilder();
        for (var entry : processes.entrySet()) {
            GantryProcess process = entry.getValue();
            out.append("\n--- ")
                    .append(entry.getKey())
                    .append(process.alive() ? "" : " (exited)")
                    .append(":\n")
                    .append(process.tail(25));
        }
        return out.toString();
    }

    @Override
    public void close() {
        closing = true;
        List<AutoCloseable> all = new ArrayList<>(processes.values());
        all.addAll(proxies.values());
        for (AutoCloseable closeable : all) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing the rest matters more.
            }
        }
        client.close();
        api.close();
    }

    /** An emptied directory (created if need be): kept after a run, so each process's log can be read there. */
    static Path freshDirectory(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
        return Files.createDirectories(directory);
    }

    /** An HTTPRoute sending a path prefix to port 80 of a Service; {@code sectionName} may be null. */
    static HTTPRoute prefixRoute(
            String namespace, String name, String gateway, String sectionName, String path, String service) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(gateway)
                .withSectionName(sectionName)
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue(path)
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName(service)
                .withPort(80)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    /** Whether the controller wrote the route's Accepted condition for its current generation. */
    boolean routeAccepted(String namespace, String name) {
        HTTPRoute route = client.resources(HTTPRoute.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        return route != null
                && route.getStatus() != null
                && route.getStatus().getParents().stream()
                        .anyMatch(p -> Conditions.has(
                                p.getConditions(),
                                "Accepted",
                                "True",
                                "Accepted",
                                route.getMetadata().getGeneration()));
    }

    /** The route tables a proxy holds, as text: enough to find a path in. */
    static String routeTables(AdsClient proxy) {
        StringBuilder tables = new StringBuilder();
        for (String name : proxy.names(AdsClient.ROUTE)) {
            RouteConfiguration table = proxy.resource(AdsClient.ROUTE, name, RouteConfiguration.class);
            if (table != null) {
                tables.append(table);
            }
        }
        return tables.toString();
    }

    private static int freePort() {
        try {
            return freePortRange(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first of {@code count} consecutive free loopback ports. */
    static int freePortRange(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                first = socket.getLocalPort();
            }
            if (first + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int port = first + 1; port < first + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    free = socket.isBound();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }
}
