package dev.gantry.loadtest.bench;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyResourcesBuilder;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.loadtest.ScaleWorld;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One route edit on the ListenerSet scale world, as a shard handles it: the store takes the new route, the
 * Gateway's translator updates incrementally, and the Envoy resources are rebuilt reusing every unchanged part
 * (target: at most 1 ms). The auxiliary counters {@code changedBytes} and {@code edits} give the bytes of Envoy
 * configuration one edit changes (the serialized size of every resource whose version changed; target: at most
 * 100 KB): divide the first by the second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 6)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
public class RouteEditBenchmark {

    /** Fraction of the ListenerSet scale world (1 = 2,500 ListenerSets and 40,000 routes). */
    @Param({"1.0"})
    public double scale;

    private ScaleWorld world;
    private ClusterStore store;
    private GatewayTranslator translator;
    private EnvoyResourcesBuilder builder;
    private final Map<String, String> versions = new HashMap<>();
    private int edit;

    /** Bytes of Envoy configuration changed, and edits made, over an iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Changed {
        public long changedBytes;
        public long edits;

        @Setup(Level.Iteration)
        public void reset() {
            changedBytes = 0;
            edits = 0;
        }
    }

    @Setup
    public void setUp() {
        world = BenchWorld.world(scale);
        store = BenchWorld.store(world);
        translator = new GatewayTranslator(TranslatorConfig.defaults(), BenchWorld.GATEWAY);
        translator.translate(store);
        builder = new EnvoyResourcesBuilder(new EnvoyTranslator());
        EnvoyResources resources = builder.build(translator.ir());
        for (List<? extends EnvoyResources.Versioned<?>> type : List.of(
                resources.listeners(),
                resources.routes(),
                resources.clusters(),
                resources.endpoints(),
                resources.secrets())) {
            type.forEach(v -> versions.put(v.name(), v.version()));
        }
    }

    @Benchmark
    public EnvoyResources oneRouteEdit(Changed changed) {
        int e = edit++;
        int n = (e * 7) % world.namespaces();
        int s = (e * 13) % world.setsPerNamespace();
        HTTPRoute next = world.route(n, s, e % world.routesPerListener(), 2 + e);
        ObjectKey key = ObjectKey.of(next);
        HasMetadata previous = store.get(Kinds.HTTP_ROUTE, key).orElseThrow();
        store.put(next);
        translator.update(store, List.of(new Change(Kinds.HTTP_ROUTE, key, previous, next)));
        EnvoyResources resources = builder.build(translator.ir());
        for (EnvoyResources.Versioned<?> built : builder.lastBuilt()) {
            if (!built.version().equals(versions.put(built.name(), built.version()))) {
                changed.changedBytes += built.size();
            }
        }
        changed.edits++;
        return resources;
    }
}
