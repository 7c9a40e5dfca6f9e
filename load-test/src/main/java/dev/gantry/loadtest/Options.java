package dev.gantry.loadtest;

import dev.gantry.xds.client.AdsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one load-test run does. Null counts mean "the scenario's default at this scale".
 *
 * @param scenario scenario name
 * @param scale fraction of the scenario's objects (1 = the anchor's size)
 * @param shards shards to run (in-process) or null for the scenario's default
 * @param out directory for the JSON, HTML and summary
 * @param proxies simulated proxies, or null for the scenario's default
 * @param protocol xDS variant of the fleet
 * @param writes changes to measure (route-propagation, backend-propagation, fan-out), or null for the default
 * @param warmup changes made and followed before the measured ones (route-propagation, fan-out), or null for the
 *     default
 * @param routes routes to attach (attach-routes), or null for the default
 * @param duration churn duration, or null for the default
 * @param shardCounts shard counts to compare (shard-scaling)
 * @param gateways Gateways the world is spread over (shard-scaling), or null for the default
 * @param remoteShards shard addresses when Gantry runs elsewhere (empty: in-process)
 * @param controller whether to run the controller in-process
 * @param settle whether to wait for the controller to finish writing status before measuring
 * @param progress progress bars: true, false, or null for "when stderr looks like a terminal"
 * @param settings {@code GANTRY_*} settings for the in-process components
 * @param nackProxies members of the fleet that NACK responses carrying {@link Fleet#NACK_MARKER}
 * @param timeout how long any one wait may take (readiness, a change reaching the fleet)
 * @param cleanup delete the generated namespaces at the end (remote mode)
 * @param verbose Gantry's own INFO logs
 */
record Options(
        String scenario,
        double scale,
        Integer shards,
        Path out,
        Integer proxies,
        AdsClient.Protocol protocol,
        Integer writes,
        Integer warmup,
        Integer routes,
        Duration duration,
        List<Integer> shardCounts,
        Integer gateways,
        List<String> remoteShards,
        boolean controller,
        boolean settle,
        Boolean progress,
        Map<String, String> settings,
        int nackProxies,
        Duration timeout,
        boolean cleanup,
        boolean verbose) {

    static final Path DEFAULT_OUT = Path.of("load-test-results");

    Options {
        shardCounts = List.copyOf(shardCounts);
        remoteShards = List.copyOf(remoteShards);
        settings = Map.copyOf(settings);
    }

    boolean remote() {
        return !remoteShards.isEmpty();
    }

    /** A count of the scenario scaled, at least {@code min}. */
    static int scaled(int full, double scale, int min) {
        return Math.max(min, (int) Math.round(full * scale));
    }

    static final String USAGE = """
      Usage: ./gantry load-test --scenario NAME [options]
             ./gantry load-test --jmh [JMH options]      (benchmarks; e.g. -f 1 -wi 2 -i 3, or a name regex)
             ./gantry load-test --list

      Scenarios (sizes at --scale 1; --scale 0.1 runs a tenth of the objects):
        listenerset-scale  50 namespaces x 50 ListenerSets (HTTPS :443, own hostname, shared certificate), 16 routes
                           each, one Gateway; shard cold start: time to ready and shard heap after GC
        attach-routes      attach 1,000 routes to one Gateway: time until all are Accepted, status writes per object
        route-propagation  add 100 routes one at a time to the listenerset-scale world, 1,000 proxies connected:
                           write -> xDS response at every proxy (p50/p90/p99), raw and minus the debounce
        backend-propagation  the same, each route to a new Service made just before it: what sending the new
                           cluster and its endpoints first, and the route once the proxy ACKed them, costs
        fan-out            1,000 proxies of one Gateway on one shard; time until a push reaches all of them
        shard-scaling      250 Gateways sharing the listenerset-scale world on 1, 2 and 4 shards: per-shard
                           translation CPU and heap as ratios to one shard
        shard-restart      restart every shard with the fleet connected: no proxy ever holds fewer resources;
                           time to reconverge
        churn              route edits, endpoint changes and ListenerSets added and removed at fixed rates

      Options:
        --scale F            fraction of the scenario's objects (default 1)
        --shards N           xds-shards in the process (default 1; shard-restart 2; shard-scaling: --shard-counts)
        --shard-counts L     shard counts compared by shard-scaling (default 1,2,4)
        --gateways N         Gateways shard-scaling spreads the world over (default 250)
        --proxies N          simulated proxies (default 1,000 x scale for route-propagation, fan-out, shard-restart
                             and churn; 10 for listenerset-scale, 1 for attach-routes, one per Gateway for
                             shard-scaling)
        --protocol P         sotw or delta xDS for the fleet (default delta)
        --writes N           changes to measure (route-propagation: 100 x scale, at least 10; fan-out: 10;
                             shard-scaling: 400 x scale route edits, at least 20)
        --warmup N           changes made and followed before the measured ones, so the measured ones run on
                             compiled code (route-propagation and fan-out; default 30)
        --routes N           routes to attach (attach-routes: 1000 x scale)
        --duration D         churn duration (default 60s x scale, at least 10s), e.g. 30s, 2m
        --nack-proxies N     proxies that NACK every response carrying "load-test-nack" (churn writes some)
        --set KEY=VALUE      a GANTRY_* setting of the in-process components (repeatable), e.g.
                             --set GANTRY_DEBOUNCE=20ms --set GANTRY_STATUS_QPS=500
        --no-controller      do not run the controller (shard scenarios; statuses are then never written)
        --no-settle          measure without waiting for the controller to finish writing status
        --timeout D          longest wait for readiness or for a change to reach the fleet (default 5m)
        --out DIR            where results go (default load-test-results/)
        --progress / --no-progress   progress bars on stderr (default: when stderr is a terminal)
        --verbose            Gantry's own INFO logs
      Against Gantry running elsewhere (the world is applied through KUBECONFIG):
        --shard HOST:PORT[@ADMINHOST:ADMINPORT][/TLSNAME]   one per shard, in shard-index order (admin default
                             HOST:9090; TLSNAME: the name the shard's certificate is checked against, default HOST).
                             Proxies authenticate with their Gateway's credential Secret, read through KUBECONFIG;
                             --set GANTRY_XDS_INSECURE=true connects in plaintext to shards run that way
        --cleanup            delete the generated namespaces (label gantry.dev/load-test=true) at the end

      The run ends by printing the path of its JSON result; an HTML chart and a summary lie beside it.
      """;

    static Options parse(String[] args) {
        String scenario = null;
        double scale = 1;
        Integer shards = null;
        Path out = DEFAULT_OUT;
        Integer proxies = null;
        AdsClient.Protocol protocol = AdsClient.Protocol.DELTA;
        Integer writes = null;
        Integer warmup = null;
        Integer routes = null;
        Duration duration = null;
        List<Integer> shardCounts = List.of(1, 2, 4);
        Integer gateways = null;
        List<String> remote = new ArrayList<>();
        boolean controller = true;
        boolean settle = true;
        Boolean progress = null;
        Map<String, String> settings = new LinkedHashMap<>();
        int nack = 0;
        Duration timeout = Duration.ofMinutes(5);
        boolean cleanup = false;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--no-controller" -> controller = false;
                case "--no-settle" -> settle = false;
                case "--progress" -> progress = true;
                case "--no-progress" -> progress = false;
                case "--cleanup" -> cleanup = true;
                case "--verbose" -> verbose = true;
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(
                                flag.startsWith("--") ? flag + " needs a value" : "unknown argument " + flag);
                    }
                    String value = args[++i];
                    switch (flag) {
                        case "--scenario" -> scenario = value;
                        case "--scale" -> scale = positiveDecimal(flag, value);
                        case "--shards" -> shards = count(flag, value, 1, 64);
                        case "--shard-counts" -> {
                            List<Integer> counts = new ArrayList<>();
                            for (String part : value.split(",")) {
                                counts.add(count(flag, part.trim(), 1, 64));
                            }
                            shardCounts = counts;
                        }
                        case "--gateways" -> gateways = count(flag, value, 1, 100_000);
                        case "--out" -> out = Path.of(value);
                        case "--proxies" -> proxies = count(flag, value, 0, 1_000_000);
                        case "--protocol" ->
                            protocol = switch (value.toLowerCase(Locale.ROOT)) {
                                case "sotw", "state-of-the-world" -> AdsClient.Protocol.STATE_OF_THE_WORLD;
                                case "delta" -> AdsClient.Protocol.DELTA;
                                default ->
                                    throw new IllegalArgumentException(
                                            "--protocol must be sotw or delta, got '" + value + "'");
                            };
                        case "--writes" -> writes = count(flag, value, 1, 1_000_000);
                        case "--warmup" -> warmup = count(flag, value, 0, 1_000_000);
                        case "--routes" -> routes = count(flag, value, 1, 1_000_000);
                        case "--duration" -> duration = duration(flag, value);
                        case "--timeout" -> timeout = duration(flag, value);
                        case "--nack-proxies" -> nack = count(flag, value, 0, 1_000_000);
                        case "--shard" -> remote.add(value);
                        case "--set" -> {
                            int eq = value.indexOf('=');
                            if (eq <= 0 || !value.startsWith("GANTRY_")) {
                                throw new IllegalArgumentException(
                                        "--set wants GANTRY_NAME=value, got '" + value + "'");
                            }
                            settings.put(value.substring(0, eq), value.substring(eq + 1));
                        }
                        default -> throw new IllegalArgumentException("unknown option " + flag);
                    }
                }
            }
        }
        if (scenario == null) {
            throw new IllegalArgumentException("--scenario is required (see --list)");
        }
        return new Options(
                scenario,
                scale,
                shards,
                out,
                proxies,
                protocol,
                writes,
                warmup,
                routes,
                duration,
                shardCounts,
                gateways,
                remote,
                controller,
                settle,
                progress,
                settings,
                nack,
                timeout,
                cleanup,
                verbose);
    }

    private static double positiveDecimal(String flag, String value) {
        try {
            double number = Double.parseDouble(value);
            if (!(number > 0) || number > 100) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number above 0 (at most 100), got '" + value + "'");
        }
    }

    private static int count(String flag, String value, int min, int max) {
        try {
            int number = Integer.parseInt(value);
            if (number < min || number > max) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
        }
    }

    static Duration duration(String flag, String value) {
        try {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
            }
            return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " must be a duration such as 500ms, 30s or 2m, got '" + value + "'");
        }
    }
}
