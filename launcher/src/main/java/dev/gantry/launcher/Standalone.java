package dev.gantry.launcher;

import dev.gantry.config.GantrySettings;
import dev.gantry.controller.Controller;
import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.kube.ManifestLoader;
import dev.gantry.runtime.AdminServer;
import dev.gantry.runtime.Readiness;
import dev.gantry.xds.ShardMetrics;
import dev.gantry.xds.XdsShard;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gantry on its embedded default: an in-memory Kubernetes API, a controller and N xds-shards in one JVM, with
 * the manifests of an examples directory applied.
 */
public final class Standalone implements AutoCloseable {

    /** The namespace the control plane lives in (Lease, Events). */
    public static final String NAMESPACE = "gantry-system";

    /**
     * Standalone options.
     *
     * @param apiPort in-memory API port on 127.0.0.1 (0: any free port)
     * @param xdsPort ADS port of shard 0; shard i listens on xdsPort + i (0: any free ports)
     * @param adminPort standalone admin port; shard i's admin is on adminPort + 1 + i (0: any free ports)
     * @param examples directory of YAML manifests to apply, or null
     * @param shards number of shards
     * @param proxyDirectory where the per-Gateway proxy bootstraps and credentials go (null: a new temporary
     *     directory)
     * @param insecureXds serve xDS in plaintext without authentication (the unsafe opt-out)
     */
    public record Options(
            int apiPort,
            int xdsPort,
            int adminPort,
            Path examples,
            int shards,
            Path proxyDirectory,
            boolean insecureXds) {
        public static final int DEFAULT_API_PORT = 6443;
        public static final int DEFAULT_XDS_PORT = 18000;
        public static final int DEFAULT_ADMIN_PORT = 9090;

        public Options(int apiPort, int xdsPort, int adminPort, Path examples, int shards) {
            this(apiPort, xdsPort, adminPort, examples, shards, null, false);
        }

        public static Options defaults() {
            return new Options(DEFAULT_API_PORT, DEFAULT_XDS_PORT, DEFAULT_ADMIN_PORT, Path.of("examples"), 1);
        }
    }

    private final InMemoryKubernetesApi api;
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final Controller controller;
    private final List<XdsShard> shards = new ArrayList<>();
    private final AdminServer admin;
    private final ProxyBootstraps bootstraps;
    private final boolean insecureXds;
    private final List<ManifestLoader.Problem> problems;

