package dev.gantry.xds;

import dev.gantry.envoy.CheckedEnvoyResources;
import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.runtime.Parallel;
import dev.gantry.runtime.Ticker;
import dev.gantry.runtime.TranslationRunner;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterStore;
import dev.gantry.view.Dependency;
import dev.gantry.view.DependencyIndex;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard's single translation thread. Informer events are queued (handlers never block), applied to the
 * indexed store in debounced batches, and only the owned Gateways whose recorded reads the batch touches are
 * retranslated. A Gateway whose resources did not change keeps its snapshot, so its proxies get no push.
 */
final class ShardReconciler implements Runnable, TranslationRunner.Reconciler<Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ShardReconciler.class);

    /**
     * What a Gateway's proxies are served.
     *
     * @param version content version of all resources
     * @param resources the resources
     */
    record Published(String version, EnvoyResources resources) {}

    /** One owned Gateway's translation and Envoy resources, kept up to date incrementally. */
    private static final class GatewayState {
        final GatewayTranslator translator;
        final CheckedEnvoyResources resources;
        List<EnvoyValidator.Violation> violations = List.of();

        GatewayState(GatewayTranslator translator, CheckedEnvoyResources resources) {
            this.translator = translator;
            this.resources = resources;
        }
    }

    private final TranslationRunner<Void> runner;
    private final ClusterStore store;
    private final DependencyIndex dependencies;
    private final Map<ObjectKey, GatewayState> states = new HashMap<>();
    private final Map<ObjectKey, Published> published = new ConcurrentHashMap<>();
    private final TranslatorConfig config;
    private final EnvoyTranslator envoy;
    private final EnvoyValidator validator = new EnvoyValidator();
    private final GatewayXdsCache cache;
    private final ShardOwnership ownership;
    private final ShardMetrics.ForShard metrics;
    private final Ticker ticker;
    private final long startNanos;
    /**
     * Translates several Gateways at once (the cold start, a change to a Secret many share): each Gateway's state
     * is its own and the store is only read meanwhile. Named after the reconciler, whose work it shares.
     */
    private final ExecutorService helpers;

    private volatile boolean initialSnapshotsSet;
    /**
     * When the first change of the batch being handled reached the shard, until its first snapshot is handed to the
     * xDS cache; reconciler thread only.
     */
    private long batchArrival = Long.MAX_VALUE;

    ShardReconciler(
            TranslatorConfig config,
            EnvoyTranslator envoy,
            GatewayXdsCache cache,
            ShardOwnership ownership,
            ShardMetrics.ForShard metrics,
            Duration debounce,
            Duration debounceMax,
            Ticker ticker) {
        this.config = config;
        this.envoy = envoy;
        AtomicInteger helperCount = new AtomicInteger();
        this.helpers =
                Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                    Thread thread = new Thread(
                            r, "xds-shard-" + ownership.index() + "-reconciler-" + helperCount.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.cache = cache;
        this.ownership = ownership;
        this.metrics = metrics;
        this.ticker = ticker;
        this.startNanos = ticker.nanoTime();
        this.runner = new TranslationRunner<>("shard " + ownership.index(), this, debounce, debounceMax, ticker);
        this.store = runner.store();
        this.dependencies = runner.dependencies();
    }

    /** Called from informer threads: never blocks. */
    void offer(Change event) {
        runner.offer(event);
    }

    void informersSynced(Duration took, List<HasMetadata> listed) {
        runner.informersSynced(took, listed);
    }

    void stop() {
        runner.stop();
    }

    boolean ready() {
        return runner.synced() && initialSnapshotsSet;
    }

    boolean synced() {
        return runner.synced();
    }

    Map<ObjectKey, Published> published() {
        return published;
    }

    ClusterStore store() {
        return store;
    }

    @Override
    public void run() {
        runner.run();
    }

    @Override
    public void stopped() {
        helpers.shutdownNow();
    }

    @Override
    public void reconcile(TranslationRunner.Batch<Void> batch) {
        if (batch.changes() > 0) {
            metrics.batch(batch.changes());
        }
        if (batch.initial()) {
            metrics.informerSync(batch.synced().toNanos() / 1e9);
            translateAll();
            return;
        }
        Map<ObjectKey, List<Change>> byGateway = new TreeMap<>(batch.affected());
        byGateway.keySet().removeIf(gateway -> !ownership.owns(gateway));
        batchArrival = batch.firstArrivalNanos();
        translate(byGateway);
        batchArrival = Long.MAX_VALUE;
        metrics.owned(published.size());
    }

    private void translateAll() {
        long start = System.nanoTime();
        Map<ObjectKey, List<Change>> all = new TreeMap<>();
        for (Gateway gateway : store.list(Kinds.GATEWAY)) {
            ObjectKey key = ObjectKey.of(gateway);
            if (ownership.owns(key)) {
                all.put(key, null);
            }
        }
        int count = all.size();
        translate(all);
        initialSnapshotsSet = true;
        metrics.owned(published.size());
        double sinceStart = (ticker.nanoTime() - startNanos) / 1e9;
        metrics.firstSnapshot(sinceStart);
        metrics.becameReady();
        LOG.info(
                "shard {}: {} owned Gateways translated in {} ms; ready {} s after start",
                ownership.index(),
                count,
                (System.nanoTime() - start) / 1_000_000,
                String.format("%.2f", sinceStart));
    }

    /**
     * Brings Gateways up to date: each from scratch when its change list is null, else incrementally. Several are
     * translated in parallel; their results are applied here, one after another, in key order.
     */
    private void translate(Map<ObjectKey, List<Change>> work) {
        if (work.isEmpty()) {
            return;
        }
        List<ObjectKey> gateways = new ArrayList<>(work.keySet());
        List<GatewayState> stateList = new ArrayList<>(gateways.size());
        for (ObjectKey gateway : gateways) {
            stateList.add(states.computeIfAbsent(
                    gateway,
                    k -> new GatewayState(
                            new GatewayTranslator(config, k), new CheckedEnvoyResources(envoy, validator))));
        }
        if (gateways.size() == 1) {
            apply(compute(gateways.getFirst(), stateList.getFirst(), work.get(gateways.getFirst())));
            return;
        }
        List<Future<Computed>> futures = new ArrayList<>(gateways.size());
        for (int i = 0; i < gateways.size(); i++) {
            ObjectKey gateway = gateways.get(i);
            GatewayState state = stateList.get(i);
            List<Change> changes = work.get(gateway);
            futures.add(helpers.submit(() -> compute(gateway, state, changes)));
        }
        for (Future<Computed> future : futures) {
            try {
                apply(future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                // compute() catches what translation throws; anything else is a bug worth the log and the next change.
                LOG.error("translation task failed", e.getCause());
            }
        }
    }

    /**
     * What translating one Gateway produced.
     *
     * @param failure what translation threw, or null
     */
    private record Computed(
            ObjectKey gateway,
            GatewayState state,
            GatewayTranslator.Outcome outcome,
            CheckedEnvoyResources.Result checked,
            RuntimeException failure,
            long nanos,
            long cpuNanos) {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * CPU time of the current thread and of the pool threads that helped its spread-out steps, or -1 where the JVM
     * does not measure it.
     */
    private static long threadCpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported()
                ? THREADS.getCurrentThreadCpuTime() + Parallel.helperCpuNanos()
                : -1;
    }

    /** Translates one Gateway; touches nothing but its own state, so several can run at once. */
    private Computed compute(ObjectKey gateway, GatewayState state, List<Change> changes) {
        long start = System.nanoTime();
        long cpuStart = threadCpuNanos();
        try {
            GatewayTranslator.Outcome outcome =
                    changes == null ? state.translator.translate(store) : state.translator.update(store, changes);
            CheckedEnvoyResources.Result checked = outcome.ours() ? state.resources.build(state.translator.ir()) : null;
            return new Computed(gateway, state, outcome, checked, null, System.nanoTime() - start, cpuSince(cpuStart));
        } catch (RuntimeException e) {
            return new Computed(gateway, state, null, null, e, System.nanoTime() - start, cpuSince(cpuStart));
        }
    }

    private static long cpuSince(long cpuStart) {
        return cpuStart < 0 ? -1 : threadCpuNanos() - cpuStart;
    }

    /** Records a Gateway's translation and publishes its snapshot when its content changed. */
    private void apply(Computed computed) {
        ObjectKey gateway = computed.gateway();
        GatewayState state = computed.state();
        if (computed.failure() != null) {
            // Start over on the next change: the half-updated state cannot be trusted.
            states.remove(gateway);
            dependencies.forget(gateway);
            dependencies.update(gateway, Set.of(Dependency.object(Kinds.GATEWAY, gateway)), Set.of());
            metrics.translationError();
            LOG.error(
                    "translation of Gateway {} failed; its proxies keep their last configuration",
                    gateway,
                    computed.failure());
            return;
        }
        GatewayTranslator.Outcome outcome = computed.outcome();
        EnvoyResources resources = null;
        if (computed.checked() != null) {
            CheckedEnvoyResources.Result checked = computed.checked();
            resources = checked.served();
            if (!checked.violations().equals(state.violations)
                    && !checked.violations().isEmpty()) {
                metrics.validationFailures(checked.violations().size());
                LOG.error(
                        "Gateway {}: {} Envoy resource(s) break Envoy's field rules and are held back (their last good"
                                + " version is served): {}",
                        gateway,
                        checked.violations().size(),
                        checked.violations());
            }
            state.violations = checked.violations();
        }
        dependencies.update(gateway, outcome.readsAdded(), outcome.readsRemoved());
        metrics.translated(computed.nanos() / 1e9, computed.cpuNanos() < 0 ? -1 : computed.cpuNanos() / 1e9);
        if (!outcome.ours()) {
            if (published.remove(gateway) != null) {
                // Deleted, or no longer of Gantry's class: its proxies are told to drop everything.
                cache.setSnapshot(
                        gateway.toString(),
                        new GatewaySnapshot(new EnvoyResources(List.of(), List.of(), List.of(), List.of(), List.of())));
                LOG.info("Gateway {} is gone or not Gantry's any more; its snapshot was emptied", gateway);
            }
            if (store.get(Kinds.GATEWAY, gateway).isEmpty()) {
                states.remove(gateway);
                dependencies.forget(gateway);
            }
            return;
        }
        String version = resources.version();
        Published previous = published.get(gateway);
        if (previous != null && previous.version().equals(version)) {
            return;
        }
        published.put(gateway, new Published(version, resources));
        long handOver = ticker.nanoTime();
        if (batchArrival != Long.MAX_VALUE) {
            metrics.changeToSnapshot((handOver - batchArrival) / 1e9);
            batchArrival = Long.MAX_VALUE;
        }
        int answered = cache.setSnapshot(gateway.toString(), new GatewaySnapshot(resources));
        if (answered > 0) {
            metrics.fanOut((ticker.nanoTime() - handOver) / 1e9);
        }
        metrics.published();
    }
}
