package dev.gantry.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The leader Lease's lock, remembering when this replica last renewed it, so every write can be fenced on the
 * leadership it actually holds: a replica leads only until its renew deadline has passed since the start of its last
 * successful renewal, whatever the elector's callbacks have said so far.
 *
 * <p>Why the start of the request: another replica takes the Lease over only once it has seen no renewal for the
 * whole lease duration, and it cannot have seen this renewal before the request was sent. A renew deadline shorter
 * than the lease duration (the settings insist on it) thus leaves a gap in which neither writes.
 */
final class FencedLock implements Lock {

    private static final long NEVER = Long.MIN_VALUE;

    private final Lock lease;
    private final LongSupplier nanoTime;
    private volatile long renewedAtNanos = NEVER;

    FencedLock(Lock lease, LongSupplier nanoTime) {
        this.lease = lease;
        this.nanoTime = nanoTime;
    }

    @Override
    public LeaderElectionRecord get(KubernetesClient client) {
        return lease.get(client);
    }

    @Override
    public void create(KubernetesClient client, LeaderElectionRecord record) {
        long start = nanoTime.getAsLong();
        lease.create(client, record);
        held(record, start);
    }

    @Override
    public void update(KubernetesClient client, LeaderElectionRecord record) {
        long start = nanoTime.getAsLong();
        lease.update(client, record);
        held(record, start);
    }

    private void held(LeaderElectionRecord record, long start) {
        renewedAtNanos = identity().equals(record.getHolderIdentity()) ? start : NEVER;
    }

    /** Whether this replica renewed the Lease, as holder, less than {@code deadline} ago. */
    boolean renewedWithin(Duration deadline) {
        long at = renewedAtNanos;
        return at != NEVER && nanoTime.getAsLong() - at < deadline.toNanos();
    }

    /** Forgets the last renewal: after a release, nothing may be written on its strength. */
    void forget() {
        renewedAtNanos = NEVER;
    }

    @Override
    public String identity() {
        return lease.identity();
    }

    @Override
    public String describe() {
        return lease.describe();
    }
}
