package dev.gantry.loadtest;

import java.util.Map;

/**
 * Result of starting shards one after another.
 *
 * @param translationCpuSeconds CPU of the shard's translation threads, plus that of the common fork-join pool
 *     while the shard started (a large Gateway's translation is spread over the pool, and the shard starts alone);
 *     the threads also apply the informers' events of the whole world to the shard's store
 * @param translateCpuSeconds CPU spent translating the owned Gateways alone, pool threads that helped included:
 *     the shard's {@code gantry_shard_translation_cpu_seconds}
 * @param translateSeconds time the shard spent in translate() of its owned Gateways (its
 *     {@code gantry_shard_translation_seconds} metric), unlike its translation thread's CPU without applying the
 *     informer events of the whole world to its store
 * @param translations Gateway translations the shard made until it was ready (its owned Gateways, plus any
 *     made again for changes that arrived meanwhile)
 * @param cpuByComponent every component's CPU while the shard started ({@link CpuMeter#between})
 */
record ShardStart(
        int index,
        long readyNanos,
        double cpuSeconds,
        double translationCpuSeconds,
        double translateCpuSeconds,
        long heapBytes,
        double translateSeconds,
        double translations,
        Map<String, Object> cpuByComponent) {}
