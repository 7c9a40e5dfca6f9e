package dev.gantry.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 1, the ListenerSet scale world (anchors: kgateway 944 MiB peak, istiod 1.30 GiB): the world is applied
 * and the controller has written status; then the shards start cold and are timed until ready, with the heap each
 * retains; then a few proxies connect and get their complete configuration.
 */
final class ListenerSetScaleScenario implements Scenario {

    @Override
    public void run(Run run) throws Exception {
        Options options = run.options;
        ScaleWorld world = ScaleWorld.listenerSetScale().scaled(options.scale());
        int shards = options.shards() == null ? 1 : options.shards();
        int proxies = options.proxies() == null ? 10 : options.proxies();
        run.recordWorld(world);
        Deployment deployment = run.deploy();
        run.apply(
                "apply the world",
                world.all(run.certificate().certificate(), run.certificate().privateKey()));
        run.result.put("status_writes_setup", run.settle());
        if (deployment.local() != null) {
            long before = HeapMeter.usedAfterGc();
            CpuMeter.Sample cpu0 = CpuMeter.sample();
            List<ShardStart> starts = run.startShards(shards, true);
            CpuMeter.Sample cpu1 = CpuMeter.sample();
            long readyMax = 0;
            long heap = 0;
            List<Map<String, Object>> perShard = new ArrayList<>();
            for (ShardStart start : starts) {
                readyMax = Math.max(readyMax, start.readyNanos());
                heap += start.heapBytes();
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("shard", start.index());
                entry.put("time_to_ready_ms", Stats.ms(start.readyNanos() / 1e6));
                entry.put("cpu_seconds", start.cpuSeconds());
                entry.put("translation_cpu_seconds", start.translationCpuSeconds());
                entry.put("translate_seconds", Math.round(start.translateSeconds() * 1000.0) / 1000.0);
                entry.put("heap_mib", HeapMeter.mib(start.heapBytes()));
                perShard.add(entry);
            }
            run.result.put("time_to_ready_ms", Stats.ms(readyMax / 1e6));
            run.result.put("shard_heap_mib", HeapMeter.mib(heap));
            run.result.put("heap_before_shards_mib", HeapMeter.mib(before));
            run.result.put("shards", perShard);
            run.result.put("cpu_seconds", CpuMeter.between(cpu0, cpu1));
            run.summary(
                    "time to ready (shard cold start, world of %d routes): %.0f ms; anchors: none published",
                    world.routes(), readyMax / 1e6);
            run.summary(
                    "shard heap after GC: %.1f MiB over %d shard(s) (anchors at scale 1: kgateway 944 MiB peak,"
                            + " istiod 1.30 GiB)",
                    HeapMeter.mib(heap), shards);
        } else {
            long t0 = System.nanoTime();
            for (int i = 0; i < deployment.shardCount(); i++) {
                if (!Http.awaitReady(deployment.shard(i).adminUrl(), options.timeout())) {
                    throw new IllegalStateException("shard " + i + " is not ready at "
                            + deployment.shard(i).adminUrl());
                }
            }
            run.result.put("remote_ready_wait_ms", Stats.ms((System.nanoTime() - t0) / 1e6));
            run.summary(
                    "remote shards: time to ready and heap are not measured (start the shards after the world exists"
                            + " and watch /readyz; read heap from your cluster's metrics)");
        }
        Fleet fleet = null;
        if (proxies > 0) {
            fleet = run.connectFleet(world.gatewayKeys(), proxies, false);
            run.summary(
                    "time to first complete config: p50 %s ms, max %s ms over %d proxies, %s bytes each",
                    new Stats(fleet.members().stream()
                                    .mapToLong(m -> m.warmNanos - m.connectNanos)
                                    .toArray())
                            .summary()
                            .get("p50"),
                    fleet.timeToFirstConfig().summary().get("max"),
                    proxies,
                    run.result.get("initial_config_bytes_per_proxy"));
        }
        if (deployment.local() != null) {
            run.result.put("heap_after_gc_mib", HeapMeter.mib(HeapMeter.usedAfterGc()));
            // A second reading of the shards' heap that nothing else in the JVM can blur: the fleet gone and the rest
            // quiet, the heap with the shards running minus the heap once they are stopped.
            if (fleet != null) {
                fleet.close();
            }
            long running = HeapMeter.usedAfterGc();
            for (int i = 0; i < shards; i++) {
                deployment.local().stopShard(i);
            }
            long retained = running - HeapMeter.usedAfterGc();
            run.result.put("shard_retained_mib", HeapMeter.mib(retained));
            run.summary(
                    "heap the shard(s) held, read by stopping them: %.1f MiB (used heap after GC with the shards"
                            + " running minus without them)",
                    HeapMeter.mib(retained));
        }
    }
}
