package dev.gantry.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.runtime.TranslationRunner.Work;
import dev.gantry.testing.Eventually;
import dev.gantry.view.Change;
import dev.gantry.view.Dependency;
import dev.gantry.view.StatusOnlyChanges;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runner both reconcilers share, driven batch by batch on the test's thread, with a clock the test sets. */
class TranslationRunnerTest {

    private static final ObjectKey GATEWAY = new ObjectKey("apps", "gw");

    /** Remembers what the runner hands over. */
    private static final class Recording implements TranslationRunner.Reconciler<String> {
        final List<TranslationRunner.Batch<String>> batches = new CopyOnWriteArrayList<>();
        final List<String> applied = new ArrayList<>();
        final List<ObjectKey> taken = new ArrayList<>();

        @Override
        public void applied(Change change, boolean statusOnly) {
            applied.add(change.key() + (statusOnly ? " (status)" : ""));
        }

        @Override
        public void taken(Kind<?> kind, ObjectKey key) {
            taken.add(key);
        }

        @Override
        public void reconcile(TranslationRunner.Batch<String> batch) {
            batches.add(batch);
        }
    }

    private final Recording reconciler = new Recording();
    private long now = 1_000;
    private final TranslationRunner<String> runner =
            new TranslationRunner<>("test", reconciler, Duration.ZERO, Duration.ZERO, () -> now);

    private static Service service(String name, String resourceVersion) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build();
    }

    private static Gateway gateway(String resourceVersion) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .endSpec()
                .build();
    }

    private static Work<String> event(Kind<?> kind, HasMetadata previous, HasMetadata current, long at) {
        HasMetadata either = current != null ? current : previous;
        Change change = new Change(kind, ObjectKey.of(either), previous, current);
        return new Work.Event<>(change, StatusOnlyChanges.statusOnly(change), at);
    }

    @Test
    void nothingIsReconciledBeforeSyncAndTheFirstBatchAfterIsTheInitialOne() {
        runner.handle(List.of(event(Kinds.SERVICE, null, service("a", "1"), 10), new Work.Signal<>("leading")));
        assertTrue(reconciler.batches.isEmpty());
        assertFalse(runner.synced());
        assertEquals(List.of("apps/a"), reconciler.applied, "the store is kept up to date all the same");
        assertTrue(runner.store().get(Kinds.SERVICE, new ObjectKey("apps", "a")).isPresent());

        // Listed at sync: "b" (never delivered yet) is taken, "a" is held already.
        runner.handle(
                List.of(new Work.Synced<>(Duration.ofMillis(250), List.of(service("a", "1"), service("b", "1")))));
        assertTrue(runner.synced());
        assertEquals(List.of(new ObjectKey("apps", "b")), reconciler.taken);
        TranslationRunner.Batch<String> initial = reconciler.batches.getFirst();
        assertTrue(initial.initial());
        assertTrue(initial.affected().isEmpty(), "the reconciler translates everything from scratch");
        assertEquals(Duration.ofMillis(250), initial.synced());
        assertEquals(List.of("leading"), initial.signals(), "signals from before sync are not lost");

        // The listed object's own event comes later, and is not applied twice.
        runner.handle(List.of(event(Kinds.SERVICE, null, service("b", "1"), 20)));
        TranslationRunner.Batch<String> next = reconciler.batches.getLast();
        assertFalse(next.initial());
        assertEquals(0, next.changes());
        assertNull(next.synced());
    }

    @Test
    void aChangeReachesTheGatewaysThatReadItAndAGatewayItsOwnTranslation() {
        runner.handle(List.of(new Work.Synced<>(Duration.ZERO, List.of())));
        runner.dependencies().record(GATEWAY, Set.of(Dependency.object(Kinds.SERVICE, new ObjectKey("apps", "a"))));

        runner.handle(List.of(
                event(Kinds.SERVICE, null, service("a", "1"), 30),
                event(Kinds.SERVICE, null, service("unread", "1"), 20),
                event(Kinds.GATEWAY, null, gateway("1"), 40)));
        TranslationRunner.Batch<String> batch = reconciler.batches.getLast();
        assertEquals(Set.of(GATEWAY), batch.affected().keySet());
        assertEquals(2, batch.affected().get(GATEWAY).size(), "the Service it reads and the Gateway itself");
        assertEquals(3, batch.changes());
        assertEquals(20, batch.firstArrivalNanos());
    }

    @Test
    void aStatusOnlyChangeIsAppliedButTranslatesNothing() {
        runner.handle(List.of(new Work.Synced<>(Duration.ZERO, List.of())));
        Gateway before = gateway("1");
        Gateway after = gateway("2");
        after.setStatus(new GatewayStatus());
        runner.handle(List.of(event(Kinds.GATEWAY, before, after, 50)));
        TranslationRunner.Batch<String> batch = reconciler.batches.getLast();
        assertTrue(batch.affected().isEmpty());
        assertEquals(1, batch.changes());
        assertEquals(Long.MAX_VALUE, batch.firstArrivalNanos());
        assertEquals("apps/gw (status)", reconciler.applied.getLast());
    }

    @Test
    void aDeleteBeforeSyncIsNotBroughtBackByTheListing() {
        runner.handle(List.of(
                event(Kinds.SERVICE, null, service("a", "1"), 10), event(Kinds.SERVICE, service("a", "1"), null, 11)));
        runner.handle(List.of(new Work.Synced<>(Duration.ZERO, List.of(service("a", "1")))));
        assertTrue(runner.store().get(Kinds.SERVICE, new ObjectKey("apps", "a")).isEmpty());
        assertTrue(reconciler.taken.isEmpty());
    }

    @Test
    void theThreadStampsArrivalsWithTheTickerAndStopsOnRequest() throws Exception {
        now = 7_000;
        CompletableFuture<Void> done = CompletableFuture.runAsync(runner);
        runner.informersSynced(Duration.ZERO, List.of());
        // Offered after sync: in the same batch as the sync it would be part of the initial translation.
        Eventually.await(Duration.ofSeconds(10), "synced", runner::synced);
        runner.offer(new Change(Kinds.GATEWAY, GATEWAY, null, gateway("1")));
        Eventually.await(
                Duration.ofSeconds(10),
                "the Gateway's batch",
                () -> reconciler.batches.stream().anyMatch(b -> !b.affected().isEmpty()));
        runner.stop();
        done.get(10, TimeUnit.SECONDS);
        assertEquals(7_000, reconciler.batches.getLast().firstArrivalNanos());
    }
}
