package dev.gantry.launcher;

import dev.gantry.config.GantrySettings;
import dev.gantry.controller.Controller;
import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.kube.ManifestLoader;
import dev.gantry.loadtest.LoadTest;
import dev.gantry.runtime.AdminServer;
import dev.gantry.xds.ShardMetrics;
import dev.gantry.xds.XdsShard;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** The entry points behind {@code ./gantry}: standalone, controller, xds-shard, load-test. */
public final class Main {

    private static final String USAGE = """
      Usage: ./gantry <command> [options]

      Commands:
        standalone   Run Gantry on its embedded default: an in-memory Kubernetes API, the controller and
                     xds-shards in one process, with the manifests of --examples applied.
                       --api-port N     in-memory API port on 127.0.0.1 (default 6443)
                       --xds-port N     ADS port of shard 0; shard i uses N+i (default 18000)
                       --admin-port N   admin port (/readyz /healthz /metrics); shard i's admin is N+1+i
                                        (default 9090)
                       --examples DIR   apply every .yaml/.yml file under DIR (default examples/)
                       --shards N       number of xds-shards (default 1)
                       --proxy-dir DIR  where each Gateway's Envoy bootstrap and credential go
                                        (DIR/<namespace>/<name>/; default: a new temporary directory)
                       --insecure-xds   serve xDS in PLAINTEXT WITHOUT AUTHENTICATION (unsafe; experiments
                                        only)
                       --api-only       start only the in-memory API, write a kubeconfig for it and print
                                        `Kubeconfig: <path>`; run `./gantry controller` and `./gantry xds-shard`
                                        as processes of their own against it (KUBECONFIG=<path>). With it:
                                        --kubeconfig FILE (default: a new temporary directory), --api-port,
                                        --examples DIR (default: none), and --shards N, --xds-port N,
                                        --proxy-dir DIR for the proxy bootstraps of shards on N+i
        controller   Run the leader-elected controller against the cluster of KUBECONFIG or in-cluster
                     config. Settings come from GANTRY_* environment variables.
        xds-shard    Run one xds-shard (GANTRY_SHARD_INDEX, GANTRY_SHARD_COUNT) against the cluster.
        load-test    Size Gantry: run a load-test scenario in this process (or against running shards) and
                     write its JSON result, summary and chart under load-test-results/.
                       --scenario NAME  listenerset-scale, attach-routes, route-propagation, fan-out,
                                        shard-scaling, shard-restart or churn
                       --scale F        fraction of the scenario's objects (default 1)
                       --shards N       xds-shards in the process
                       --out DIR        where results go (default load-test-results/)
                       --jmh [ARGS]     run the JMH benchmarks instead (JMH's options, e.g. -f 1 -wi 2 -i 3)
                     ./gantry load-test --help lists every option.
        test         Run the test suite (./mvnw verify).
      """;

