package dev.gantry.loadtest.bench;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.xds.GatewaySnapshots;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a shard does after each translation of the ListenerSet scale world's Gateway: the content version over
 * every resource, and the xDS snapshot handed to the cache (per-type resource maps with their versions).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
public class SnapshotBenchmark {

    /** Fraction of the ListenerSet scale world (1 = 2,500 ListenerSets and 40,000 routes). */
    @Param({"1.0"})
    public double scale;

    private EnvoyResources resources;

    @Setup
    public void setUp() {
        GatewayTranslator translator = new GatewayTranslator(TranslatorConfig.defaults(), BenchWorld.GATEWAY);
        translator.translate(BenchWorld.store(BenchWorld.world(scale)));
        resources = new EnvoyTranslator().translate(translator.ir());
    }

    @Benchmark
    public String version() {
        return resources.version();
    }

    @Benchmark
    public Snapshot snapshot() {
        return GatewaySnapshots.of(resources);
    }
}
