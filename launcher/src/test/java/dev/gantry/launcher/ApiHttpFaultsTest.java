package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.kube.InMemoryDispatcher;
import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.model.ObjectKey;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Faults an API server answers with, met by the control plane as separate processes: every watch dropped and
 * every resumption told {@code 410 Gone} (the history was compacted), then every relist refused for a while with
 * 503, 429 and 500, then status writes refused likewise. After each, a change made meanwhile reaches the proxies
 * and its status is written; the shards stay ready throughout, and no proxy loses a resource or holds a route to
 * a cluster it lacks.
 */
class ApiHttpFaultsTest {

    private static final ObjectKey SHARED = new ObjectKey("infra", "shared");
    private static final String CONTROLLER = "controller-a";
    /** Refusals of each kind (503, 429, 500) per process: more than the client retries one request. */
    private static final int LIST_REFUSALS = 15;

    private static final int STATUS_REFUSALS = 5;

    private static final Path DIRECTORY = Path.of("target", "api-http-faults");

    @Test
    void informersListAgainWhenToldGoneAndEveryRefusalIsOutlasted() throws Exception {
        try (ProcessCluster cluster =
                new ProcessCluster(ProcessCluster.freshDirectory(DIRECTORY), 2, Path.of("..", "examples"))) {
            cluster.startController(CONTROLLER).startShard(0).startShard(1);
            InMemoryKubernetesApi api = cluster.api().api();
            String owner = ProcessCluster.shardName(cluster.ownerOf(SHARED));
            cluster.awaitReady(owner);
            AdsClient delta = cluster.connectProxy(SHARED, "proxy-delta", AdsClient.Protocol.DELTA);
            AdsClient sotw = cluster.connectProxy(SHARED, "proxy-sotw", AdsClient.Protocol.STATE_OF_THE_WORLD);
            List<AdsClient> proxies = List.of(delta, sotw);
            AtomicInteger lost = new AtomicInteger();
            for (AdsClient proxy : proxies) {
                Eventually.await(
                        ProcessCluster.TIMEOUT,
                        "the proxy configured",
                        () -> proxy.warm() && ProcessCluster.routeTables(proxy).contains("/status"),
                        cluster::logs);
                int held = proxy.resourceCount();
                proxy.onResponse(r -> {
                    if (proxy.resourceCount() < held) {
                        lost.incrementAndGet();
                    }
                });
            }
            List<String> agents =
                    List.of("gantry-controller/" + CONTROLLER, "gantry-xds-shard-0", "gantry-xds-shard-1");

            // 1. The history compacted and every watch dropped: each resumption is told 410 Gone.
            long start = System.nanoTime();
            api.compact();
            api.dropWatches();
            createRoute(cluster, "after-compaction");
            long compacted = awaitConverged(cluster, proxies, "after-compaction", start);
            int expired = api.expiredWatches();
            assertTrue(expired > 0, "the watches resumed from a compacted version and were told 410 Gone");
            for (String agent : agents) {
                assertTrue(relistedAfter(api, agent, start), agent + " listed again after the 410");
            }

            // 2. Every relist refused, LIST_REFUSALS times each with 503, 429 and 500, while the informers must relist.
            for (String agent : agents) {
                for (int code : new int[] {503, 429, 500}) {
                    api.injectListFault(".", agent, code, LIST_REFUSALS);
                }
            }
            start = System.nanoTime();
            api.dropWatches();
            createRoute(cluster, "after-refused-lists");
            long listsRefused = awaitConverged(cluster, proxies, "after-refused-lists", start);
            long refusedLists = refusals(api, start, false);
            assertEquals(200, cluster.readyz(owner), "a shard whose relists are refused stays ready");

            // 3. Status writes refused, STATUS_REFUSALS times each with 503, 429 and 500.
            for (int code : new int[] {503, 429, 500}) {
                api.injectFault("PUT", "/status$", agents.getFirst(), code, STATUS_REFUSALS);
            }
            start = System.nanoTime();
            createRoute(cluster, "after-refused-status");
            long statusRefused = awaitConverged(cluster, proxies, "after-refused-status", start);
            long refusedStatus = refusals(api, start, true);
            assertEquals(3L * STATUS_REFUSALS, refusedStatus, "every refusal of a status write was met");

            System.out.printf(
                    "API HTTP faults: 410 Gone on %d resumed watches, converged %d ms after the compaction; %d lists"
                            + " refused (503/429/500), converged %d ms after the faults began; %d status writes"
                            + " refused, written %d ms after the change%n",
                    expired, compacted, refusedLists, listsRefused, refusedStatus, statusRefused);
            assertEquals(0, lost.get(), "no proxy ever held fewer resources");
            for (AdsClient proxy : proxies) {
                assertEquals(
                        0,
                        proxy.makeBeforeBreakViolations(),
                        proxy.violationSamples().toString());
                proxy.close();
            }
        }
    }

    private static void createRoute(ProcessCluster cluster, String name) {
        cluster.client()
                .resource(ProcessCluster.prefixRoute(
                        SHARED.namespace(), name, SHARED.name(), "http", "/" + name, "status-page"))
                .create();
    }

    /** Milliseconds from {@code start} until the route reached every proxy and its status was written. */
    private static long awaitConverged(ProcessCluster cluster, List<AdsClient> proxies, String name, long start) {
        Eventually.await(
                Duration.ofSeconds(120),
                "the route " + name + " to reach the proxies and its status to be written",
                () -> proxies.stream()
                                .allMatch(p -> ProcessCluster.routeTables(p).contains("/" + name))
                        && cluster.routeAccepted(SHARED.namespace(), name),
                cluster::logs);
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    private static boolean relistedAfter(InMemoryKubernetesApi api, String agent, long start) {
        return api.requestLog().stream()
                .anyMatch(c -> c.receivedNanos() >= start
                        && c.userAgent().equals(agent)
                        && c.method().equals("GET")
                        && c.code() == 200
                        && !c.path().contains("watch=true"));
    }

    private static long refusals(InMemoryKubernetesApi api, long start, boolean statusWrites) {
        return api.requestLog().stream()
                .filter(c -> c.receivedNanos() >= start
                        && (c.code() == 503 || c.code() == 429 || c.code() == 500)
                        && (statusWrites ? c.isStatusWrite() : c.method().equals("GET")))
                .map(InMemoryDispatcher.Call::path)
                .count();
    }
}
