package dev.gantry.runtime;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterStore;
import dev.gantry.view.DependencyIndex;
import dev.gantry.view.InitialList;
import dev.gantry.view.StatusOnlyChanges;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop that feeds a translation from informers, shared by the controller and the xDS shards (the runner of
 * Envoy Gateway's design): informer events are queued (handlers never block), taken in debounced batches, applied to
 * the indexed store, and mapped through the dependency index to the Gateways whose recorded reads they touch; the
 * objects the informers listed are taken ahead of their events at sync. The {@link Reconciler} supplied acts on each
 * batch: the controller writes status, a shard serves Envoy resources.
 *
 * <p>Everything runs on the runner's one thread; the store and the dependency index are the reconciler's to read and
 * update from {@link Reconciler#reconcile}. A batch can also be handed over directly ({@link #handle}), which is how
 * tests drive it without threads or sleeping.
 *
 * @param <S> signals the reconciler sends itself through the queue (the controller's "became leader", say)
 */
public final class TranslationRunner<S> implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(TranslationRunner.class);

    /** Work for the runner's thread. */
    public sealed interface Work<S> {
        /**
         * An informer event.
         *
         * @param statusOnly whether only the status of a Gateway API object changed (nothing to translate)
         * @param arrivedNanos {@link Ticker} time when the informer handed it over
         */
        record Event<S>(Change change, boolean statusOnly, long arrivedNanos) implements Work<S> {}

        /**
         * Every informer has listed.
         *
         * @param took how long the informers took to list
         * @param listed what the informers held then, which their handlers may not have delivered yet
         */
        record Synced<S>(Duration took, List<HasMetadata> listed) implements Work<S> {
            public Synced {
                listed = List.copyOf(listed);
            }
        }

        /** Something for the reconciler that is not an object change. */
        record Signal<S>(S signal) implements Work<S> {}

        /** Stop the thread. */
        record Stop<S>() implements Work<S> {}
    }

    /**
     * What one batch brought.
     *
     * @param affected the Gateways whose reads the batch's changes touched, with those changes; on the first batch
     *     after sync ({@code initial}) empty: everything is to be translated from scratch
     * @param initial whether this is the first batch since the informers synced
     * @param synced how long the informers took to list, on the initial batch; else null
     * @param changes object changes applied (status-only ones included)
     * @param firstArrivalNanos when the batch's first change that is not status-only arrived; {@link Long#MAX_VALUE}
     *     when there was none
     * @param signals the signals of the batch, in order (with those that arrived before sync, on the initial batch)
     */
    public record Batch<S>(
            Map<ObjectKey, List<Change>> affected,
            boolean initial,
            Duration synced,
            int changes,
            long firstArrivalNanos,
            List<S> signals) {}

    /** What the controller or a shard does with the batches. */
    public interface Reconciler<S> {
        /** Each change once the store holds it, before {@link #reconcile}; status-only changes too. */
        default void applied(Change change, boolean statusOnly) {}

        /** Each listed object taken from the informers' caches at sync, ahead of its event. */
        default void taken(Kind<?> kind, ObjectKey key) {}

        /** Acts on a batch; called only once the informers have synced, for every batch from then on. */
        void reconcile(Batch<S> batch);

        /** The runner's thread is ending. */
        default void stopped() {}
    }

    private final BlockingQueue<Work<S>> queue = new LinkedBlockingQueue<>();
    private final ClusterStore store = new ClusterStore();
    private final DependencyIndex dependencies = new DependencyIndex();
    private final InitialList initialList = new InitialList();
    private final String name;
    private final Reconciler<S> reconciler;
    private final Duration debounce;
    private final Duration debounceMax;
    private final Ticker ticker;
    private final List<S> signalsBeforeSync = new ArrayList<>();
    private volatile boolean synced;

    /**
     * @param name what log lines call it
     * @param debounce how long a batch stays open after the last change that counts
     * @param debounceMax how long a batch may stay open at most
     * @param ticker the clock of batching and of arrival times
     */
    public TranslationRunner(
            String name, Reconciler<S> reconciler, Duration debounce, Duration debounceMax, Ticker ticker) {
        this.name = name;
        this.reconciler = reconciler;
        this.debounce = debounce;
        this.debounceMax = debounceMax;
        this.ticker = ticker;
    }

    /** Called from informer threads: never blocks. */
    public void offer(Change change) {
        queue.add(new Work.Event<>(change, StatusOnlyChanges.statusOnly(change), ticker.nanoTime()));
    }

    public void informersSynced(Duration took, List<HasMetadata> listed) {
        queue.add(new Work.Synced<>(took, listed));
    }

    public void signal(S signal) {
        queue.add(new Work.Signal<>(signal));
    }

    public void stop() {
        queue.add(new Work.Stop<>());
    }

    /** Whether the informers have synced and the first batch since has been handled. */
    public boolean synced() {
        return synced;
    }

    /** The objects as last applied; the runner's thread only. */
    public ClusterStore store() {
        return store;
    }

    /** Which Gateways read what; the runner's thread only. */
    public DependencyIndex dependencies() {
        return dependencies;
    }

    public Ticker ticker() {
        return ticker;
    }

    /** Work queued and not yet taken up. */
    public int pending() {
        return queue.size();
    }

    @Override
    public void run() {
        try {
            while (true) {
                // A status coming back (often our own write) neither keeps a batch open nor costs a translation.
                List<Work<S>> batch = Debounce.nextBatch(
                        queue,
                        debounce,
                        debounceMax,
                        w -> !(w instanceof Work.Event<S> e && e.statusOnly()),
                        w -> w instanceof Work.Stop<S>,
                        ticker);
                if (batch.stream().anyMatch(w -> w instanceof Work.Stop<S>)) {
                    return;
                }
                try {
                    handle(batch);
                } catch (RuntimeException e) {
                    LOG.error("{}: reconcile failed; it runs again on the next change", name, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            reconciler.stopped();
        }
    }

    /** Applies a batch and hands it to the reconciler; the runner's thread (or a test) only. */
    public void handle(List<Work<S>> batch) {
        Map<ObjectKey, List<Change>> affected = new TreeMap<>();
        List<S> signals = new ArrayList<>();
        Duration becameSynced = null;
        int changes = 0;
        long firstArrival = Long.MAX_VALUE;
        for (Work<S> work : batch) {
            switch (work) {
                case Work.Event<S> event -> {
                    Change change = event.change();
                    if (!change.isDelete() && store.holds(change.current())) {
                        continue; // already taken from the informers' caches at sync
                    }
                    changes++;
                    if (!event.statusOnly()) {
                        firstArrival = Math.min(firstArrival, event.arrivedNanos());
                        Set<ObjectKey> touched = new HashSet<>(dependencies.affectedBy(
                                change.kind(), change.key(), change.previous(), change.current()));
                        if (change.kind().equals(Kinds.GATEWAY)) {
                            touched.add(change.key());
                        }
                        for (ObjectKey gateway : touched) {
                            affected.computeIfAbsent(gateway, k -> new ArrayList<>())
                                    .add(change);
                        }
                    }
                    if (change.isDelete()) {
                        store.remove(change.kind(), change.key());
                        initialList.deleted(change.kind(), change.key());
                    } else {
                        store.put(change.current());
                    }
                    reconciler.applied(change, event.statusOnly());
                }
                case Work.Synced<S> done -> {
                    int taken = initialList.apply(store, done.listed(), reconciler::taken);
                    if (taken > 0) {
                        LOG.info(
                                "{}: {} listed objects taken from the informers' caches ahead of their events",
                                name,
                                taken);
                    }
                    becameSynced = done.took();
                }
                case Work.Signal<S> signal -> signals.add(signal.signal());
                case Work.Stop<S> stop -> {}
            }
        }
        boolean initial = becameSynced != null && !synced;
        if (!synced && !initial) {
            signalsBeforeSync.addAll(signals);
            return;
        }
        if (initial) {
            affected.clear();
            signalsBeforeSync.addAll(signals);
            signals = List.copyOf(signalsBeforeSync);
            signalsBeforeSync.clear();
            synced = true;
        }
        reconciler.reconcile(
                new Batch<>(affected, initial, initial ? becameSynced : null, changes, firstArrival, signals));
    }
}