    private Standalone(Options options, Map<String, String> environment) {
        api = InMemoryKubernetesApi.start(options.apiPort());
        try {
            KubernetesClient setup = client("gantry-standalone");
            setup.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(NAMESPACE)
                            .endMetadata()
                            .build())
                    .create();
            PrometheusRegistry registry = new PrometheusRegistry();
            GantrySettings controllerSettings = settings(environment, options, 0);
            controller = new Controller(
                            controllerSettings,
                            client("gantry-controller/" + controllerSettings.identity()),
                            "127.0.0.1",
                            -1,
                            () -> {},
                            registry)
                    .start();
            ShardMetrics shardMetrics = new ShardMetrics(registry);
            for (int i = 0; i < options.shards(); i++) {
                int xdsPort = options.xdsPort() == 0 ? 0 : options.xdsPort() + i;
                int adminPort = options.adminPort() == 0 ? 0 : options.adminPort() + 1 + i;
                shards.add(new XdsShard(
                                settings(environment, options, i),
                                client("gantry-xds-shard-" + i),
                                "127.0.0.1",
                                xdsPort,
                                adminPort,
                                shardMetrics)
                        .start());
            }
            admin = new AdminServer("127.0.0.1", options.adminPort(), registry, this::readiness).start();
            insecureXds = controllerSettings.xdsInsecure();
            Path proxies = options.proxyDirectory() != null
                    ? options.proxyDirectory()
                    : Files.createTempDirectory("gantry-proxies-");
            bootstraps = new ProxyBootstraps(
                            client("gantry-standalone-bootstraps"),
                            proxies,
                            options.proxyDirectory() == null,
                            options.shards(),
                            i -> shards.get(i).xdsPort(),
                            insecureXds,
                            controllerSettings.controllerName())
                    .start();
            problems = applyExamples(setup, options.examples());
        } catch (IOException e) {
            close();
            throw new IllegalStateException("cannot create a directory for the proxy bootstraps: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts everything; on a port already in use it fails with a message naming the port. */
    public static Standalone start(Options options) {
        return new Standalone(options, System.getenv());
    }

    public static Standalone start(Options options, Map<String, String> environment) {
        return new Standalone(options, environment);
    }

    private KubernetesClient client(String userAgent) {
        KubernetesClient client = api.newClient(userAgent);
        clients.add(client);
        return client;
    }

    private static GantrySettings settings(Map<String, String> environment, Options options, int shardIndex) {
        Map<String, String> env = new HashMap<>();
        environment.forEach((k, v) -> {
            if (k.startsWith(GantrySettings.PREFIX)) {
                env.put(k, v);
            }
        });
        env.put("GANTRY_NAMESPACE", NAMESPACE);
        env.put("GANTRY_IDENTITY", "standalone");
        if (options.insecureXds()) {
            env.put("GANTRY_XDS_INSECURE", "true");
        }
        env.put("GANTRY_SHARD_COUNT", Integer.toString(options.shards()));
        env.put("GANTRY_SHARD_INDEX", Integer.toString(shardIndex));
        return GantrySettings.fromEnvironment(env);
    }

    static List<ManifestLoader.Problem> applyExamples(KubernetesClient client, Path directory) {
        if (directory == null) {
            return List.of();
        }
        if (!Files.isDirectory(directory)) {
            return List.of(new ManifestLoader.Problem(directory.toString(), 0, "not a directory"));
        }
        ManifestLoader.Result parsed;
        try {
            parsed = ManifestLoader.parseDirectory(directory);
        } catch (IOException e) {
            return List.of(new ManifestLoader.Problem(directory.toString(), 0, "cannot read: " + e.getMessage()));
        }
        List<ManifestLoader.Problem> all = new ArrayList<>(parsed.problems());
        all.addAll(ManifestLoader.apply(client, parsed.documents()));
        return all;
    }

    /** Ready when the controller and every shard are. */
    public Readiness readiness() {
        List<String> waiting = new ArrayList<>();
        if (!controller.readiness().ready()) {
            waiting.add("controller: " + controller.readiness().detail());
        }
        for (XdsShard shard : shards) {
            if (!shard.readiness().ready()) {
                waiting.add("shard " + shard.index() + ": " + shard.readiness().detail());
            }
        }
        return waiting.isEmpty()
                ? Readiness.ready("controller and " + shards.size() + " shard(s) ready")
                : Readiness.notReady(String.join("; ", waiting));
    }

    public String apiUrl() {
        return api.url();
    }

    public InMemoryKubernetesApi api() {
        return api;
    }

    public Controller controller() {
        return controller;
    }

    public List<XdsShard> shards() {
        return List.copyOf(shards);
    }

    public int adminPort() {
        return admin.port();
    }

    /** The directory of per-Gateway proxy bootstraps and credentials. */
    public Path proxyDirectory() {
        return bootstraps.root();
    }

    /** Problems met while applying the examples (file and line). */
    public List<ManifestLoader.Problem> problems() {
        return problems;
    }

    void printSummary(PrintStream out) {
        out.println();
        out.println("Gantry standalone is running.");
        out.println("  Kubernetes API (in memory): " + apiUrl());
        for (XdsShard shard : shards) {
            out.println("  xDS (ADS, shard " + shard.index() + "):       127.0.0.1:" + shard.xdsPort()
                    + "   admin: http://127.0.0.1:" + shard.adminPort());
        }
        out.println("  Admin:                      http://127.0.0.1:" + adminPort() + "  (/readyz /healthz /metrics)");
        out.println("Proxy bootstraps: " + proxyDirectory());
        out.println("  envoy -c " + proxyDirectory() + "/<namespace>/<name>/" + ProxyBootstraps.BOOTSTRAP
                + (insecureXds
                        ? "   (plaintext, no credential: --insecure-xds)"
                        : "   (TLS with the Gateway's credential)"));
        if (insecureXds) {
            out.println();
            out.println(
                    "  WARNING: --insecure-xds: xDS is served in PLAINTEXT WITHOUT AUTHENTICATION. Any process that");
            out.println("  reaches the xDS ports reads every Gateway's configuration and TLS private keys.");
        }
        out.println();
        out.println("  kubectl --server " + apiUrl() + " get gateways,listenersets,httproutes -A");
        out.println("  curl -s 'http://127.0.0.1:" + shards.getFirst().adminPort()
                + "/debug/config_dump?gateway=<namespace>/<name>'");
        out.println();
    }

    @Override
    public void close() {
        if (bootstraps != null) {
            bootstraps.close();
        }
        for (XdsShard shard : shards) {
            shard.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (admin != null) {
            admin.close();
        }
        clients.forEach(KubernetesClient::close);
        api.close();
    }
}
