package dev.gantry.sharding;

import dev.gantry.model.ObjectKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which xds-shard owns a Gateway: {@code shardOf(g, N) = jumpConsistentHash(key64(g), N)}.
 *
 * <p>{@code key64} is the first 8 bytes, big-endian, of SHA-256 over the UTF-8 bytes of {@code namespace/name};
 * jump consistent hash is Lamping and Veach's (arXiv:1406.2294). Both are fixed forever: proxies are bootstrapped
 * to the owner's DNS name, so a change here would re-home every proxy on upgrade. Going from N to N+1 shards
 * moves about 1/(N+1) of the Gateways, and only to the new shard.
 */
public final class ShardHash {

    private ShardHash() {}

    /** The owner shard index in {@code [0, shardCount)}. */
    public static int shardOf(ObjectKey gateway, int shardCount) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shardCount must be at least 1, got " + shardCount);
        }
        return jumpConsistentHash(key64(gateway.toString()), shardCount);
    }

    /** The stable 64-bit key of a Gateway's {@code namespace/name}. */
    public static long key64(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (digest[i] & 0xff);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /** Lamping and Veach's jump consistent hash. */
    static int jumpConsistentHash(long key, int buckets) {
        long b = -1;
        long j = 0;
        long k = key;
        while (j < buckets) {
            b = j;
            k = k * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((k >>> 33) + 1)));
        }
        return (int) b;
    }
}
