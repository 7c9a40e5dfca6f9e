package dev.gantry.loadtest.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Full translation of the ListenerSet scale world's Gateway (Gateway API to IR, IR to Envoy protos with their
 * content hashes), each stage alone, and the serialization of the resulting protos, so translation can be put
 * beside serialization (target: translation at most 5x serialization). Warm-up iterations are long: full
 * translation keeps getting faster for many operations while the JIT compiles it, and with short warm-ups it reads
 * two to three times slower.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 6)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
public class TranslationBenchmark {

    /** Fraction of the ListenerSet scale world (1 = 2,500 ListenerSets and 40,000 routes). */
    @Param({"1.0"})
    public double scale;

    private ClusterStore store;
    private GatewayTranslator translated;
    private List<Message> messages;
    private EnvoyResources resources;

    @Setup
    public void setUp() {
        store = BenchWorld.store(BenchWorld.world(scale));
        translated = new GatewayTranslator(TranslatorConfig.defaults(), BenchWorld.GATEWAY);
        translated.translate(store);
        resources = new EnvoyTranslator().translate(translated.ir());
        messages = resources.all();
    }

    /** Gateway API objects to Envoy resources, from scratch. */
    @Benchmark
    public EnvoyResources fullTranslation() {
        GatewayTranslator translator = new GatewayTranslator(TranslatorConfig.defaults(), BenchWorld.GATEWAY);
        translator.translate(store);
        return new EnvoyTranslator().translate(translator.ir());
    }

    /** The first stage alone: Gateway API objects to the IR (and status). */
    @Benchmark
    public Object gatewayApiToIr() {
        GatewayTranslator translator = new GatewayTranslator(TranslatorConfig.defaults(), BenchWorld.GATEWAY);
        translator.translate(store);
        return translator.ir();
    }

    /** The second stage alone: IR to Envoy protos, each serialized once for its content hash. */
    @Benchmark
    public EnvoyResources irToEnvoy() {
        return new EnvoyTranslator().translate(translated.ir());
    }

    /**
     * Checking every resulting resource against Envoy's field rules, as a shard does before it serves a new config
     * (the figure the README's "never a config Envoy would reject" costs).
     */
    @Benchmark
    public List<EnvoyValidator.Violation> validation() {
        return new EnvoyValidator().validate(resources);
    }

    /**
     * Serializing every resulting proto once, as translation hands them over: a proto computes its size on its
     * first serialization and keeps it, so each invocation serializes fresh copies (parsed before it, untimed).
     */
    @Benchmark
    public void serialization(FreshProtos fresh, Blackhole blackhole) {
        for (Message message : fresh.messages) {
            blackhole.consume(message.toByteArray());
        }
    }

    /**
     * Serializing protos that were serialized before and know their sizes: the write pass alone, which is what
     * sending the same protos again costs.
     */
    @Benchmark
    public void serializationOfSizedProtos(Blackhole blackhole) {
        for (Message message : messages) {
            blackhole.consume(message.toByteArray());
        }
    }

    /** Copies of the resulting protos that have never been serialized, made anew for each invocation. */
    @State(Scope.Thread)
    public static class FreshProtos {
        private List<byte[]> serialized;
        private List<Message> prototypes;
        List<Message> messages;

        @Setup(Level.Trial)
        public void serializeOnce(TranslationBenchmark benchmark) {
            serialized = benchmark.messages.stream().map(Message::toByteArray).toList();
            prototypes = benchmark.messages.stream()
                    .map(m -> (Message) m.getDefaultInstanceForType())
                    .toList();
        }

        @Setup(Level.Invocation)
        public void parse() throws InvalidProtocolBufferException {
            List<Message> copies = new ArrayList<>(serialized.size());
            for (int i = 0; i < serialized.size(); i++) {
                copies.add(prototypes.get(i).getParserForType().parseFrom(serialized.get(i)));
            }
            messages = copies;
        }
    }
}
