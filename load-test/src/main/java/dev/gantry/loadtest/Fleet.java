package dev.gantry.loadtest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
import dev.gantry.xds.client.AdsClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;

/**
 * A simulated Envoy fleet: {@link AdsClient}s with {@code gantry.dev/gateway} node metadata, spread over Gateways
 * and connected to the shard that owns each one ({@link ShardHash#shardOf}), ACKing like Envoy (and NACKing every
 * response that carries {@link #NACK_MARKER}, for the members told to). Equal resources received by many members
 * are held once (interned), so a large fleet fits in one JVM.
 */
final class Fleet implements AutoCloseable {

    /** Text that makes a NACKing member reject the response carrying it. */
    static final String NACK_MARKER = "load-test-nack";

    private static final byte[] NACK_BYTES = NACK_MARKER.getBytes(StandardCharsets.UTF_8);

    /** One simulated proxy. */
    static final class Member {
        final int index;
        final ObjectKey gateway;
        final int shard;
        final boolean nacking;
        volatile AdsClient client;
        volatile long connectNanos;
        volatile long warmNanos;
        volatile int baseline = -1;
        volatile int minHeld = Integer.MAX_VALUE;
        final AtomicLong belowBaseline = new AtomicLong();

        Member(int index, ObjectKey gateway, int shard, boolean nacking) {
            this.index = index;
            this.gateway = gateway;
            this.shard = shard;
            this.nacking = nacking;
        }

        String nodeId() {
            return "load-proxy-" + index;
        }
    }

    private final Deployment deployment;
    private final List<Member> members = new ArrayList<>();
    private final AdsClient.Protocol protocol;
    private final List<Probe> probes = new CopyOnWriteArrayList<>();
    private final Cache<ByteString, Any> interned =
            Caffeine.newBuilder().weakValues().build();
    private final Map<String, LongAdder> responsesByType = new ConcurrentHashMap<>();
    private volatile boolean trackHeld;

    /**
     * @param gateways the Gateway of each member, in member order
     * @param nacking which members NACK responses that carry {@link #NACK_MARKER}
     */
    Fleet(Deployment deployment, List<ObjectKey> gateways, AdsClient.Protocol protocol, IntPredicate nacking) {
        this.deployment = deployment;
        this.protocol = protocol;
        int shards = deployment.shardCount();
        for (int i = 0; i < gateways.size(); i++) {
            ObjectKey gateway = gateways.get(i);
            members.add(new Member(i, gateway, ShardHash.shardOf(gateway, shards), nacking.test(i)));
        }
    }

    /** Members spread round-robin over the Gateways. */
    static List<ObjectKey> spread(int proxies, List<ObjectKey> gateways) {
        List<ObjectKey> assignment = new ArrayList<>();
        for (int i = 0; i < proxies; i++) {
            assignment.add(gateways.get(i % gateways.size()));
        }
        return assignment;
    }

    List<Member> members() {
        return members;
    }

    int size() {
        return members.size();
    }

    AdsClient.Protocol protocol() {
        return protocol;
    }

    /** Connects every member to its Gateway's shard; returns at once (see {@link #awaitWarm}). */
    void connect(boolean autoReconnect) {
        for (Member member : members) {
            connect(member, autoReconnect);
        }
    }

    private void connect(Member member, boolean autoReconnect) {
        Deployment.ShardEndpoint shard = deployment.shard(member.shard);
        member.connectNanos = System.nanoTime();
        member.warmNanos = 0;
        AdsClient client = AdsClient.connect(
                shard.host(),
                shard.xdsPort(),
                deployment.xdsTransport(member.gateway, member.shard),
                member.nodeId(),
                member.gateway.toString(),
                protocol,
                member.nacking ? Fleet::carriesNackMarker : (type, list) -> false,
                this::intern);
        client.onResponse(received -> onResponse(member, client, received));
        client.autoReconnect(autoReconnect);
        member.client = client;
    }

    private static boolean carriesNackMarker(String type, List<Any> resources) {
        for (Any any : resources) {
            if (Probe.contains(any.getValue(), NACK_BYTES)) {
                return true;
            }
        }
        return false;
    }

    private Any intern(Any any) {
        return interned.get(any.getValue(), k -> any);
    }

