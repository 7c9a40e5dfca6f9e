package dev.gantry.loadtest;

import dev.gantry.envoy.CheckedEnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scenario 5: the ListenerSet scale world spread over 250 Gateways, served by 1, 2 and 4 shards in turn (target:
 * with 4 shards each shard's translation CPU at most 0.3x that of one shard serving everything). For each shard
 * count the shards start cold one after another (each measured alone, like a pod with its own CPU), then one
 * proxy per Gateway connects and routes are edited, spread over the Gateways; translation CPU is the CPU of each
 * shard's translation thread, heap the used heap after GC each shard added. The translation code runs a few times
 * in the JVM first, so the first shard count is not the one that pays for JIT compilation.
 */
final class ShardScalingScenario implements Scenario {

    /**
     * Enough Gateways for a hash to spread them evenly: with 40, the largest of 4 shards holds 12 (0.30 of the
     * edits before any cost of its own); with 250, 67 (0.27).
     */
    static final int GATEWAYS = 250;

    @Override
    public void run(Run run) throws Exception {
        Options options = run.options;
        ScaleWorld scaled = ScaleWorld.listenerSetScale().scaled(options.scale());
        // Every Gateway gets a ListenerSet at least: a Gateway without routes is never a complete configuration.
        int gateways = Math.min(scaled.listenerSets(), options.gateways() != null ? options.gateways() : GATEWAYS);
        ScaleWorld world = scaled.withGateways(gateways);
        int proxies = options.proxies() != null ? options.proxies() : world.gateways();
        int edits = options.writes() != null ? options.writes() : Options.scaled(400, options.scale(), 20);
        run.recordWorld(world);
        Deployment deployment = run.deploy();
        InProcessDeployment local = run.local("it starts and stops shards");
        List<HasMetadata> objects =
                world.all(run.certificate().certificate(), run.certificate().privateKey());
        run.apply("apply the world", objects);
        run.result.put("status_writes_setup", run.settle());
        warmUp(run, world, objects);
        String runId = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        List<Map<String, Object>> rounds = new ArrayList<>();
        Map<String, Object> baseline = null;
        List<Long> allLatencies = new ArrayList<>();
        Map<String, Object> lastEditCpu = null;
        int roundIndex = 0;
        for (int count : options.shardCounts()) {
            roundIndex++;
            Map<String, Object> round = new LinkedHashMap<>();
            round.put("shards", count);
            List<ShardStart> starts = run.startShards(count, true);
            Fleet fleet = run.connectFleet(world.gatewayKeys(), proxies, false);
            List<Propagation.Change> changes = new ArrayList<>();
            List<ObjectKey> edited = new ArrayList<>();
            for (int k = 0; k < edits; k++) {
                int index = (int) ((long) k * 7919 % world.listenerSets());
                int n = index / world.setsPerNamespace();
                int s = index % world.setsPerNamespace();
                int r = k % world.routesPerListener();
                // Unique per round, not per shard count: a count measured twice (--shard-counts 1,4,4) must not repeat
                // the earlier round's edits, which would change nothing and never reach a proxy.
                String path = "/edit/" + runId + "/" + roundIndex + "/" + k;
                HTTPRoute route = ScaleWorld.route(
                        ScaleWorld.namespace(n),
                        ScaleWorld.routeName(s, 0, r),
                        ScaleWorld.setName(s),
                        null,
                        path,
                        ScaleWorld.serviceName(r % world.servicesPerNamespace()));
                ObjectKey gateway = ScaleWorld.gatewayKey(world.gatewayOf(n, s));
                edited.add(gateway);
                Probe probe = new Probe(
                        "route-edit",
                        AdsClient.ROUTE,
                        ScaleWorld.routeTable(ScaleWorld.hostname(n, s, 0)),
                        path,
                        true,
                        fleet.membersOf(Set.of(gateway)));
                changes.add(new Propagation.Change(probe, () -> Applier.write(deployment.client(), route)));
            }
            CpuMeter.Sample cpu0 = CpuMeter.sample();
            Propagation propagation;
            try (Run.Phase p = run.phase(edits + " route edits on " + count + " shard(s)")) {
                propagation = run.propagate(fleet, "route edits on " + count + " shard(s)", changes);
            }
            CpuMeter.Sample cpu1 = CpuMeter.sample();
            Map<String, Object> churnCpu = CpuMeter.between(cpu0, cpu1);
            lastEditCpu = churnCpu;
            allLatencies.addAll(propagation.latencies());
            List<Map<String, Object>> perShard = new ArrayList<>();
            double maxCold = 0;
            double maxTranslate = 0;
            double maxTranslateCpu = 0;
            double maxChurn = 0;
            long maxHeap = 0;
            long maxReady = 0;
            int maxEdits = 0;
            for (ShardStart start : starts) {
                Map<String, Object> entry = new LinkedHashMap<>();
                int owned = 0;
                for (ObjectKey gateway : world.gatewayKeys()) {
                    owned += ShardHash.shardOf(gateway, count) == start.index() ? 1 : 0;
                }
                double churn = CpuMeter.seconds(churnCpu, "shard-" + start.index() + ".translation");
                int editsHere = (int) edited.stream()
                        .filter(g -> ShardHash.shardOf(g, count) == start.index())
                        .count();
                maxEdits = Math.max(maxEdits, editsHere);
                entry.put("shard", start.index());
                entry.put("gateways", owned);
                entry.put("edits", editsHere);
                entry.put("time_to_ready_ms", Stats.ms(start.readyNanos() / 1e6));
                entry.put("cold_translation_cpu_seconds", start.translationCpuSeconds());
                entry.put("cold_translate_cpu_seconds", round3(start.translateCpuSeconds()));
                entry.put("cold_translate_seconds", round3(start.translateSeconds()));
                entry.put("cold_translations", start.translations());
                entry.put("cold_cpu_seconds", start.cpuSeconds());
                // Every component's CPU while this shard started: what else in the process ran meanwhile.
                entry.put("cold_cpu_by_component", start.cpuByComponent());
                entry.put("edit_translation_cpu_seconds", churn);
                entry.put("edit_cpu_seconds", CpuMeter.seconds(churnCpu, "shard-" + start.index()));
                entry.put("heap_mib", HeapMeter.mib(start.heapBytes()));
                perShard.add(entry);
                maxCold = Math.max(maxCold, start.translationCpuSeconds());
                maxTranslateCpu = Math.max(maxTranslateCpu, start.translateCpuSeconds());
                maxTranslate = Math.max(maxTranslate, start.translateSeconds());
                maxChurn = Math.max(maxChurn, churn);
                maxHeap = Math.max(maxHeap, start.heapBytes());
                maxReady = Math.max(maxReady, start.readyNanos());
            }
            round.put("per_shard", perShard);
            round.put("max_time_to_ready_ms", Stats.ms(maxReady / 1e6));
            round.put("max_cold_translation_cpu_seconds", maxCold);
            round.put("max_cold_translate_seconds", round3(maxTranslate));
            round.put("max_cold_translate_cpu_seconds", round3(maxTranslateCpu));
            round.put("max_edit_translation_cpu_seconds", maxChurn);
            // The floor of the edit CPU ratio: the share of the edits that landed on the busiest shard.
            round.put("max_edit_share", ratio(maxEdits, edits));
            round.put("max_shard_heap_mib", HeapMeter.mib(maxHeap));
            round.put("edit_propagation_ms", propagation.stats().summary());
            round.put("time_to_first_config_ms", fleet.timeToFirstConfig().summary());
            round.put("edit_cpu_seconds", churnCpu);
            if (baseline == null && count == options.shardCounts().getFirst()) {
                baseline = round;
            }
            if (baseline != null) {
                round.put("cold_translation_cpu_ratio", ratio(maxCold, baseline, "max_cold_translation_cpu_seconds"));
                round.put("cold_translate_ratio", ratio(maxTranslate, baseline, "max_cold_translate_seconds"));
                round.put(
                        "cold_translate_cpu_ratio", ratio(maxTranslateCpu, baseline, "max_cold_translate_cpu_seconds"));
                round.put("edit_translation_cpu_ratio", ratio(maxChurn, baseline, "max_edit_translation_cpu_seconds"));
                round.put("heap_ratio", ratio(maxHeap, (double) baseline.get("max_shard_heap_mib") * 1024 * 1024));
            }
            rounds.add(round);
            fleet.close();
            try (Run.Phase p = run.phase("stop " + count + " shard(s)")) {
                local.stopAllShards();
            }
            run.info(count + " shard(s): max cold translation CPU " + maxCold + " s, max shard heap "
                    + HeapMeter.mib(maxHeap) + " MiB");
        }
        run.result.put("shard_scaling", rounds);
        run.result.put("baseline_shards", options.shardCounts().getFirst());
        run.result.put("cpu_seconds", lastEditCpu);
        run.result.put(
                "propagation_ms",
                new Stats(allLatencies.stream().mapToLong(Long::longValue).toArray()).summary());
        Map<String, Object> first = rounds.getFirst();
        run.result.put("time_to_ready_ms", first.get("max_time_to_ready_ms"));
        run.result.put("shard_heap_mib", first.get("max_shard_heap_mib"));
        run.result.put("proxies", proxies);
        run.result.put("heap_after_gc_mib", HeapMeter.mib(HeapMeter.usedAfterGc()));
        for (Map<String, Object> round : rounds) {
            run.summary(
                    "%s shard(s): per shard max: cold start: CPU translating %.3f s (ratio %s), translation"
                            + " threads' CPU with the store's ingest %.3f s (ratio %s), time in translate() %.3f s (ratio %s);"
                            + " route-edit translation CPU %.3f s (ratio %s; largest share of the edits %s), heap %s MiB (ratio %s)",
                    round.get("shards"),
                    (double) round.get("max_cold_translate_cpu_seconds"),
                    round.get("cold_translate_cpu_ratio"),
                    (double) round.get("max_cold_translation_cpu_seconds"),
                    round.get("cold_translation_cpu_ratio"),
                    (double) round.get("max_cold_translate_seconds"),
                    round.get("cold_translate_ratio"),
                    (double) round.get("max_edit_translation_cpu_seconds"),
                    round.get("edit_translation_cpu_ratio"),
                    round.get("max_edit_share"),
                    round.get("max_shard_heap_mib"),
                    round.get("heap_ratio"));
        }
        run.summary("target: with 4 shards each shard's translation CPU <= 0.3x that of one shard");
    }

    /**
     * Runs the translation code in this JVM a few times first, so the first shard count measured is not the one that
     * pays for JIT compilation.
     */
    private static void warmUp(Run run, ScaleWorld world, List<HasMetadata> objects) {
        try (Run.Phase p = run.phase("JIT warm-up");
                Progress progress = run.progress("JIT warm-up", 3)) {
            ClusterStore store = ClusterStore.of(objects);
            TranslatorConfig config = run.settings().translatorConfig();
            for (int round = 0; round < 3; round++) {
                for (ObjectKey gateway : world.gatewayKeys()) {
                    GatewayTranslator translator = new GatewayTranslator(config, gateway);
                    translator.translate(store);
                    new CheckedEnvoyResources(new EnvoyTranslator(), new EnvoyValidator()).build(translator.ir());
                }
                progress.advance(1);
            }
        }
    }

    private static double round3(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    private static Double ratio(double value, double base) {
        return base <= 0 ? null : round3(value / base);
    }

    /** {@code value} over the baseline round's figure {@code key}. */
    private static Double ratio(double value, Map<String, Object> baseline, String key) {
        return ratio(value, ((Number) baseline.get(key)).doubleValue());
    }
}
