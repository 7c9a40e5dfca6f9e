package dev.gantry.controller;

import dev.gantry.envoy.CheckedEnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.runtime.Ticker;
import dev.gantry.runtime.TranslationRunner;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.Reasons;
import dev.gantry.status.RouteParentStatusIr;
import dev.gantry.translate.GatewayApiTranslator;
import dev.gantry.translate.GatewayTranslation;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.RouteId;
import dev.gantry.translate.StatusAggregation;
import dev.gantry.translate.StatusKey;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterStore;
import dev.gantry.view.Dependency;
import dev.gantry.view.DependencyIndex;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's translation thread. Followers run it too, so a new leader already holds the desired status
 * of every object. Changes are applied in debounced batches; only Gateways whose reads a batch touches are
 * retranslated; route and policy status is gathered across every Gateway that names them.
 */
final class ControllerReconciler implements Runnable, TranslationRunner.Reconciler<ControllerReconciler.Signal> {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerReconciler.class);

    /** What the controller tells its own translation thread besides object changes. */
    sealed interface Signal {
        /** This replica became the leader. */
        record Leading() implements Signal {}

        /** A Gateway's provisioned objects changed: the leader tasks revisit it. */
        record Dirty(ObjectKey gateway) implements Signal {}

        /** The leader tasks have something due (a certificate to renew, a write to try again). */
        record Wake() implements Signal {}
    }

    /** Work the leader does after each batch besides status (GatewayClass upkeep, proxy provisioning). */
    interface LeaderTask {
        void run(ClusterStore store, Map<ObjectKey, GatewayTranslation> gateways, Set<ObjectKey> changedGateways);

        /** Sees every informer event of a batch, and names Gateways it should revisit that translation does not. */
        default void observe(Change change, Set<ObjectKey> revisitGateways) {}
    }

    private final TranslationRunner<Signal> runner;
    private final ClusterStore store;
    private final DependencyIndex dependencies;
    /** Gateways the leader tasks asked to revisit since the last batch was reconciled. */
    private final Set<ObjectKey> dirty = new HashSet<>();

    private final Map<ObjectKey, GatewayTranslation> gateways = new ConcurrentHashMap<>();
    private final Map<ObjectKey, GatewayTranslator> translators = new HashMap<>();
    /** The same checked Envoy build the shards run, so status reports what proxies would be denied. */
    private final Map<ObjectKey, CheckedEnvoyResources> envoyResources = new HashMap<>();

    private final EnvoyTranslator envoyTranslator = new EnvoyTranslator();
    private final EnvoyValidator envoyValidator = new EnvoyValidator();
    private final Map<StatusKey, Map<ObjectKey, List<GatewayTranslation.RouteParent>>> routeEntries = new HashMap<>();
    private final Map<ObjectKey, Map<ObjectKey, PolicyAncestorStatusIr>> ancestorEntries = new HashMap<>();
    private final Map<StatusKey, ObjectStatusIr> desired = new HashMap<>();
    /** Counts behind the gauges, kept as {@link #desired} changes. */
    private final Map<String, Integer> setStates =
            new HashMap<>(Map.of("attached", 0, "not_allowed", 0, "no_valid_listener", 0, "parent_not_accepted", 0));

    private final Map<String, Integer> conflicts = new HashMap<>();
    private final Map<String, Integer> notAccepted = new HashMap<>();
    private final GatewayApiTranslator translator;
    private final TranslatorConfig translatorConfig;
    private final StatusWriter writer;
    private final EventRecorder events;
    private final ControllerMetrics metrics;
    private final BooleanSupplier leader;
    private final List<LeaderTask> leaderTasks;

    ControllerReconciler(
            GatewayApiTranslator translator,
            StatusWriter writer,
            EventRecorder events,
            ControllerMetrics metrics,
            BooleanSupplier leader,
            List<LeaderTask> leaderTasks,
            Duration debounce,
            Duration debounceMax,
            Ticker ticker) {
        this.translator = translator;
        this.translatorConfig = translator.config();
        this.writer = writer;
        this.events = events;
        this.metrics = metrics;
        this.leader = leader;
        this.leaderTasks = List.copyOf(leaderTasks);
        this.runner = new TranslationRunner<>("controller", this, debounce, debounceMax, ticker);
        this.store = runner.store();
        this.dependencies = runner.dependencies();
    }

    void offer(Change event) {
        runner.offer(event);
    }

    void informersSynced(Duration took, List<HasMetadata> listed) {
        runner.informersSynced(took, listed);
    }

    void leading() {
        runner.signal(new Signal.Leading());
    }

    void dirty(ObjectKey gateway) {
        runner.signal(new Signal.Dirty(gateway));
    }

    void wake() {
        runner.signal(new Signal.Wake());
    }

    void stop() {
        runner.stop();
    }

    boolean synced() {
        return runner.synced();
    }

    ClusterStore store() {
        return store;
    }

    /** Handles a batch of work on the caller's thread, as the runner's thread would (for tests). */
    void handle(List<TranslationRunner.Work<Signal>> batch) {
        runner.handle(batch);
    }

    /** The object a status key names, as last seen. */
    HasMetadata cached(StatusKey key) {
        return store.get(key.kind(), key.key()).orElse(null);
    }

    @Override
    public void run() {
        runner.run();
    }

    @Override
    public void applied(Change event, boolean statusOnly) {
        for (LeaderTask task : leaderTasks) {
            task.observe(event, dirty);
        }
        StatusKey key = new StatusKey(event.kind(), event.key());
        if (event.isDelete()) {
            writer.forget(key);
            tally(desired.remove(key), -1);
        } else {
            writer.recheck(key);
        }
    }

    @Override
    public void taken(Kind<?> kind, ObjectKey key) {
        writer.recheck(new StatusKey(kind, key));
    }

    @Override
    public void reconcile(TranslationRunner.Batch<Signal> batch) {
        long start = System.nanoTime();
        boolean becameLeader = false;
        for (Signal signal : batch.signals()) {
            switch (signal) {
                case Signal.Leading lead -> becameLeader = true;
                case Signal.Dirty revisit -> dirty.add(revisit.gateway());
                case Signal.Wake wake -> {}
            }
        }
        Map<ObjectKey, List<Change>> affected = new TreeMap<>(batch.affected());
        if (batch.initial()) {
            for (Gateway gateway : store.list(Kinds.GATEWAY)) {
                affected.put(ObjectKey.of(gateway), null);
            }
            LOG.info(
                    "controller informers synced: {} Gateways, {} HTTPRoutes",
                    store.size(Kinds.GATEWAY),
                    store.size(Kinds.HTTP_ROUTE));
        }
        Set<StatusKey> routesTouched = new HashSet<>();
        Set<ObjectKey> policiesTouched = new HashSet<>();
        Set<ObjectKey> changedGateways = new TreeSet<>();
        for (var entry : affected.entrySet()) {
            retranslate(entry.getKey(), entry.getValue(), routesTouched, policiesTouched);
            changedGateways.add(entry.getKey());
        }
        changedGateways.addAll(dirty);
        dirty.clear();
        for (GatewayClass gatewayClass : store.list(Kinds.GATEWAY_CLASS)) {
            if (translator.serves(gatewayClass)) {
                publish(
                        new StatusKey(Kinds.GATEWAY_CLASS, ObjectKey.of(gatewayClass)),
                        translator.gatewayClassStatus(store, gatewayClass));
            }
        }
        for (StatusKey route : routesTouched) {
            publishRoute(route);
        }
        for (ObjectKey policy : policiesTouched) {
            publish(
                    new StatusKey(Kinds.BACKEND_TLS_POLICY, policy),
                    StatusAggregation.policy(ancestorEntries.getOrDefault(policy, Map.of())));
        }
        if (becameLeader) {
            writer.recheckAll();
        }
        if (leader.getAsBoolean()) {
            for (LeaderTask task : leaderTasks) {
                try {
                    task.run(store, gateways, becameLeader ? allGateways(changedGateways) : changedGateways);
                } catch (RuntimeException e) {
                    LOG.error("leader task failed; it runs again on the next change", e);
                }
            }
        }
        updateGauges();
        metrics.reconcileSeconds.observe((System.nanoTime() - start) / 1e9);
    }

    private Set<ObjectKey> allGateways(Set<ObjectKey> changed) {
        Set<ObjectKey> all = new TreeSet<>(changed);
        all.addAll(gateways.keySet());
        return all;
    }

    /**
     * Brings one Gateway's translation up to date (from scratch when {@code changes} is null) and records which
     * routes and policies need their status gathered again.
     */
    private void retranslate(
            ObjectKey gateway, List<Change> changes, Set<StatusKey> routesTouched, Set<ObjectKey> policiesTouched) {
        GatewayTranslator translator =
                translators.computeIfAbsent(gateway, k -> new GatewayTranslator(translatorConfig, k));
        GatewayTranslator.Outcome outcome;
        try {
            outcome = changes == null ? translator.translate(store) : translator.update(store, changes);
        } catch (RuntimeException e) {
            translators.remove(gateway);
            dependencies.forget(gateway);
            dependencies.update(gateway, Set.of(Dependency.object(Kinds.GATEWAY, gateway)), Set.of());
            LOG.error("translation of Gateway {} failed; its status is left as it is", gateway, e);
            return;
        }
        dependencies.update(gateway, outcome.readsAdded(), outcome.readsRemoved());
        GatewayTranslation current = translator.snapshot();
        GatewayTranslation previous = current == null ? gateways.remove(gateway) : gateways.put(gateway, current);
        if (outcome.full() || current == null) {
            if (previous != null) {
                for (GatewayTranslation.RouteParent parent : previous.routeParents()) {
                    StatusKey key = new StatusKey(parent.routeKind(), parent.route());
                    routesTouched.add(key);
                    Map<ObjectKey, List<GatewayTranslation.RouteParent>> byGateway = routeEntries.get(key);
                    if (byGateway != null) {
                        byGateway.remove(gateway);
                    }
                }
            }
            if (current != null) {
                for (GatewayTranslation.RouteParent parent : current.routeParents()) {
                    StatusKey key = new StatusKey(parent.routeKind(), parent.route());
                    routesTouched.add(key);
                    routeEntries
                            .computeIfAbsent(key, k -> new HashMap<>())
                            .computeIfAbsent(gateway, k -> new ArrayList<>())
                            .add(parent);
                }
            }
        } else {
            for (RouteId id : outcome.changedRoutes()) {
                StatusKey key = new StatusKey(id.kind(), id.key());
                routesTouched.add(key);
                List<GatewayTranslation.RouteParent> parents = translator.routeParents(id);
                Map<ObjectKey, List<GatewayTranslation.RouteParent>> byGateway =
                        routeEntries.computeIfAbsent(key, k -> new HashMap<>());
                if (parents.isEmpty()) {
                    byGateway.remove(gateway);
                } else {
                    byGateway.put(gateway, new ArrayList<>(parents));
                }
            }
        }
        if (previous != null) {
            for (ObjectKey policy : previous.policyAncestors().keySet()) {
                policiesTouched.add(policy);
                Map<ObjectKey, PolicyAncestorStatusIr> byGateway = ancestorEntries.get(policy);
                if (byGateway != null) {
                    byGateway.remove(gateway);
                }
            }
        }
        if (current == null) {
            tally(desired.remove(new StatusKey(Kinds.GATEWAY, gateway)), -1);
            envoyResources.remove(gateway);
            if (store.get(Kinds.GATEWAY, gateway).isEmpty()) {
                translators.remove(gateway);
                dependencies.forget(gateway);
            }
            return;
        }
        List<EnvoyValidator.Violation> violations = envoyResources
                .computeIfAbsent(gateway, k -> new CheckedEnvoyResources(envoyTranslator, envoyValidator))
                .build(translator.ir())
                .violations();
        publish(new StatusKey(Kinds.GATEWAY, gateway), withViolations(current.gatewayStatus(), violations));
        current.listenerSets().forEach((set, status) -> publish(new StatusKey(Kinds.LISTENER_SET, set), status));
        current.policyAncestors().forEach((policy, ancestor) -> {
            policiesTouched.add(policy);
            ancestorEntries.computeIfAbsent(policy, k -> new HashMap<>()).put(gateway, ancestor);
        });
    }

    /** Programmed=False while some of the Gateway's Envoy resources break Envoy's rules and are held back. */
    static ObjectStatusIr.GatewayStatus withViolations(
            ObjectStatusIr.GatewayStatus status, List<EnvoyValidator.Violation> violations) {
        if (violations.isEmpty()) {
            return status;
        }
        List<ConditionIr> conditions = new ArrayList<>();
        for (ConditionIr condition : status.conditions()) {
            if (condition.type().equals(Reasons.PROGRAMMED) && condition.isTrue()) {
                EnvoyValidator.Violation first = violations.getFirst();
                conditions.add(ConditionIr.of(
                        Reasons.PROGRAMMED,
                        false,
                        Reasons.INVALID,
                        "Envoy would reject "
                                + first.resourceType() + " " + first.resourceName() + " (" + first.path() + ": "
                                + first.message()
                                + ")" + (violations.size() > 1 ? " and " + (violations.size() - 1) + " more" : "")
                                + "; proxies keep its last good version",
                        condition.observedGeneration()));
            } else {
                conditions.add(condition);
            }
        }
        return new ObjectStatusIr.GatewayStatus(
                conditions, status.listeners(), status.addresses(), status.attachedListenerSets());
    }

    private void publishRoute(StatusKey route) {
        Map<ObjectKey, List<GatewayTranslation.RouteParent>> byGateway = routeEntries.getOrDefault(route, Map.of());
        if (byGateway.isEmpty()) {
            routeEntries.remove(route);
        }
        if (store.get(route.kind(), route.key()).isPresent()) {
            publish(route, StatusAggregation.route(byGateway.values()));
        }
    }

    private void publish(StatusKey key, ObjectStatusIr status) {
        ObjectStatusIr before = desired.put(key, status);
        tally(before, -1);
        tally(status, 1);
        writer.submit(key, status);
        if (!status.equals(before)) {
            announceTransitions(key, before, status);
        }
    }

    /** Events for what a tenant must notice: a ListenerSet rejected, a listener losing a conflict. */
    private void announceTransitions(StatusKey key, ObjectStatusIr before, ObjectStatusIr after) {
        HasMetadata object = cached(key);
        if (object == null || !leader.getAsBoolean()) {
            return;
        }
        switch (after) {
            case ObjectStatusIr.ListenerSetStatus set -> {
                ConditionIr accepted = set.conditions().getFirst();
                boolean wasAccepted = before instanceof ObjectStatusIr.ListenerSetStatus old
                        && old.conditions().getFirst().isTrue();
                if (!accepted.isTrue() && (wasAccepted || before == null)) {
                    events.warning(object, "ListenerSet" + accepted.reason(), accepted.message());
                }
                announceConflicts(
                        object,
                        before instanceof ObjectStatusIr.ListenerSetStatus old ? old.listeners() : List.of(),
                        set.listeners());
            }
            case ObjectStatusIr.GatewayStatus gateway ->
                announceConflicts(
                        object,
                        before instanceof ObjectStatusIr.GatewayStatus old ? old.listeners() : List.of(),
                        gateway.listeners());
            default -> {}
        }
    }

    private void announceConflicts(HasMetadata object, List<ListenerStatusIr> before, List<ListenerStatusIr> after) {
        for (ListenerStatusIr listener : after) {
            ConditionIr conflicted = conflicted(listener);
            if (conflicted == null || !conflicted.isTrue()) {
                continue;
            }
            boolean wasConflicted = before.stream()
                    .filter(l -> l.name().equals(listener.name()))
                    .map(ControllerReconciler::conflicted)
                    .anyMatch(c -> c != null && c.isTrue());
            if (!wasConflicted) {
                events.warning(
                        object,
                        "Listener" + conflicted.reason(),
                        "Listener '" + listener.name() + "': " + conflicted.message());
            }
        }
    }

    private static ConditionIr conflicted(ListenerStatusIr listener) {
        return listener.conditions().stream()
                .filter(c -> c.type().equals(Reasons.CONFLICTED))
                .findFirst()
                .orElse(null);
    }

    private void updateGauges() {
        setStates.forEach(
                (state, count) -> metrics.listenerSets.labelValues(state).set(count));
        for (String reason : List.of(Reasons.HOSTNAME_CONFLICT, Reasons.PROTOCOL_CONFLICT)) {
            metrics.listenerConflicts.labelValues(reason).set(conflicts.getOrDefault(reason, 0));
        }
        notAccepted.forEach(
                (reason, count) -> metrics.routesNotAccepted.labelValues(reason).set(count));
    }

    /** Keeps the gauges' counts as desired status changes: a pass over every object per batch costs too much. */
    private void tally(ObjectStatusIr status, int sign) {
        switch (status) {
            case null -> {}
            case ObjectStatusIr.ListenerSetStatus set -> {
                ConditionIr accepted = set.conditions().getFirst();
                String state = accepted.isTrue()
                        ? "attached"
                        : switch (accepted.reason()) {
                            case Reasons.NOT_ALLOWED -> "not_allowed";
                            case Reasons.LISTENERS_NOT_VALID -> "no_valid_listener";
                            default -> "parent_not_accepted";
                        };
                setStates.merge(state, sign, Integer::sum);
                countConflicts(set.listeners(), sign);
            }
            case ObjectStatusIr.GatewayStatus gateway -> countConflicts(gateway.listeners(), sign);
            case ObjectStatusIr.RouteStatus route -> {
                for (RouteParentStatusIr parent : route.parents()) {
                    ConditionIr accepted = parent.conditions().getFirst();
                    if (!accepted.isTrue()) {
                        notAccepted.merge(accepted.reason(), sign, Integer::sum);
                    }
                }
            }
            default -> {}
        }
    }

    private void countConflicts(List<ListenerStatusIr> listeners, int sign) {
        for (ListenerStatusIr listener : listeners) {
            ConditionIr conflicted = conflicted(listener);
            if (conflicted != null && conflicted.isTrue()) {
                conflicts.merge(conflicted.reason(), sign, Integer::sum);
            }
        }
    }

    /** Informer events and other work queued and not yet taken up. */
    int pendingWork() {
        return runner.pending();
    }

    /** Number of objects with desired status, by kind (for tests and the debug endpoint). */
    Map<Kind<?>, Integer> desiredCounts() {
        Map<Kind<?>, Integer> counts = new HashMap<>();
        desired.keySet().forEach(k -> counts.merge(k.kind(), 1, Integer::sum));
        return counts;
    }
}
