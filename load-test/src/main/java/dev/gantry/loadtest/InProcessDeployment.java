package dev.gantry.loadtest;

import dev.gantry.config.GantrySettings;
import dev.gantry.controller.Controller;
import dev.gantry.kube.InMemoryDispatcher;
import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CredentialPlanner;
import dev.gantry.xds.ShardMetrics;
import dev.gantry.xds.XdsShard;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Gantry in this JVM, like {@code ./gantry standalone}: the in-memory Kubernetes API, the controller (optional)
 * and xds-shards, each shard started, stopped and restarted on demand. Every component has its own API client
 * (user agents name them in the request log) and named informer threads, so CPU can be told apart.
 */
final class InProcessDeployment implements Deployment {

    static final String NAMESPACE = "gantry-system";
    static final String CONTROLLER_AGENT = "gantry-controller/load-test";
    private static final Pattern STATUS_WRITE = Pattern.compile("^/apis?/.+/status(\\?.*)?$");

    private final InMemoryKubernetesApi api;
    private final Map<String, String> environment;
    private final KubernetesClient client;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Controller controller;
    private final XdsShard[] shards = new XdsShard[64];
    private final KubernetesClient[] shardClients = new KubernetesClient[64];
    private final ExecutorService[] shardExecutors = new ExecutorService[64];
    private final int[] xdsPorts = new int[64];
    private final int[] adminPorts = new int[64];
    private int shardCount;
    private final ProxyCredentials credentials;

    private InProcessDeployment(Map<String, String> environment, boolean withController) {
        this.environment = Map.copyOf(environment);
        this.api = InMemoryKubernetesApi.start(0);
        try {
            Config config = api.config("gantry-load-test");
            config.setMaxConcurrentRequests(64);
            config.setMaxConcurrentRequestsPerHost(32);
            config.setRequestTimeout((int) Duration.ofSeconds(120).toMillis());
            this.client = new KubernetesClientBuilder()
                    .withConfig(config)
                    .withTaskExecutor(executor("loadtest-kube-"))
                    .build();
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(NAMESPACE)
                            .endMetadata()
                            .build())
                    .create();
            if (withController) {
                GantrySettings settings = settings(0, 1);
                ExecutorService executor = executor("controller-kube-");
                KubernetesClient controllerClient = new KubernetesClientBuilder()
                        .withConfig(api.config(CONTROLLER_AGENT))
                        .withTaskExecutor(executor)
                        .build();
                closeables.add(controllerClient);
                closeables.add(executor::shutdownNow);
                this.controller = new Controller(
                                settings, controllerClient, "127.0.0.1", 0, () -> {}, new PrometheusRegistry())
                        .start();
            } else {
                this.controller = null;
            }
            GantrySettings settings = settings(0, 1);
            // Without a controller, the load test issues the credentials the way the controller would.
            this.credentials = new ProxyCredentials(
                    client,
                    settings.xdsInsecure(),
                    Duration.ofMinutes(2),
                    withController ? null : CredentialPlanner.from(settings));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the in-memory API and, if asked, the controller (shards come later, see {@link #startShard}).
     *
     * @param overrides {@code GANTRY_*} settings over those of the environment
     */
    static InProcessDeployment start(Map<String, String> overrides, boolean withController) {
        Map<String, String> environment = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith(GantrySettings.PREFIX)) {
                environment.put(k, v);
            }
        });
        environment.putAll(overrides);
        return new InProcessDeployment(environment, withController);
    }

    /** Settings of a component, as standalone makes them; the simulated fleet replaces provisioned proxies. */
    GantrySettings settings(int shardIndex, int shardCount) {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_PROVISION_PROXIES", "false");
        env.putAll(environment);
        env.put("GANTRY_NAMESPACE", NAMESPACE);
        env.put("GANTRY_IDENTITY", "load-test");
        env.put("GANTRY_SHARD_COUNT", Integer.toString(shardCount));
        env.put("GANTRY_SHARD_INDEX", Integer.toString(shardIndex));
        return GantrySettings.fromEnvironment(env);
    }

