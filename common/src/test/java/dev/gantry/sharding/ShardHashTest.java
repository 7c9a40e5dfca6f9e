package dev.gantry.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import dev.gantry.model.ObjectKey;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardHashTest {

    /**
     * Owners for 1 to 8 shards. Proxies are bootstrapped to their owner's DNS name: if this list ever has to
     * change, every proxy moves on upgrade. Do not regenerate it.
     */
    @Test
    void ownersAreStableAcrossReleases() {
        assertOwners("default/gateway", 0, 1, 1, 1, 1, 1, 1, 1);
        assertOwners("infra/shared", 0, 1, 1, 1, 4, 4, 4, 4);
        assertOwners("infra/shared-0", 0, 0, 2, 2, 2, 5, 5, 5);
        assertOwners("team-a/edge", 0, 1, 1, 1, 1, 1, 6, 6);
        assertOwners("team-b/edge", 0, 1, 2, 2, 2, 2, 2, 2);
        assertOwners("gateway-conformance-infra/same-namespace", 0, 1, 1, 3, 3, 3, 3, 3);
        assertOwners("kube-system/ingress", 0, 0, 2, 3, 3, 3, 3, 7);
        assertOwners("a/b", 0, 1, 2, 2, 2, 2, 2, 2);
        assertOwners("payments/public", 0, 1, 2, 2, 2, 2, 6, 6);
        assertOwners("search/api", 0, 1, 1, 1, 4, 4, 6, 6);
    }

    private static void assertOwners(String gateway, int... owners) {
        for (int n = 1; n <= owners.length; n++) {
            assertEquals(
                    owners[n - 1], ShardHash.shardOf(ObjectKey.parse(gateway), n), gateway + " with " + n + " shards");
        }
    }

    @Test
    void jumpHashMatchesAnIndependentImplementation() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            long key = random.nextLong();
            int buckets = 1 + random.nextInt(1000);
            assertEquals(Hashing.consistentHash(key, buckets), ShardHash.jumpConsistentHash(key, buckets));
        }
    }

    @Test
    void growingByOneShardMovesAboutOneInNPlusOneGatewaysAndOnlyToTheNewShard() {
        int keys = 10_000;
        for (int n = 1; n <= 16; n++) {
            int moved = 0;
            int[] load = new int[n + 1];
            for (int i = 0; i < keys; i++) {
                ObjectKey gateway = new ObjectKey("team-" + (i % 97), "gateway-" + i);
                int before = ShardHash.shardOf(gateway, n);
                int after = ShardHash.shardOf(gateway, n + 1);
                load[after]++;
                if (before != after) {
                    moved++;
                    assertEquals(n, after, gateway + " moved between old shards");
                }
            }
            double expected = keys / (double) (n + 1);
            assertTrue(
                    Math.abs(moved - expected) < 0.1 * expected + 50,
                    "from " + n + " to " + (n + 1) + " shards moved " + moved + ", expected about " + (int) expected);
            for (int load1 : load) {
                assertTrue(Math.abs(load1 - expected) < 0.12 * expected + 50, "balanced within 12%: " + load1);
            }
        }
    }

    @Test
    void aShardCountBelowOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ShardHash.shardOf(ObjectKey.parse("a/b"), 0));
    }
}
