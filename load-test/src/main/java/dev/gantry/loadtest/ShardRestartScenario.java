package dev.gantry.loadtest;

import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
import dev.gantry.xds.XdsShard;
import dev.gantry.xds.client.AdsClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scenario 6: every shard is restarted in turn with the fleet connected (proxies reconnect like Envoy: after a
 * short back-off, keeping their config, re-sending what they hold). After every response each proxy counts the
 * resources it holds: none may ever hold fewer than before the restarts. Per restart: time until the new shard is
 * ready, until all its proxies are connected again (its {@code gantry_xds_connected_proxies}), and until a change
 * made right after that (a new endpoint of a Service every Gateway uses) reached all of them (reconverged).
 */
final class ShardRestartScenario implements Scenario {

    @Override
    public void run(Run run) throws Exception {
        Options options = run.options;
        int shards = options.shards() == null ? 2 : options.shards();
        ScaleWorld world = ScaleWorld.listenerSetScale()
                .withGateways(Math.max(4, shards * 2))
                .scaled(options.scale());
        int proxies = options.proxies() != null ? options.proxies() : Options.scaled(1000, options.scale(), 8);
        run.recordWorld(world);
        Deployment deployment = run.deploy();
        InProcessDeployment local = run.local("it restarts shards");
        run.apply(
                "apply the world",
                world.all(run.certificate().certificate(), run.certificate().privateKey()));
        run.result.put("status_writes_setup", run.settle());
        List<ShardStart> starts = run.startShards(shards, false);
        run.result.put(
                "time_to_ready_ms",
                Stats.ms(starts.stream().mapToLong(ShardStart::readyNanos).max().orElse(0) / 1e6));
        Fleet fleet = run.connectFleet(world.gatewayKeys(), proxies, true);
        fleet.trackHeldResources();
        int[] heldBefore = fleet.held();
        String runId = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        List<Map<String, Object>> restarts = new ArrayList<>();
        List<Long> reconverge = new ArrayList<>();
        CpuMeter.Sample cpu0 = CpuMeter.sample();
        for (int i = 0; i < shards; i++) {
            final int index = i;
            long members =
                    fleet.members().stream().filter(m -> m.shard == index).count();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("shard", i);
            entry.put("proxies", members);
            try (Run.Phase p = run.phase("restart shard " + i);
                    Progress progress = run.progress("restart shard " + i + " (" + members + " proxies)", members)) {
                long t0 = System.nanoTime();
                local.stopShard(i);
                long stopped = System.nanoTime();
                XdsShard shard = local.startShard(i, shards);
                if (!InProcessDeployment.awaitReady(shard, options.timeout())) {
                    throw new IllegalStateException(
                            "restarted shard " + i + " was not ready within " + options.timeout());
                }
                long ready = System.nanoTime();
                String metricsUrl = local.shard(i).adminUrl() + "/metrics";
                long deadline = System.nanoTime() + options.timeout().toNanos();
                double connected = 0;
                while (System.nanoTime() < deadline) {
                    connected = Http.metric(Http.get(metricsUrl), "gantry_xds_connected_proxies");
                    progress.set((long) (Double.isNaN(connected) ? 0 : connected));
                    if (connected >= members) {
                        break;
                    }
                    Thread.sleep(20);
                }
                long reconnected = System.nanoTime();
                entry.put("stop_ms", Stats.ms((stopped - t0) / 1e6));
                entry.put("time_to_ready_ms", Stats.ms((ready - stopped) / 1e6));
                entry.put("all_reconnected_ms", connected >= members ? Stats.ms((reconnected - t0) / 1e6) : null);
                // A change made once they are back must reach every proxy of the shard: a new address for the Service
                // that the first route of every ListenerSet of the first namespace uses.
                Set<ObjectKey> gateways = new HashSet<>();
                for (int set = 0; set < world.setsPerNamespace(); set++) {
                    ObjectKey gateway = ScaleWorld.gatewayKey(world.gatewayOf(0, set));
                    if (ShardHash.shardOf(gateway, shards) == index) {
                        gateways.add(gateway);
                    }
                }
                boolean[] expected = fleet.membersOf(gateways);
                int expectedCount = 0;
                for (boolean e : expected) {
                    expectedCount += e ? 1 : 0;
                }
                entry.put("proxies_reached_by_the_change", expectedCount);
                if (expectedCount > 0) {
                    String address =
                            String.format("10.250.%d.%d", (restarts.size() >> 8) & 0xff, restarts.size() & 0xff);
                    Probe probe = new Probe("endpoint-change", AdsClient.ENDPOINT, null, address, true, expected);
                    var slice = world.endpointSlice(0, 0, List.of(address));
                    Propagation propagation = run.propagate(
                            fleet,
                            "change after restart of shard " + i,
                            List.of(new Propagation.Change(probe, () -> Applier.write(deployment.client(), slice))));
                    entry.put("change_after_restart_ms", propagation.stats().summary());
                    long all = probe.allNanos();
                    if (all >= 0) {
                        long total = probe.writeNanos() + all - t0;
                        entry.put("reconverged_ms", Stats.ms(total / 1e6));
                        reconverge.add(total);
                    }
                }
            }
            restarts.add(entry);
        }
        CpuMeter.Sample cpu1 = CpuMeter.sample();
        long below =
                fleet.members().stream().mapToLong(m -> m.belowBaseline.get()).sum();
        long proxiesBelow =
                fleet.members().stream().filter(m -> m.belowBaseline.get() > 0).count();
        int minHeld = fleet.members().stream().mapToInt(m -> m.minHeld).min().orElse(0);
        int[] heldAfter = fleet.held();
        int fewerAfter = 0;
        for (int m = 0; m < heldAfter.length; m++) {
            fewerAfter += heldAfter[m] < heldBefore[m] ? 1 : 0;
        }
        run.result.put("restarts", restarts);
        run.result.put("never_fewer_resources", below == 0 && fewerAfter == 0);
        run.result.put("responses_with_fewer_resources", below);
        run.result.put("proxies_that_held_fewer", proxiesBelow);
        run.result.put("min_resources_held", minHeld);
        run.result.put("reconnects", fleet.reconnects());
        run.result.put(
                "reconverge_ms",
                new Stats(reconverge.stream().mapToLong(Long::longValue).toArray()).summary());
        run.result.put("cpu_seconds", CpuMeter.between(cpu0, cpu1));
        run.result.put("heap_after_gc_mib", HeapMeter.mib(HeapMeter.usedAfterGc()));
        for (Map<String, Object> entry : restarts) {
            run.summary(
                    "shard %s restart (%s proxies): ready after %s ms, all reconnected after %s ms, reconverged"
                            + " (a new endpoint at every proxy) after %s ms",
                    entry.get("shard"),
                    entry.get("proxies"),
                    entry.get("time_to_ready_ms"),
                    entry.get("all_reconnected_ms"),
                    entry.get("reconverged_ms"));
        }
        run.summary(
                "no proxy ever held fewer resources than before: %s (%d responses with fewer)",
                below == 0 && fewerAfter == 0, below);
    }
}
