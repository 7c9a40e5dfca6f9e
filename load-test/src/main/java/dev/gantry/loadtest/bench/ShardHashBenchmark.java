package dev.gantry.loadtest.bench;

import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
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

/** {@link ShardHash#shardOf}: SHA-256 of {@code namespace/name}, then jump consistent hash. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ShardHashBenchmark {

    @Param({"4", "64"})
    public int shards;

    private ObjectKey[] keys;
    private int next;

    @Setup
    public void setUp() {
        keys = new ObjectKey[1024];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new ObjectKey("team-" + (i % 50), "gateway-" + i);
        }
    }

    @Benchmark
    public int shardOf() {
        return ShardHash.shardOf(keys[next++ & 1023], shards);
    }
}
