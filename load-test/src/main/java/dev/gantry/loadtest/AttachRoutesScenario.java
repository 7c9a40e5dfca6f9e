package dev.gantry.loadtest;

import com.google.protobuf.Any;
import dev.gantry.model.ObjectKey;
import dev.gantry.xds.XdsShard;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 2 (anchors: Istio 2 s, kgateway 12 s, Envoy Gateway 23 s; 311 to 1,383 status writes): a fresh small
 * world with one Gateway; N routes are created in parallel and the clock runs from the first write until every
 * route is {@code Accepted} in its status, as a watch on the routes sees it. Status writes are counted in the
 * in-memory API's request log (PUT of a {@code /status} subresource by the controller) and, in any mode, as the
 * updates the watch sees on the routes and the Gateway.
 */
final class AttachRoutesScenario implements Scenario {

    static final String NAMESPACE = "load-attach";
    static final String GATEWAY = "attach";
    private static final int SERVICES = 4;

    @Override
    public void run(Run run) throws Exception {
        Options options = run.options;
        int routes = options.routes() != null ? options.routes() : Options.scaled(1000, options.scale(), 1);
        int shards = options.shards() == null ? 1 : options.shards();
        int proxies = options.proxies() == null ? 1 : options.proxies();
        if (!options.remote() && !options.controller()) {
            throw new IllegalArgumentException("attach-routes measures status: it needs the controller");
        }
        run.recordWorld(1, 0, 1, 0, routes, SERVICES);
        Deployment deployment = run.deploy();
        run.apply("apply the Gateway", infrastructure());
        if (deployment.local() != null) {
            List<ShardStart> starts = run.startShards(shards, false);
            run.result.put(
                    "time_to_ready_ms",
                    Stats.ms(starts.stream()
                                    .mapToLong(ShardStart::readyNanos)
                                    .max()
                                    .orElse(0)
                            / 1e6));
        }
        ObjectKey gateway = new ObjectKey(NAMESPACE, GATEWAY);
        if (deployment.local() == null) {
            removeOldRoutes(run);
        }
        awaitGatewayAccepted(run, gateway);
        run.settle();
        // A Gateway without routes has no complete configuration yet: the proxies connect and wait for the routes.
        Fleet fleet = proxies > 0 ? run.connectFleet(List.of(gateway), proxies, false, false) : null;

        Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
        // When the watch first saw each route: it exists in the API from then on, whatever the API's write rate.
        Map<String, Long> seenAt = new ConcurrentHashMap<>();
        Map<String, AtomicLong> routeUpdates = new ConcurrentHashMap<>();
        AtomicLong gatewayUpdates = new AtomicLong();
        SharedIndexInformer<HTTPRoute> routeWatch = deployment
                .client()
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(HTTPRoute route) {
                                check(route);
                            }

                            @Override
                            public void onUpdate(HTTPRoute previous, HTTPRoute route) {
                                if (!Objects.equals(
                                        previous.getMetadata().getResourceVersion(),
                                        route.getMetadata().getResourceVersion())) {
                                    routeUpdates
                                            .computeIfAbsent(route.getMetadata().getName(), k -> new AtomicLong())
                                            .incrementAndGet();
                                }
                                check(route);
                            }

                            @Override
                            public void onDelete(HTTPRoute route, boolean unknown) {}

                            private void check(HTTPRoute route) {
                                seenAt.putIfAbsent(route.getMetadata().getName(), System.nanoTime());
                                if (accepted(route)) {
                                    acceptedAt.putIfAbsent(route.getMetadata().getName(), System.nanoTime());
                                }
                            }
                        },
                        0);
        run.closeLater(routeWatch::stop);
        SharedIndexInformer<Gateway> gatewayWatch = deployment
                .client()
                .resources(Gateway.class)
                .inNamespace(NAMESPACE)
                .inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Gateway object) {}

                            @Override
                            public void onUpdate(Gateway previous, Gateway current) {
                                if (!Objects.equals(
                                        previous.getMetadata().getResourceVersion(),
                                        current.getMetadata().getResourceVersion())) {
                                    gatewayUpdates.incrementAndGet();
                                }
                            }

                            @Override
                            public void onDelete(Gateway object, boolean unknown) {}
                        },
                        0);
        run.closeLater(gatewayWatch::stop);
        StatusCounter allWrites =
                deployment.local() == null ? null : new StatusCounter(deployment.local(), null).fromNow();
        StatusCounter routeWrites =
                deployment.local() == null ? null : new StatusCounter(deployment.local(), "/httproutes/").fromNow();

        List<HasMetadata> objects = new ArrayList<>();
        for (int r = 0; r < routes; r++) {
            objects.add(route(r));
        }
        CpuMeter.Sample cpu0 = CpuMeter.sample();
        long t0 = System.nanoTime();
        AtomicLong writesDone = new AtomicLong(-1);
        long allAccepted = -1;
        long xdsAll = -1;
        try (Run.Phase p = run.phase("attach " + routes + " routes");
                Progress progress = run.progress("routes Accepted", routes);
                Applier applier = new Applier(deployment.client(), 16)) {
            Thread writer = Thread.ofPlatform().name("loadtest-attach").start(() -> {
                try {
                    applier.apply(objects, null);
                    writesDone.set(System.nanoTime() - t0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long deadline = t0 + options.timeout().toNanos();
            while (System.nanoTime() < deadline) {
                progress.set(acceptedAt.size());
                if (xdsAll < 0 && fleet != null && holdsAll(fleet.members().getFirst().client, routes)) {
                    xdsAll = System.nanoTime() - t0;
                }
                if (acceptedAt.size() >= routes && (fleet == null || xdsAll >= 0)) {
                    break;
                }
                Thread.sleep(acceptedAt.size() >= routes ? 5 : 10);
            }
            writer.join();
            if (acceptedAt.size() >= routes) {
                allAccepted = acceptedAt.values().stream()
                        .mapToLong(t -> t - t0)
                        .max()
                        .orElse(0);
            }
        }
        // Writes that trail the last Accepted (a second write for the same object) count too.
        try (Run.Phase p = run.phase("wait for trailing status writes")) {
            quiet(run, routeUpdates, gatewayUpdates, allWrites);
        }
        CpuMeter.Sample cpu1 = CpuMeter.sample();

        long watchedRouteUpdates =
                routeUpdates.values().stream().mapToLong(AtomicLong::get).sum();
        Map<String, Object> attach = new LinkedHashMap<>();
        attach.put("routes", routes);
        attach.put("accepted", acceptedAt.size());
        attach.put("all_accepted_ms", allAccepted < 0 ? null : Stats.ms(allAccepted / 1e6));
        attach.put("writes_done_ms", writesDone.get() < 0 ? null : Stats.ms(writesDone.get() / 1e6));
        attach.put(
                "accepted_ms",
                new Stats(acceptedAt.values().stream().mapToLong(t -> t - t0).toArray()).summary());
        attach.put("xds_all_routes_ms", xdsAll < 0 ? null : Stats.ms(xdsAll / 1e6));
        // Gantry's part, apart from how fast the API stores the routes: from a route's creation to its Accepted.
        long[] createdToAccepted = acceptedAt.entrySet().stream()
                .filter(e -> seenAt.containsKey(e.getKey()))
                .mapToLong(e -> e.getValue() - seenAt.get(e.getKey()))
                .toArray();
        attach.put("created_to_accepted_ms", new Stats(createdToAccepted).summary());
        long lastCreated = seenAt.values().stream().mapToLong(t -> t - t0).max().orElse(-1);
        attach.put("last_created_ms", lastCreated < 0 ? null : Stats.ms(lastCreated / 1e6));
        attach.put(
                "all_accepted_after_last_created_ms",
                allAccepted < 0 || lastCreated < 0 ? null : Stats.ms((allAccepted - lastCreated) / 1e6));
        attach.put("watched_route_updates", watchedRouteUpdates);
        attach.put("watched_gateway_updates", gatewayUpdates.get());
        long statusWrites;
        if (allWrites != null) {
            statusWrites = allWrites.count();
            attach.put("route_status_writes", routeWrites.count());
            attach.put("status_writes_source", "in-memory API request log: PUT .../status by the controller");
        } else {
            statusWrites = watchedRouteUpdates + gatewayUpdates.get();
            attach.put("status_writes_source", "updates seen by a watch on the routes and the Gateway");
        }
        run.result.put("status_writes", statusWrites);
        run.result.put("status_writes_per_object", Math.round(statusWrites * 1000.0 / routes) / 1000.0);
        run.result.put("attach", attach);
        run.result.put("cpu_seconds", CpuMeter.between(cpu0, cpu1));
        if (deployment.local() != null) {
            run.result.put("heap_after_gc_mib", HeapMeter.mib(HeapMeter.usedAfterGc()));
        }
        run.summary(
                "attach %d routes: all Accepted after %s ms (target <= 2000 ms; anchors: Istio 2 s, kgateway 12 s,"
                        + " Envoy Gateway 23 s)",
                routes, attach.get("all_accepted_ms"));
        if (attach.get("all_accepted_after_last_created_ms") != null) {
            Stats created = new Stats(createdToAccepted);
            run.summary(
                    "the API had stored the last route after %s ms; all Accepted %s ms later; per route, creation to"
                            + " Accepted p50 %.0f ms, p99 %.0f ms",
                    attach.get("last_created_ms"),
                    attach.get("all_accepted_after_last_created_ms"),
                    created.percentileMs(50),
                    created.percentileMs(99));
        }
        run.summary(
                "status writes: %d, %.3f per route (target <= 1.1; anchors: 311 to 1,383 writes for 1,000 routes)%s",
                statusWrites,
                statusWrites / (double) routes,
                deployment.local() == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; GANTRY_STATUS_QPS %.0f, burst %d",
                                run.settings().statusQps(),
                                run.settings().statusBurst()));
        if (xdsAll >= 0) {
            run.summary("a proxy had all %d routes after %.0f ms", routes, xdsAll / 1e6);
        }
    }

    /** Waits until no status write has happened for two seconds. */
    private static void quiet(
            Run run, Map<String, AtomicLong> routeUpdates, AtomicLong gatewayUpdates, StatusCounter writes)
            throws InterruptedException {
        long last = -1;
        long quietSince = System.nanoTime();
        long deadline = System.nanoTime() + run.options.timeout().toNanos();
        while (System.nanoTime() < deadline) {
            long seen =
                    routeUpdates.values().stream().mapToLong(AtomicLong::get).sum()
                            + gatewayUpdates.get()
                            + (writes == null ? 0 : writes.count());
            if (seen != last) {
                last = seen;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 2_000_000_000L) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static boolean holdsAll(AdsClient client, int routes) {
        Any table = client.held(AdsClient.ROUTE, "http-80");
        if (table == null) {
            return false;
        }
        Set<String> paths = new HashSet<>();
        Matcher matcher = PATH.matcher(table.getValue().toString(StandardCharsets.UTF_8));
        while (matcher.find()) {
            paths.add(matcher.group());
        }
        return paths.size() >= routes;
    }

    private static final Pattern PATH = Pattern.compile("/attach/\\d{5}");

    /** Accepted by Gantry for the route's current generation. */
    static boolean accepted(HTTPRoute route) {
        if (route.getStatus() == null || route.getStatus().getParents() == null) {
            return false;
        }
        Long generation = route.getMetadata().getGeneration();
        for (RouteParentStatus parent : route.getStatus().getParents()) {
            if (!ScaleWorld.CONTROLLER_NAME.equals(parent.getControllerName()) || parent.getConditions() == null) {
                continue;
            }
            for (var condition : parent.getConditions()) {
                if ("Accepted".equals(condition.getType())
                        && "True".equals(condition.getStatus())
                        && (generation == null || Objects.equals(generation, condition.getObservedGeneration()))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Against a running Gantry the routes of an earlier run may still be there: they go first. */
    private static void removeOldRoutes(Run run) throws InterruptedException {
        var routes = run.deployment().client().resources(HTTPRoute.class).inNamespace(NAMESPACE);
        if (routes.list().getItems().isEmpty()) {
            return;
        }
        routes.delete();
        long deadline = System.nanoTime() + run.options.timeout().toNanos();
        while (!routes.list().getItems().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Thread.sleep(2000); // let the controller and the shards see the deletions before the clock starts
    }

    private static void awaitGatewayAccepted(Run run, ObjectKey key) throws InterruptedException {
        long deadline = System.nanoTime() + run.options.timeout().toNanos();
        try (Progress progress = run.progress("Gateway accepted and shards ready", 0)) {
            while (System.nanoTime() < deadline) {
                Gateway gateway = run.deployment()
                        .client()
                        .resources(Gateway.class)
                        .inNamespace(key.namespace())
                        .withName(key.name())
                        .get();
                boolean accepted = gateway != null
                        && gateway.getStatus() != null
                        && gateway.getStatus().getConditions() != null
                        && gateway.getStatus().getConditions().stream()
                                .anyMatch(c -> "Accepted".equals(c.getType()) && "True".equals(c.getStatus()));
                boolean ready = true;
                InProcessDeployment local = run.deployment().local();
                if (local != null) {
                    for (int i = 0; i < local.shardCount(); i++) {
                        XdsShard shard = local.shardInstance(i);
                        ready &= shard != null && shard.readiness().ready();
                    }
                }
                if (accepted && ready) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("Gateway " + key + " was not Accepted within " + run.options.timeout());
    }

    static List<HasMetadata> infrastructure() {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new GatewayClassBuilder()
                .withNewMetadata()
                .withName(ScaleWorld.GATEWAY_CLASS)
                .endMetadata()
                .withNewSpec()
                .withControllerName(ScaleWorld.CONTROLLER_NAME)
                .endSpec()
                .build());
        objects.add(ScaleWorld.namespaceObject(NAMESPACE));
        objects.add(new GatewayBuilder()
                .withNewMetadata()
                .withName(GATEWAY)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName(ScaleWorld.GATEWAY_CLASS)
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build());
        for (int v = 0; v < SERVICES; v++) {
            String name = ScaleWorld.serviceName(v);
            objects.add(new ServiceBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace(NAMESPACE)
                    .endMetadata()
                    .withNewSpec()
                    .addNewPort()
                    .withName("http")
                    .withPort(8080)
                    .endPort()
                    .endSpec()
                    .build());
            objects.add(new EndpointSliceBuilder()
                    .withNewMetadata()
                    .withName(name + "-1")
                    .withNamespace(NAMESPACE)
                    .addToLabels("kubernetes.io/service-name", name)
                    .endMetadata()
                    .withAddressType("IPv4")
                    .addNewPort()
                    .withName("http")
                    .withPort(8080)
                    .withProtocol("TCP")
                    .endPort()
                    .addNewEndpoint()
                    .withAddresses("10.99." + v + ".1")
                    .withNewConditions()
                    .withReady(true)
                    .endConditions()
                    .endEndpoint()
                    .build());
        }
        return objects;
    }

    static String path(int r) {
        return String.format("/attach/%05d", r);
    }

    static HTTPRoute route(int r) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(String.format("attach-%05d", r))
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(GATEWAY)
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue(path(r))
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName(ScaleWorld.serviceName(r % SERVICES))
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }
}