    /**
     * The first wait before an informer's watch is opened again; it doubles on each failure up to 32 times this. With
     * fabric8's default (1 s) an informer waits up to 32 s after an API outage ends before it sees the changes made
     * meanwhile; at 250 ms it waits at most 8 s, for a few requests more per informer while the API is away.
     */
    static final int WATCH_RECONNECT_INTERVAL_MILLIS = 250;

    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int code = switch (args[0]) {
            case "standalone" -> standalone(rest);
            case "controller" -> controller();
            case "xds-shard" -> shard();
            case "load-test" -> LoadTest.run(rest, System.out, System.err);
            default -> {
                System.err.println("unknown command '" + args[0] + "'\n");
                System.err.print(USAGE);
                yield 2;
            }
        };
        System.exit(code);
    }

    static int standalone(String[] args) {
        if (Arrays.asList(args).contains("--api-only")) {
            return apiOnly(args);
        }
        Standalone.Options defaults = Standalone.Options.defaults();
        int apiPort = defaults.apiPort();
        int xdsPort = defaults.xdsPort();
        int adminPort = defaults.adminPort();
        Path examples = defaults.examples();
        int shards = defaults.shards();
        Path proxyDirectory = null;
        boolean insecureXds = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help")) {
                    System.out.print(USAGE);
                    return 0;
                }
                if (flag.equals("--insecure-xds")) {
                    insecureXds = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--api-port" -> apiPort = port(flag, value);
                    case "--xds-port" -> xdsPort = port(flag, value);
                    case "--admin-port" -> adminPort = port(flag, value);
                    case "--examples" -> examples = Path.of(value);
                    case "--shards" -> shards = positive(flag, value);
                    case "--proxy-dir" -> proxyDirectory = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("gantry standalone: " + e.getMessage());
            return 2;
        }
        Standalone standalone;
        try {
            standalone = Standalone.start(
                    new Standalone.Options(apiPort, xdsPort, adminPort, examples, shards, proxyDirectory, insecureXds));
        } catch (InMemoryKubernetesApi.PortInUseException | AdminServer.PortInUseException e) {
            System.err.println("gantry standalone: " + e.getMessage());
            return 1;
        } catch (GantrySettings.InvalidSettingException e) {
            System.err.println("gantry standalone: invalid setting " + e.getMessage());
            return 2;
        } catch (IllegalStateException e) {
            System.err.println("gantry standalone: " + e.getMessage());
            return 1;
        }
        for (ManifestLoader.Problem problem : standalone.problems()) {
            System.err.println("error: " + problem);
        }
        standalone.printSummary(System.out);
        return awaitShutdown(standalone);
    }

    static int apiOnly(String[] args) {
        int apiPort = Standalone.Options.DEFAULT_API_PORT;
        int xdsPort = Standalone.Options.DEFAULT_XDS_PORT;
        int shards = 1;
        Path kubeconfig = null;
        Path examples = null;
        Path proxyDirectory = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--api-only")) {
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--api-port" -> apiPort = port(flag, value);
                    case "--xds-port" -> xdsPort = port(flag, value);
                    case "--kubeconfig" -> kubeconfig = Path.of(value);
                    case "--examples" -> examples = Path.of(value);
                    case "--shards" -> shards = positive(flag, value);
                    case "--proxy-dir" -> proxyDirectory = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag + " with --api-only");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("gantry standalone: " + e.getMessage());
            return 2;
        }
        ApiOnly api;
        try {
            api = ApiOnly.start(new ApiOnly.Options(apiPort, kubeconfig, examples, shards, xdsPort, proxyDirectory));
        } catch (InMemoryKubernetesApi.PortInUseException e) {
            System.err.println("gantry standalone: " + e.getMessage());
            return 1;
        } catch (IllegalStateException | UncheckedIOException e) {
            System.err.println("gantry standalone: " + e.getMessage());
            return 1;
        }
        for (String problem : api.problems()) {
            System.err.println("error: " + problem);
        }
        api.printSummary(System.out);
        return awaitShutdown(api);
    }

    static int controller() {
        GantrySettings settings;
        try {
            settings = settingsFromEnvironment();
        } catch (GantrySettings.InvalidSettingException e) {
            System.err.println("gantry controller: invalid setting " + e.getMessage());
            return 2;
        }
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withUserAgent("gantry-controller/" + settings.identity())
                        .withWatchReconnectInterval(WATCH_RECONNECT_INTERVAL_MILLIS)
                        .build())
                .build();
        Controller controller;
        try {
            controller = new Controller(
                            settings,
                            client,
                            "0.0.0.0",
                            settings.adminPort(),
                            () -> {
                                // A clean restart is simpler and safer than trying to follow again with state built as
                                // leader.
                                System.err.println(
                                        "gantry controller: lost the leader Lease; exiting so the pod restarts clean");
                                Runtime.getRuntime().halt(1);
                            },
                            new PrometheusRegistry())
                    .start();
        } catch (IllegalStateException e) {
            System.err.println("gantry controller: " + e.getMessage());
            client.close();
            return 1;
        }
        return awaitShutdown(() -> {
            controller.close();
            client.close();
        });
    }

    static int shard() {
        GantrySettings settings;
        try {
            settings = settingsFromEnvironment();
        } catch (GantrySettings.InvalidSettingException e) {
            System.err.println("gantry xds-shard: invalid setting " + e.getMessage());
            return 2;
        }
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withUserAgent("gantry-xds-shard-" + settings.shardIndex())
                        .withWatchReconnectInterval(WATCH_RECONNECT_INTERVAL_MILLIS)
                        .build())
                .build();
        XdsShard shard;
        try {
            shard = new XdsShard(
                            settings,
                            client,
                            "0.0.0.0",
                            settings.xdsPort(),
                            settings.adminPort(),
                            new ShardMetrics(new PrometheusRegistry()))
                    .start();
        } catch (IllegalStateException e) {
            System.err.println("gantry xds-shard: " + e.getMessage());
            client.close();
            return 1;
        }
        return awaitShutdown(() -> {
            shard.close();
            client.close();
        });
    }

    private static GantrySettings settingsFromEnvironment() {
        for (String unknown : GantrySettings.unknownVariables(System.getenv())) {
            System.err.println("warning: " + unknown + " is not a Gantry setting (typo?)");
        }
        return GantrySettings.fromEnvironment();
    }

    private static int awaitShutdown(AutoCloseable running) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                running.close();
                            } catch (Exception e) {
                                System.err.println("error while stopping: " + e);
                            }
                            stopped.countDown();
                        },
                        "gantry-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int port(String flag, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a port number (0-65535), got '" + value + "'");
        }
    }

    private static int positive(String flag, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 1 || n > 64) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number from 1 to 64, got '" + value + "'");
        }
    }
}
