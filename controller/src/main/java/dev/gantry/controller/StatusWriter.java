package dev.gantry.controller;

import dev.gantry.status.ObjectStatusIr;
import dev.gantry.translate.StatusKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes desired status through the {@code /status} subresource, only where it differs from what the object has
 * (ignoring {@code lastTransitionTime}). Each object holds only its newest desired status: a write queued behind
 * a newer desire writes the newer one. Writes carry the object's resourceVersion; on 409 the object is read again
 * and the merge redone. Rate limited; only while this replica leads.
 */
final class StatusWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
    private static final int MAX_ATTEMPTS = 8;

    /** The last object written per key, until the informer catches up with it. */
    private record Written(String fromResourceVersion, HasMetadata object) {}

    private final KubernetesClient client;
    private final String controllerName;
    private final RateLimiter limiter;
    private final Clock clock;
    private final ControllerMetrics metrics;
    private final BooleanSupplier leader;
    private final Function<StatusKey, HasMetadata> cached;
    private final Map<StatusKey, ObjectStatusIr> desired = new ConcurrentHashMap<>();
    private final Map<StatusKey, Written> written = new ConcurrentHashMap<>();
    private final Set<StatusKey> queued = ConcurrentHashMap.newKeySet();
    private final LinkedBlockingQueue<StatusKey> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param cached the object as the informers last saw it, or null when it is gone
     * @param workerCount parallel writers
     */
    StatusWriter(
            KubernetesClient client,
            String controllerName,
            RateLimiter limiter,
            Clock clock,
            ControllerMetrics metrics,
            BooleanSupplier leader,
            Function<StatusKey, HasMetadata> cached,
            int workerCount) {
        this.client = client;
        this.controllerName = controllerName;
        this.limiter = limiter;
        this.clock = clock;
        this.metrics = metrics;
        this.leader = leader;
        this.cached = cached;
        for (int i = 0; i < workerCount; i++) {
            Thread worker = new Thread(this::work, "status-writer-" + i);
            worker.setDaemon(true);
            workers.add(worker);
        }
    }

    StatusWriter start() {
        workers.forEach(Thread::start);
        return this;
    }

    /** Replaces the desired status of an object and schedules a write check. */
    void submit(StatusKey key, ObjectStatusIr status) {
        ObjectStatusIr previous = desired.put(key, status);
        if (!Objects.equals(previous, status)) {
            enqueue(key);
        }
    }

    /** Forgets an object (deleted, or no longer Gantry's). */
    void forget(StatusKey key) {
        desired.remove(key);
        written.remove(key);
    }

    /** Re-checks every object: on becoming leader, status computed while following gets written. */
    void recheckAll() {
        desired.keySet().forEach(this::enqueue);
    }

    /** Re-checks one object whose cached copy changed (someone else may have edited its status). */
    void recheck(StatusKey key) {
        if (desired.containsKey(key)) {
            enqueue(key);
        }
    }

    ObjectStatusIr desiredOf(StatusKey key) {
        return desired.get(key);
    }

    int pending() {
        return queue.size();
    }

    private void enqueue(StatusKey key) {
        if (queued.add(key)) {
            queue.add(key);
            metrics.queueDepth.set(queue.size());
        }
    }

    private void work() {
        while (!closed) {
            StatusKey key;
            try {
                key = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                continue;
            }
            queued.remove(key);
            metrics.queueDepth.set(queue.size());
            if (!leader.getAsBoolean()) {
                continue; // kept in `desired`; recheckAll() brings it back when this replica leads
            }
            try {
                write(key);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("status of {} not written: {}", key, e.toString());
                metrics.statusWrites.labelValues(key.kind().kind(), "error").inc();
                retryLater(key);
            }
        }
    }

    private void write(StatusKey key) throws InterruptedException {
        HasMetadata current = latest(key);
        for (int attempt = 0; attempt < MAX_ATTEMPTS && current != null; attempt++) {
            ObjectStatusIr want = desired.get(key);
            if (want == null || !leader.getAsBoolean()) {
                return;
            }
            String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
            Object merged = StatusMerger.merge(current, want, controllerName, now);
            if (merged == null) {
                metrics.statusUnchanged.labelValues(key.kind().kind()).inc();
                return;
            }
            limiter.acquire();
            if (!leader.getAsBoolean()) {
                return;
            }
            HasMetadata copy = client.getKubernetesSerialization().clone(current);
            StatusMerger.apply(copy, merged);
            long start = System.nanoTime();
            try {
                HasMetadata result = client.resource(copy).updateStatus();
                metrics.statusWriteSeconds.observe((System.nanoTime() - start) / 1e9);
                metrics.statusWrites.labelValues(key.kind().kind(), "ok").inc();
                written.put(key, new Written(current.getMetadata().getResourceVersion(), result));
                if (desired.get(key) != want) {
                    current = result; // a newer desire arrived while writing: check it against what we just wrote
                    continue;
                }
                return;
            } catch (KubernetesClientException e) {
                metrics.statusWriteSeconds.observe((System.nanoTime() - start) / 1e9);
                if (e.getCode() == 409) {
                    metrics.statusWrites
                            .labelValues(key.kind().kind(), "conflict")
                            .inc();
                    current = client.resource(current).get();
                    continue;
                }
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() == 422) {
                    // The API refuses this status as invalid: writing it again cannot help. A bug of Gantry's, said
                    // once
                    // per desired status; the next change of the desired status is written afresh.
                    metrics.statusWrites
                            .labelValues(key.kind().kind(), "refused")
                            .inc();
                    LOG.error(
                            "the API refused the status of {} {} as invalid; it is not retried until it changes: {}",
                            key.kind().kind(),
                            key.key(),
                            e.getStatus() == null
                                    ? e.getMessage()
                                    : e.getStatus().getMessage());
                    return;
                }
                throw e;
            }
        }
        if (current != null) {
            retryLater(key);
        }
    }

    /** The freshest copy: what we wrote, until the informer has caught up with it. */
    private HasMetadata latest(StatusKey key) {
        HasMetadata fromCache = cached.apply(key);
        if (fromCache == null) {
            written.remove(key);
            return null;
        }
        Written last = written.get(key);
        if (last != null
                && Objects.equals(
                        last.fromResourceVersion(), fromCache.getMetadata().getResourceVersion())) {
            return last.object();
        }
        written.remove(key);
        return fromCache;
    }

    private void retryLater(StatusKey key) {
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1000);
                enqueue(key);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        workers.forEach(Thread::interrupt);
    }
}
