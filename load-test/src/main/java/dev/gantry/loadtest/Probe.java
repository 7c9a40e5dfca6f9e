package dev.gantry.loadtest;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.gantry.xds.client.AdsClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One change followed to the proxies: the change carries a unique marker (a path, an address, a hostname) and a
 * proxy has it when, after an xDS response of the probe's type, the resource it holds contains the marker (or,
 * for a removal, no resource of that type contains it any more). The time a proxy had it minus the time of the
 * write is that proxy's propagation time; both come from {@link System#nanoTime()}.
 */
final class Probe {

    final String kind;
    final String typeUrl;
    /** Resource to look in, or null for every resource of the type. */
    final String resourceName;

    private final byte[] marker;
    final boolean present;
    private final boolean[] expected;
    private final int expectedCount;
    private final ConcurrentHashMap<Integer, Long> seen = new ConcurrentHashMap<>();
    private final CountDownLatch done;
    private volatile long writeNanos;

    /**
     * @param kind what changed (route-add, route-edit, endpoint-change, listenerset-add, listenerset-remove, ...)
     * @param typeUrl the xDS type that carries the change
     * @param resourceName the resource that carries it, or null to look at every resource of the type
     * @param marker the unique text of the change
     * @param present true when the change adds the marker, false when it removes it
     * @param expected which fleet members must see it (by member index)
     */
    Probe(String kind, String typeUrl, String resourceName, String marker, boolean present, boolean[] expected) {
        this.kind = kind;
        this.typeUrl = typeUrl;
        this.resourceName = resourceName;
        this.marker = marker.getBytes(StandardCharsets.UTF_8);
        this.present = present;
        this.expected = expected;
        int count = 0;
        for (boolean e : expected) {
            count += e ? 1 : 0;
        }
        this.expectedCount = count;
        this.done = new CountDownLatch(count);
    }

    /** Call right before the write. */
    void written() {
        writeNanos = System.nanoTime();
    }

    long writeNanos() {
        return writeNanos;
    }

    int expectedCount() {
        return expectedCount;
    }

    boolean expects(int member) {
        return member < expected.length && expected[member] && !seen.containsKey(member);
    }

    /** Checks a member's state after a response; records the receipt time when the change has arrived. */
    void check(int member, AdsClient client, AdsClient.Received received) {
        if (!received.typeUrl().equals(typeUrl) || !expects(member) || writeNanos == 0) {
            return;
        }
        boolean satisfied;
        if (resourceName != null) {
            if (!received.resourceNames().contains(resourceName)
                    && !received.removed().contains(resourceName)) {
                return;
            }
            Any held = client.held(typeUrl, resourceName);
            satisfied = (held != null && contains(held.getValue(), marker)) == present;
        } else if (present) {
            satisfied = false;
            for (String name : received.resourceNames()) {
                Any held = client.held(typeUrl, name);
                if (held != null && contains(held.getValue(), marker)) {
                    satisfied = true;
                    break;
                }
            }
        } else {
            satisfied = true;
            for (String name : client.names(typeUrl)) {
                Any held = client.held(typeUrl, name);
                if (held != null && contains(held.getValue(), marker)) {
                    satisfied = false;
                    break;
                }
            }
        }
        if (satisfied && seen.putIfAbsent(member, received.receivedNanos()) == null) {
            done.countDown();
        }
    }

    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    /** Propagation times of the members that saw the change, in nanoseconds. */
    List<Long> latencies() {
        return seen.values().stream().map(t -> Math.max(0, t - writeNanos)).toList();
    }

    /** Time until the last expected member had it, or -1 when some never did. */
    long allNanos() {
        if (seen.size() < expectedCount) {
            return -1;
        }
        return seen.values().stream().mapToLong(t -> t - writeNanos).max().orElse(0);
    }

    int missed() {
        return expectedCount - seen.size();
    }

    static boolean contains(ByteString haystack, byte[] needle) {
        int n = haystack.size();
        int m = needle.length;
        if (m == 0) {
            return true;
        }
        byte first = needle[0];
        outer:
        for (int i = 0; i <= n - m; i++) {
            if (haystack.byteAt(i) != first) {
                continue;
            }
            for (int j = 1; j < m; j++) {
                if (haystack.byteAt(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