    /** Starts shard {@code index} of {@code count} (on its previous ports if it ran before); returns at once. */
    synchronized XdsShard startShard(int index, int count) {
        if (shards[index] != null) {
            throw new IllegalStateException("shard " + index + " is running");
        }
        shardCount = Math.max(shardCount, count);
        ExecutorService executor = executor("xds-shard-" + index + "-kube-");
        KubernetesClient shardClient = new KubernetesClientBuilder()
                .withConfig(api.config("gantry-xds-shard-" + index))
                .withTaskExecutor(executor)
                .build();
        XdsShard shard = new XdsShard(
                        settings(index, count),
                        shardClient,
                        "127.0.0.1",
                        xdsPorts[index],
                        adminPorts[index],
                        new ShardMetrics(new PrometheusRegistry()))
                .start();
        xdsPorts[index] = shard.xdsPort();
        adminPorts[index] = shard.adminPort();
        shards[index] = shard;
        shardClients[index] = shardClient;
        shardExecutors[index] = executor;
        return shard;
    }

    /** Stops a shard as a killed pod would go: streams end, its informers and threads stop. */
    synchronized void stopShard(int index) {
        XdsShard shard = shards[index];
        if (shard == null) {
            return;
        }
        shard.close();
        shardClients[index].close();
        shardExecutors[index].shutdownNow();
        shards[index] = null;
    }

    synchronized void stopAllShards() {
        for (int i = 0; i < shards.length; i++) {
            stopShard(i);
        }
        shardCount = 0;
        Arrays.fill(xdsPorts, 0);
        Arrays.fill(adminPorts, 0);
    }

    synchronized XdsShard shardInstance(int index) {
        return shards[index];
    }

    /** Waits until a shard reports ready; returns false on timeout. */
    static boolean awaitReady(XdsShard shard, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!shard.readiness().ready()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    Controller controller() {
        return controller;
    }

    InMemoryKubernetesApi api() {
        return api;
    }

    /** Requests served by the in-memory API so far. */
    List<InMemoryDispatcher.Call> requestLog() {
        return api.requestLog();
    }

    /** Status writes (PUT of a {@code /status} subresource by the controller) in a part of the request log. */
    static long statusWrites(List<InMemoryDispatcher.Call> calls, String pathPart) {
        long count = 0;
        for (InMemoryDispatcher.Call call : calls) {
            if (call.method().equals("PUT")
                    && call.userAgent().startsWith(CONTROLLER_AGENT)
                    && STATUS_WRITE.matcher(call.path()).matches()
                    && (pathPart == null || call.path().contains(pathPart))) {
                count++;
            }
        }
        return count;
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public synchronized int shardCount() {
        return shardCount;
    }

    @Override
    public synchronized ShardEndpoint shard(int index) {
        return new ShardEndpoint(index, "127.0.0.1", xdsPorts[index], "http://127.0.0.1:" + adminPorts[index], null);
    }

    @Override
    public AdsClient.Transport xdsTransport(ObjectKey gateway, int shard) {
        return credentials.transport(gateway, null);
    }

    @Override
    public InProcessDeployment local() {
        return this;
    }

    @Override
    public String describe() {
        return "in-process: in-memory API, " + (controller == null ? "no controller" : "controller") + ", xds-shards";
    }

    private ExecutorService executor(String prefix) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, prefix + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
        return Executors.newCachedThreadPool(factory);
    }

    @Override
    public void close() {
        stopAllShards();
        if (controller != null) {
            controller.close();
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        if (client != null) {
            client.close();
        }
        // A status a real API server would refuse too: a controller bug the figures must not hide.
        List<InMemoryDispatcher.Refusal> refused = api.refusedStatusWrites("gantry-controller/");
        if (!refused.isEmpty()) {
            System.err.println("[load-test] the API refused " + refused.size() + " status write(s) of the controller,"
                    + " e.g. " + refused.getFirst().message());
        }
        api.close();
    }
}
