package dev.gantry.loadtest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Waiting, before a run measures, until Gantry's controller has written the status of every object the run applied:
 * in process by counting its writes in the in-memory API's log, against a running Gantry by watching the objects
 * change.
 */
final class StatusSettling {

    private StatusSettling() {}

    /**
     * Waits until the in-process controller has written every status (no status write for 1.5 s and none queued),
     * so the measurements that follow see a steady state; returns the status writes it saw.
     */
    static long settle(Run run) throws InterruptedException {
        InProcessDeployment local = run.deployment().local();
        if (!run.options.settle()) {
            return -1;
        }
        if (local == null) {
            return settleRemote(run);
        }
        if (local.controller() == null) {
            return -1;
        }
        long deadline = System.nanoTime() + run.options.timeout().toNanos() * 6;
        try (Run.Phase p = run.phase("controller writes status");
                Progress progress = run.progress("controller writing status", 0)) {
            StatusCounter counter = new StatusCounter(local, null);
            long last = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long writes = counter.count();
                progress.set(writes);
                if (writes != last) {
                    last = writes;
                    quietSince = System.nanoTime();
                } else if (local.controller().pendingStatusWrites() == 0
                        && local.controller().pendingEvents() == 0
                        && System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(1500)) {
                    // The controller has also taken up its writes coming back: what it holds meanwhile is not the
                    // shard's.
                    return writes;
                }
                Thread.sleep(200);
            }
            run.info("the controller was still writing status when the settle timeout passed; measuring anyway");
            return last;
        }
    }

    /**
     * Against a running Gantry: waits until no Gateway, ListenerSet or HTTPRoute has changed for two seconds (the
     * controller has written their status); returns the changes seen.
     */
    private static long settleRemote(Run run) throws InterruptedException {
        AtomicLong updates = new AtomicLong();
        AtomicLong lastUpdate = new AtomicLong(System.nanoTime());
        Runnable counter = () -> {
            updates.incrementAndGet();
            lastUpdate.set(System.nanoTime());
        };
        List<SharedIndexInformer<?>> informers = new ArrayList<>();
        try (Run.Phase p = run.phase("wait for status writes to stop");
                Progress progress = run.progress("status updates seen", 0)) {
            informers.add(countUpdates(run, Gateway.class, counter));
            informers.add(countUpdates(run, ListenerSet.class, counter));
            informers.add(countUpdates(run, HTTPRoute.class, counter));
            long deadline = System.nanoTime() + run.options.timeout().toNanos() * 6;
            lastUpdate.set(System.nanoTime());
            while (System.nanoTime() < deadline && System.nanoTime() - lastUpdate.get() < 2_000_000_000L) {
                progress.set(updates.get());
                Thread.sleep(200);
            }
            return updates.get();
        } finally {
            informers.forEach(SharedIndexInformer::stop);
        }
    }

    private static <T extends HasMetadata> SharedIndexInformer<T> countUpdates(
            Run run, Class<T> type, Runnable onUpdate) {
        return run.deployment()
                .client()
                .resources(type)
                .inAnyNamespace()
                .inform(
                        new ResourceEventHandler<T>() {
                            @Override
                            public void onAdd(T object) {}

                            @Override
                            public void onUpdate(T previous, T current) {
                                onUpdate.run();
                            }

                            @Override
                            public void onDelete(T object, boolean unknown) {}
                        },
                        0);
    }
}
