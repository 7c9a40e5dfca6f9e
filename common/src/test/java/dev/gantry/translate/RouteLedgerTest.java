package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.translate.RouteTables.Placement;
import dev.gantry.translate.RouteTables.PlacementKey;
import dev.gantry.view.ClusterStore;
import dev.gantry.view.Dependency;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Routes placed and removed: their placements in precedence order, their reads counted once, who is served. */
class RouteLedgerTest {

    private static final GatewayPlan PLAN = GatewayPlanner.plan(
            ClusterStore.of(List.of(
                    new GatewayClassBuilder()
                            .withNewMetadata()
                            .withName("gantry")
                            .endMetadata()
                            .withNewSpec()
                            .withControllerName(TranslatorConfig.defaults().controllerName())
                            .endSpec()
                            .build(),
                    new GatewayBuilder()
                            .withNewMetadata()
                            .withName("gw")
                            .withNamespace("infra")
                            .withGeneration(1L)
                            .endMetadata()
                            .withNewSpec()
                            .withGatewayClassName("gantry")
                            .addNewListener()
                            .withName("http")
                            .withPort(80)
                            .withProtocol("HTTP")
                            .endListener()
                            .addNewListener()
                            .withName("tcp")
                            .withPort(9000)
                            .withProtocol("TCP")
                            .endListener()
                            .endSpec()
                            .build())),
            new ObjectKey("infra", "gw"),
            TranslatorConfig.defaults());
    private static final ListenerState HTTP = listener("http");
    private static final ListenerState TCP = listener("tcp");

    private final ReadLedger reads = new ReadLedger();
    private final RouteLedger ledger = new RouteLedger(reads);

    private static ListenerState listener(String name) {
        return PLAN.listeners().stream()
                .filter(l -> l.name.equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static Dependency read(String service) {
        return Dependency.object(Kinds.SERVICE, new ObjectKey("apps", service));
    }

    private static RouteId id(String name) {
        return new RouteId(Kinds.TCP_ROUTE, new ObjectKey("apps", name));
    }

    /** A route created at {@code createdSecond}, placed on {@code listeners}, having read {@code reads}. */
    private static RouteResult route(
            String name, long createdSecond, List<ListenerState> listeners, Dependency... reads) {
        PlacementKey order = new PlacementKey(
                Instant.ofEpochSecond(createdSecond), Kinds.ROUTES.indexOf(Kinds.TCP_ROUTE), id(name).key());
        List<RouteAttachment.Placed> placed = new ArrayList<>();
        for (ListenerState listener : listeners) {
            placed.add(new RouteAttachment.Placed(listener, new Placement(null, List.of(), order)));
        }
        return new RouteResult(null, List.of(), placed, List.of(reads), List.of(), Set.of(), List.of());
    }

    private static List<ObjectKey> keys(List<Placement> placements) {
        return placements.stream().map(p -> p.order().key()).toList();
    }

    @Test
    void aReadIsCountedOnceHoweverManyRoutesMakeItAndGoesWithItsLastReader() {
        ledger.place(id("a"), route("a", 1, List.of(), read("shared"), read("own")));
        ledger.place(id("b"), route("b", 2, List.of(), read("shared")));
        assertEquals(Set.of(id("a"), id("b")), ledger.readersOf(read("shared")));
        assertEquals(new ReadLedger.Delta(Set.of(read("shared"), read("own")), Set.of()), reads.finish());

        RouteResult removed = ledger.remove(id("a"));
        assertEquals(List.of(read("shared"), read("own")), removed.reads());
        assertEquals(Set.of(id("b")), ledger.readersOf(read("shared")));
        assertNull(ledger.readersOf(read("own")));
        assertEquals(new ReadLedger.Delta(Set.of(), Set.of(read("own"))), reads.finish());

        assertNull(ledger.remove(id("a")), "already gone");
        ledger.remove(id("b"));
        assertNull(ledger.readersOf(read("shared")));
        assertTrue(reads.reads().isEmpty());
    }

    @Test
    void aListenerHoldsItsRoutesOldestFirstUntilTheyAreRemoved() {
        ledger.place(id("newer"), route("newer", 20, List.of(HTTP)));
        ledger.place(id("older"), route("older", 10, List.of(HTTP)));
        assertEquals(List.of(id("older").key(), id("newer").key()), keys(List.copyOf(ledger.placementsOn(HTTP))));
        assertEquals(2, ledger.attachedTo(HTTP));
        assertEquals(0, ledger.attachedTo(TCP));
        assertEquals(id("older").key(), ledger.servedOn(HTTP).key());

        ledger.remove(id("older"));
        ledger.remove(id("newer"));
        assertTrue(ledger.placementsOn(HTTP).isEmpty());
        assertNull(ledger.servedOn(HTTP));
    }

    @Test
    void theRoutesThatStartOrStopBeingServedOnATcpListenerAreTheChangedOnes() {
        record Step(String what, Runnable edit, Set<RouteId> changed) {}
        List<Step> steps = List.of(
                new Step(
                        "the first route is served",
                        () -> ledger.place(id("old"), route("old", 1, List.of(TCP))),
                        Set.of(id("old"))),
                new Step(
                        "a newer route is not served: nothing changes",
                        () -> ledger.place(id("new"), route("new", 2, List.of(TCP))),
                        Set.of()),
                new Step(
                        "the served route goes: it and the next are changed",
                        () -> ledger.remove(id("old")),
                        Set.of(id("old"), id("new"))),
                new Step(
                        "a route leaving the TCP listener for an HTTP one is no longer served there",
                        () -> {
                            ledger.remove(id("new"));
                            ledger.place(id("new"), route("new", 2, List.of(HTTP)));
                        },
                        Set.of(id("new"))),
                new Step(
                        "routes on an HTTP listener are all served",
                        () -> ledger.place(id("other"), route("other", 0, List.of(HTTP))),
                        Set.of()));
        for (Step step : steps) {
            step.edit().run();
            Set<RouteId> changed = new TreeSet<>();
            ledger.takeServedChanges(changed);
            assertEquals(step.changed(), changed, step.what());
        }
    }

    @Test
    void routesAreListedInOrderThroughFewAndManyEdits() {
        TreeSet<RouteId> expected = new TreeSet<>();
        for (int i = 0; i < 10; i++) {
            ledger.place(id("r" + i), route("r" + i, i, List.of(HTTP)));
            expected.add(id("r" + i));
        }
        assertEquals(List.copyOf(expected), ledger.inOrder());

        ledger.remove(id("r3"));
        expected.remove(id("r3"));
        ledger.place(id("added"), route("added", 0, List.of(HTTP)));
        expected.add(id("added"));
        assertEquals(List.copyOf(expected), ledger.inOrder(), "a few edits");

        for (int i = 100; i < 200; i++) {
            ledger.place(id("r" + i), route("r" + i, i, List.of()));
            expected.add(id("r" + i));
        }
        ledger.remove(id("r5"));
        expected.remove(id("r5"));
        assertEquals(List.copyOf(expected), ledger.inOrder(), "more edits than are worth a search each");
        assertEquals(expected.size(), ledger.size());
    }
}
