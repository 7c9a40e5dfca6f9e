package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FencedLockTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    /** A Lease held in memory; a renewal takes {@code latency} of the injected clock and may fail. */
    private final class FakeLease implements Lock {
        long latencyNanos;
        boolean failing;

        @Override
        public LeaderElectionRecord get(KubernetesClient client) {
            return null;
        }

        @Override
        public void create(KubernetesClient client, LeaderElectionRecord record) {
            update(client, record);
        }

        @Override
        public void update(KubernetesClient client, LeaderElectionRecord record) {
            now.addAndGet(latencyNanos);
            if (failing) {
                throw new KubernetesClientException("the API is away");
            }
        }

        @Override
        public String identity() {
            return "me";
        }

        @Override
        public String describe() {
            return "fake";
        }
    }

    private final FakeLease lease = new FakeLease();
    private final FencedLock lock = new FencedLock(lease, now::get);

    private static LeaderElectionRecord heldBy(String identity) {
        ZonedDateTime time = ZonedDateTime.now();
        return new LeaderElectionRecord(identity, Duration.ofSeconds(15), time, time, 0);
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    @Test
    void nothingIsHeldBeforeTheFirstRenewal() {
        assertFalse(lock.renewedWithin(DEADLINE));
    }

    @Test
    void aRenewalHoldsForTheDeadlineCountedFromWhenItWasSent() {
        lease.latencyNanos = Duration.ofSeconds(3).toNanos();
        lock.create(null, heldBy("me"));
        advance(Duration.ofSeconds(6));
        assertTrue(lock.renewedWithin(DEADLINE), "9 s after the request was sent");
        advance(Duration.ofSeconds(1));
        assertFalse(lock.renewedWithin(DEADLINE), "10 s after it was sent, though only 7 s after it was answered");
    }

    @Test
    void aFailedRenewalExtendsNothing() {
        lock.update(null, heldBy("me"));
        advance(Duration.ofSeconds(8));
        lease.failing = true;
        assertThrows(KubernetesClientException.class, () -> lock.update(null, heldBy("me")));
        assertTrue(lock.renewedWithin(DEADLINE));
        advance(Duration.ofSeconds(2));
        assertFalse(lock.renewedWithin(DEADLINE), "the last good renewal is 10 s old");
    }

    @Test
    void writingAnotherHolderOrReleasingEndsIt() {
        lock.update(null, heldBy("me"));
        assertTrue(lock.renewedWithin(DEADLINE));
        lock.update(null, heldBy(""));
        assertFalse(lock.renewedWithin(DEADLINE), "released on cancel");
        lock.update(null, heldBy("me"));
        lock.forget();
        assertFalse(lock.renewedWithin(DEADLINE), "forgotten when the elector says it stopped leading");
    }
}
