package dev.gantry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load test's small parts: options, percentiles, JSON, world sizes, marker search, thread grouping. */
class PartsTest {

    @Test
    void optionsHaveDefaultsAndRefuseNonsense() {
        Options options = Options.parse(new String[] {"--scenario", "fan-out"});
        assertEquals(1.0, options.scale());
        assertNull(options.proxies());
        assertEquals(AdsClient.Protocol.DELTA, options.protocol());
        assertEquals(Options.DEFAULT_OUT, options.out());
        assertFalse(options.remote());
        Options custom = Options.parse(new String[] {
            "--scenario",
            "churn",
            "--scale",
            "0.1",
            "--protocol",
            "sotw",
            "--duration",
            "90s",
            "--set",
            "GANTRY_DEBOUNCE=10ms",
            "--shard",
            "10.0.0.1:18000@10.0.0.1:9090"
        });
        assertEquals(AdsClient.Protocol.STATE_OF_THE_WORLD, custom.protocol());
        assertEquals(Duration.ofSeconds(90), custom.duration());
        assertEquals("10ms", custom.settings().get("GANTRY_DEBOUNCE"));
        assertTrue(custom.remote());
        assertEquals(
                "http://10.0.0.1:9090",
                RemoteDeployment.parse(0, custom.remoteShards().getFirst()).adminUrl());
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--scale", "0.1"}));
        assertThrows(
                IllegalArgumentException.class, () -> Options.parse(new String[] {"--scenario", "x", "--scale", "-1"}));
        assertThrows(
                IllegalArgumentException.class,
                () -> Options.parse(new String[] {"--scenario", "x", "--set", "DEBOUNCE=1"}));
        assertEquals(2, LoadTest.run(new String[] {"--scenario", "no-such"}, System.out, System.err));
    }

    @Test
    void percentilesByNearestRank() {
        long[] samples = new long[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = (100 - i) * 1_000_000L;
        }
        Stats stats = new Stats(samples);
        assertEquals(50.0, stats.percentileMs(50));
        assertEquals(90.0, stats.percentileMs(90));
        assertEquals(99.0, stats.percentileMs(99));
        assertEquals(100.0, stats.maxMs());
        assertEquals(40.0, stats.minus(10_000_000L).percentileMs(50));
        assertNull(new Stats(new long[0]).summary().get("p50"));
    }

    @Test
    void jsonIsValidAndReadable() throws Exception {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("text", "a \"quoted\"\nline");
        map.put("number", 1.5);
        map.put("whole", 2.0);
        map.put("missing", null);
        map.put("list", List.of(1, 2, List.of(3.0, 4.25)));
        map.put("nested", Map.of("k", true));
        var tree = Serialization.jsonMapper().readTree(Json.write(map));
        assertEquals("a \"quoted\"\nline", tree.get("text").asString());
        assertEquals(1.5, tree.get("number").asDouble());
        assertEquals(2, tree.get("whole").asInt());
        assertTrue(tree.get("missing").isNull());
        assertEquals(4.25, tree.get("list").get(2).get(1).asDouble());
    }

    @Test
    void scaledWorldsKeepTheirShape() {
        ScaleWorld full = ScaleWorld.listenerSetScale();
        assertEquals(2500, full.listenerSets());
        assertEquals(40_000, full.routes());
        assertEquals(25, full.scaled(0.01).listenerSets());
        assertEquals(400, full.scaled(0.01).routes());
        assertEquals(250, full.scaled(0.1).listenerSets(), 10);
        ScaleWorld wide = new ScaleWorld(3, 2, 3, 2, 4, 2, 1);
        assertEquals(12, wide.listeners());
        assertEquals(48, wide.routes());
        TestCertificates.Pem pem = TestCertificates.selfSigned("*.example.com");
        long routes = wide.all(pem.certificate(), pem.privateKey()).stream()
                .filter(o -> o.getKind().equals("HTTPRoute"))
                .count();
        assertEquals(48, routes);
        // The full world's grants stay within the CRD's 16 namespaces each and admit every team's ListenerSets.
        List<ReferenceGrant> grants = full.all(pem.certificate(), pem.privateKey()).stream()
                .filter(o -> o instanceof ReferenceGrant)
                .map(o -> (ReferenceGrant) o)
                .toList();
        assertTrue(grants.stream().allMatch(g -> g.getSpec().getFrom().size() <= 16));
        assertEquals(
                full.namespaces(),
                grants.stream().mapToLong(g -> g.getSpec().getFrom().size()).sum());
    }

    @Test
    void markersAreFoundInBytes() {
        ByteString bytes = ByteString.copyFrom("..path /probe/ab/7 here", StandardCharsets.UTF_8);
        assertTrue(Probe.contains(bytes, "/probe/ab/7".getBytes(StandardCharsets.UTF_8)));
        assertFalse(Probe.contains(bytes, "/probe/ab/8".getBytes(StandardCharsets.UTF_8)));
        assertFalse(Probe.contains(ByteString.EMPTY, "x".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void threadsAreGroupedByComponent() {
        assertEquals("shard-3.translation", CpuMeter.component("xds-shard-3-reconciler"));
        assertEquals("shard-0.serving", CpuMeter.component("xds-shard-0-grpc-12"));
        assertEquals("shard-0.serving", CpuMeter.component("xds-shard-0-netty-1"));
        assertEquals("shard-1.informers", CpuMeter.component("xds-shard-1-kube-4"));
        assertEquals("controller", CpuMeter.component("status-writer-2"));
        assertEquals("controller", CpuMeter.component("controller-kube-0"));
        assertEquals("fleet", CpuMeter.component("grpc-nio-worker-ELG-1-3"));
        assertEquals("kube_io", CpuMeter.component("vert.x-eventloop-thread-1"));
    }
}
