package dev.gantry.loadtest.bench;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Heap retained by a translation result of the ListenerSet scale world's Gateway, as a shard keeps it: the
 * incremental translator (its state and IR) and the Envoy resources. Each operation translates from scratch
 * between two full collections: used heap after GC with the result held minus without it. JMH sums auxiliary
 * counters over iterations, so the counters are sums ({@code translatorMiBSum}, {@code envoyResourcesMiBSum})
 * beside the number of results measured ({@code results}); {@code ./gantry load-test --jmh} prints the average.
 * The score, a time, is not the point here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
public class RetainedHeapBenchmark {

    /** Fraction of the ListenerSet scale world (1 = 2,500 ListenerSets and 40,000 routes). */
    @Param({"1.0"})
    public double scale;

    private ClusterStore store;
    private GatewayTranslator translator;
    private EnvoyResources resources;

    /** What one result retains. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Retained {
        private double translatorBytes;
        private double envoyBytes;
        public long results;

        @Setup(Level.Iteration)
        public void reset() {
            translatorBytes = 0;
            envoyBytes = 0;
            results = 0;
        }

        public double translatorMiBSum() {
            return translatorBytes / 1048576.0;
        }

        public double envoyResourcesMiBSum() {
            return envoyBytes / 1048576.0;
        }
    }

    @Setup
    public void setUp() {
        store = BenchWorld.store(BenchWorld.world(scale));
    }

    @TearDown(Level.Iteration)
    public void drop() {
        translator = null;
        resources = null;
    }

    @Benchmark
    public void translationResult(Retained retained) {
        translator = null;
        resources = null;
        long base = usedAfterGc();
        translator = new GatewayTranslator(TranslatorConfig.defaults(), BenchWorld.GATEWAY);
        translator.translate(store);
        long withTranslator = usedAfterGc();
        resources = new EnvoyTranslator().translate(translator.ir());
        long withResources = usedAfterGc();
        retained.translatorBytes += withTranslator - base;
        retained.envoyBytes += withResources - withTranslator;
        retained.results++;
    }

    static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
