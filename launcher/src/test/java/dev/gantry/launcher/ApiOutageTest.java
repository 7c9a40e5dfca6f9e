package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.loadtest.TcpFaultProxy;
import dev.gantry.model.ObjectKey;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A 30-second API outage for every process of the control plane (each reaches the API through a fault proxy that
 * resets every connection, open or new): the shards that were ready stay ready and serve their last config to the
 * proxies connected and to those that connect meanwhile; a change made in the API during the outage reaches the
 * proxies once it ends, and its status is written. No proxy loses a resource or holds a route to a cluster it lacks.
 */
class ApiOutageTest {

    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final ObjectKey SHARED = new ObjectKey("infra", "shared");

    /** Kept after the run: each process's log is there. */
    private static final Path DIRECTORY = Path.of("target", "api-outage");

    @Test
    void shardsServeTheirLastConfigThroughAnOutageAndConvergeAfterIt() throws Exception {
        try (ProcessCluster cluster =
                new ProcessCluster(ProcessCluster.freshDirectory(DIRECTORY), 2, Path.of("..", "examples"))) {
            cluster.startController("controller-a").startShard(0).startShard(1);
            String owner = ProcessCluster.shardName(cluster.ownerOf(SHARED));
            cluster.awaitReady(owner);
            AdsClient before = cluster.connectProxy(SHARED, "proxy-before", AdsClient.Protocol.DELTA);
            Eventually.await(
                    ProcessCluster.TIMEOUT,
                    "the proxy configured before the outage",
                    () -> before.warm() && ProcessCluster.routeTables(before).contains("/status"),
                    cluster::logs);
            int held = before.resourceCount();
            AtomicInteger lost = new AtomicInteger();
            before.onResponse(r -> {
                if (before.resourceCount() < held) {
                    lost.incrementAndGet();
                }
            });

            cluster.networks().forEach(TcpFaultProxy::beginOutage);
            long outageStart = System.nanoTime();
            // A change the control plane cannot see until the outage ends.
            cluster.client()
                    .resource(ProcessCluster.prefixRoute(
                            SHARED.namespace(),
                            "during-outage",
                            SHARED.name(),
                            "http",
                            "/during-outage",
                            "status-page"))
                    .create();
            assertEquals(200, cluster.readyz(owner), "a ready shard stays ready without the API");
            AdsClient during = cluster.connectProxy(SHARED, "proxy-during", AdsClient.Protocol.STATE_OF_THE_WORLD);
            Eventually.await(
                    ProcessCluster.TIMEOUT,
                    "a proxy connecting during the outage gets the last config",
                    () -> during.warm()
                            && during.names(AdsClient.LISTENER).equals(before.names(AdsClient.LISTENER))
                            && ProcessCluster.routeTables(during).contains("/status"),
                    () -> during.names() + cluster.logs());
            sleepUntil(outageStart + OUTAGE.toNanos());
            assertEquals(200, cluster.readyz(owner), "still ready at the end of the outage");
            assertFalse(
                    ProcessCluster.routeTables(before).contains("/during-outage"),
                    "nothing could have reached the shard");
            assertTrue(cluster.networks().stream().allMatch(n -> n.refused() > 0), "every process tried the API");

            cluster.networks().forEach(TcpFaultProxy::endOutage);
            long back = System.nanoTime();
            Eventually.await(
                    ProcessCluster.TIMEOUT,
                    "the change made during the outage to reach both proxies and its status to be written",
                    () -> ProcessCluster.routeTables(before).contains("/during-outage")
                            && ProcessCluster.routeTables(during).contains("/during-outage")
                            && cluster.routeAccepted(SHARED.namespace(), "during-outage"),
                    cluster::logs);
            long convergedMillis = Duration.ofNanos(System.nanoTime() - back).toMillis();
            System.out.printf(
                    "API outage of %d s: converged %d ms after the API came back (controller restarts: %d)%n",
                    OUTAGE.toSeconds(), convergedMillis, cluster.restarts("controller-a"));

            assertEquals(0, lost.get(), "the connected proxy never held fewer resources");
            assertEquals(
                    0,
                    before.makeBeforeBreakViolations(),
                    before.violationSamples().toString());
            assertEquals(
                    0,
                    during.makeBeforeBreakViolations(),
                    during.violationSamples().toString());
            before.close();
            during.close();
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }
}
