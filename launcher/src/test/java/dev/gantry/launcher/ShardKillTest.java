package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gantry.model.ObjectKey;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Shards killed with SIGKILL while routes change and proxies are connected, then every shard restarted one after
 * another (a rolling update): the proxies reconnect to the shard started again, no proxy ever holds fewer resources
 * than it did before the first kill, none holds a route to a cluster it lacks, and every proxy converges on the
 * changes made meanwhile.
 */
@Tag("faults")
class ShardKillTest {

    private static final int SHARDS = 2;
    private static final int GATEWAYS = 6;
    private static final int PROXIES_PER_GATEWAY = 5;
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @Test
    void proxiesLoseNothingWhenShardsAreKilledAndRolled() throws Exception {
        Path directory = ProcessCluster.freshDirectory(Path.of("target", "shard-kill"));
        try (ProcessCluster cluster = new ProcessCluster(directory, SHARDS, null)) {
            KubernetesClient client = cluster.client();
            List<ObjectKey> gateways = new ArrayList<>();
            for (int g = 0; g < GATEWAYS; g++) {
                gateways.add(world(client, "team-" + g));
            }
            cluster.startController("controller-a");
            for (int i = 0; i < SHARDS; i++) {
                cluster.startShard(i);
            }
            for (int i = 0; i < SHARDS; i++) {
                cluster.awaitReady(ProcessCluster.shardName(i));
            }
            Map<AdsClient, ObjectKey> proxies = new HashMap<>();
            for (ObjectKey gateway : gateways) {
                for (int p = 0; p < PROXIES_PER_GATEWAY; p++) {
                    AdsClient proxy = cluster.connectProxy(
                            gateway,
                            gateway.namespace() + "-proxy-" + p,
                            p % 2 == 0 ? AdsClient.Protocol.DELTA : AdsClient.Protocol.STATE_OF_THE_WORLD);
                    proxy.autoReconnect(true);
                    proxies.put(proxy, gateway);
                }
            }
            Eventually.await(
                    ProcessCluster.TIMEOUT,
                    "every proxy configured",
                    () -> proxies.keySet().stream()
                            .allMatch(p ->
                                    p.warm() && ProcessCluster.routeTables(p).contains("/v0")),
                    cluster::logs);
            Map<AdsClient, Integer> before = new ConcurrentHashMap<>();
            AtomicInteger lost = new AtomicInteger();
            for (AdsClient proxy : proxies.keySet()) {
                before.put(proxy, proxy.resourceCount());
                proxy.onResponse(r -> {
                    if (proxy.resourceCount() < before.get(proxy)) {
                        lost.incrementAndGet();
                    }
                });
            }

            // Churn: every Gateway's route changes its path every 200 ms until the end.
            AtomicBoolean churning = new AtomicBoolean(true);
            AtomicInteger version = new AtomicInteger();
            AtomicReference<Exception> churnFailure = new AtomicReference<>();
            Thread churn = Thread.ofVirtual().start(() -> {
                while (churning.get() && churnFailure.get() == null) {
                    int v = version.incrementAndGet();
                    for (ObjectKey gateway : gateways) {
                        client.resources(HTTPRoute.class)
                                .inNamespace(gateway.namespace())
                                .withName("app")
                                .edit(r -> new HTTPRouteBuilder(r)
                                        .withSpec(route(gateway.namespace(), "/v" + v)
                                                .getSpec())
                                        .build());
                    }
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            long start = System.nanoTime();
            cluster.process(ProcessCluster.shardName(0)).kill();
            // Restarted a second later by the cluster, like a kubelet; then a rolling update of every shard.
            cluster.awaitReady(ProcessCluster.shardName(0));
            for (int i = 0; i < SHARDS; i++) {
                String shard = ProcessCluster.shardName(i);
                int restartsBefore = cluster.restarts(shard);
                cluster.process(shard).kill();
                Eventually.await(
                        ProcessCluster.TIMEOUT,
                        shard + " started again",
                        () -> cluster.restarts(shard) > restartsBefore);
                cluster.awaitReady(shard);
            }
            churning.set(false);
            churn.join();
            assertNull(churnFailure.get(), () -> "the churn failed: " + churnFailure.get());
            String last = "/v" + version.get();
            Eventually.await(
                    CONVERGE,
                    "every proxy reconnected and on the last change (" + last + ")",
                    () -> proxies.keySet().stream()
                            .allMatch(p ->
                                    p.warm() && ProcessCluster.routeTables(p).contains(last)),
                    () -> proxies.entrySet().stream()
                                    .filter(e -> !(e.getKey().warm()
                                            && ProcessCluster.routeTables(e.getKey())
                                                    .contains(last)))
                                    .map(e -> describe(e.getKey(), e.getValue()))
                                    .toList()
                            + cluster.logs());
            long convergedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            long reconnects =
                    proxies.keySet().stream().mapToLong(AdsClient::reconnects).sum();
            long violations = proxies.keySet().stream()
                    .mapToLong(AdsClient::makeBeforeBreakViolations)
                    .sum();
            System.out.printf(
                    "shard kill and rolling restart of %d shards, %d proxies, %d route changes: converged %d ms after"
                            + " the first kill; %d reconnects; responses that left a proxy with fewer resources: %d;"
                            + " make-before-break violations: %d%n",
                    SHARDS,
                    proxies.size(),
                    version.get() * GATEWAYS,
                    convergedMillis,
                    reconnects,
                    lost.get(),
                    violations);
            assertEquals(0, lost.get(), "a proxy held fewer resources than before the kill");
            assertEquals(0, violations, "a proxy held a route to a cluster it lacked");
            proxies.keySet().forEach(AdsClient::close);
        }
    }

    /** A team's namespace with a Gateway, a Service with an endpoint and a route; returns the Gateway. */
    private static ObjectKey world(KubernetesClient client, String namespace) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .endMetadata()
                        .build())
                .create();
        client.resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("backend")
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withName("http")
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        client.resource(new EndpointSliceBuilder()
                        .withNewMetadata()
                        .withName("backend-1")
                        .withNamespace(namespace)
                        .addToLabels("kubernetes.io/service-name", "backend")
                        .endMetadata()
                        .withAddressType("IPv4")
                        .addNewEndpoint()
                        .withAddresses("10.0.0.1")
                        .endEndpoint()
                        .addNewPort()
                        .withName("http")
                        .withPort(8080)
                        .endPort()
                        .build())
                .create();
        client.resource(new GatewayBuilder()
                        .withNewMetadata()
                        .withName("gw")
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewSpec()
                        .withGatewayClassName("gantry")
                        .addNewListener()
                        .withName("http")
                        .withPort(80)
                        .withProtocol("HTTP")
                        .endListener()
                        .endSpec()
                        .build())
                .create();
        client.resource(route(namespace, "/v0")).create();
        return new ObjectKey(namespace, "gw");
    }

    private static HTTPRoute route(String namespace, String path) {
        return ProcessCluster.prefixRoute(namespace, "app", "gw", null, path, "backend");
    }

    private static String describe(AdsClient proxy, ObjectKey gateway) {
        String tables = ProcessCluster.routeTables(proxy);
        int at = tables.indexOf("path_separated_prefix");
        return gateway + " warm=" + proxy.warm() + " reconnects=" + proxy.reconnects() + " closed="
                + (proxy.closed().isDone() ? proxy.closed().join() : "no") + " held=" + proxy.names() + " route="
                + (at < 0 ? "none" : tables.substring(at, Math.min(tables.length(), at + 40)));
    }
}