    private void onResponse(Member member, AdsClient client, AdsClient.Received received) {
        responsesByType
                .computeIfAbsent(received.typeUrl(), k -> new LongAdder())
                .increment();
        if (member.warmNanos == 0 && client.warm()) {
            member.warmNanos = received.receivedNanos();
        }
        if (trackHeld) {
            int held = client.resourceCount();
            if (held < member.minHeld) {
                member.minHeld = held;
            }
            if (held < member.baseline) {
                member.belowBaseline.incrementAndGet();
            }
        }
        for (Probe probe : probes) {
            probe.check(member.index, client, received);
        }
    }

    /** Waits until every member holds a complete configuration; false on timeout. */
    boolean awaitWarm(Duration timeout, Progress progress) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int warm = 0;
            for (Member member : members) {
                if (member.warmNanos == 0 && member.client.warm()) {
                    member.warmNanos = System.nanoTime(); // the response came before our listener was registered
                }
                if (member.warmNanos != 0) {
                    warm++;
                }
            }
            if (progress != null) {
                progress.set(warm);
            }
            if (warm == members.size()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    /** Time from connecting to holding a complete configuration, per warm member. */
    Stats timeToFirstConfig() {
        return new Stats(members.stream()
                .filter(m -> m.warmNanos != 0)
                .mapToLong(m -> m.warmNanos - m.connectNanos)
                .toArray());
    }

    /** From the first connect to the last member warm, in nanoseconds (-1 when some member never was). */
    long fleetWarmNanos() {
        long first = members.stream().mapToLong(m -> m.connectNanos).min().orElse(0);
        long last = 0;
        for (Member member : members) {
            if (member.warmNanos == 0) {
                return -1;
            }
            last = Math.max(last, member.warmNanos);
        }
        return last - first;
    }

    /** From now on, remembers for each member the fewest resources it held after any response. */
    void trackHeldResources() {
        for (Member member : members) {
            member.baseline = member.client.resourceCount();
            member.minHeld = member.baseline;
            member.belowBaseline.set(0);
        }
        trackHeld = true;
    }

    void follow(Probe probe) {
        probes.add(probe);
    }

    void forget(Probe probe) {
        probes.remove(probe);
    }

    /** Members whose Gateway is one of the given, as a mask for {@link Probe}. */
    boolean[] membersOf(Collection<ObjectKey> gateways) {
        boolean[] mask = new boolean[members.size()];
        for (Member member : members) {
            mask[member.index] = gateways.contains(member.gateway) && !member.nacking;
        }
        return mask;
    }

    /** Responses and bytes received so far, per member: {responses[], bytes[]}. */
    long[][] counters() {
        long[][] counters = new long[2][members.size()];
        for (Member member : members) {
            counters[0][member.index] = member.client.responses();
            counters[1][member.index] = member.client.bytesReceived();
        }
        return counters;
    }

    /** Responses received so far per short type name (Listener, RouteConfiguration, ...). */
    Map<String, Long> responsesByType() {
        Map<String, Long> counts = new TreeMap<>();
        responsesByType.forEach((type, count) -> counts.put(type.substring(type.lastIndexOf('.') + 1), count.sum()));
        return counts;
    }

    /**
     * Responses after which a member held a route or proxy filter naming a cluster it did not hold warm, or a listener
     * naming a secret it did not hold (each a burst of failed requests at a real Envoy), and the first few.
     */
    long makeBeforeBreakViolations() {
        return members.stream()
                .mapToLong(m -> m.client == null ? 0 : m.client.makeBeforeBreakViolations())
                .sum();
    }

    List<String> violationSamples(int most) {
        List<String> samples = new ArrayList<>();
        for (Member member : members) {
            if (member.client != null) {
                for (String sample : member.client.violationSamples()) {
                    if (samples.size() < most) {
                        samples.add(member.nodeId() + ": " + sample);
                    }
                }
            }
        }
        return samples;
    }

    long nacksSent() {
        return members.stream().mapToLong(m -> m.client.nacksSent()).sum();
    }

    long reconnects() {
        return members.stream().mapToLong(m -> m.client.reconnects()).sum();
    }

    /** Resources held per member right now. */
    int[] held() {
        return members.stream().mapToInt(m -> m.client.resourceCount()).toArray();
    }

    @Override
    public void close() {
        members.parallelStream().forEach(member -> {
            if (member.client != null) {
                member.client.close();
            }
        });
    }
}
