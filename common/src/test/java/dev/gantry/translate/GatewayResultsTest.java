package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gantry.ir.GatewayIr;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the engine hands out: IR lists reused while unchanged, statuses worked out from the routes placed. */
class GatewayResultsTest {

    private static final ObjectKey GATEWAY = new ObjectKey("infra", "gw");
    private static final String CONTROLLER = TranslatorConfig.defaults().controllerName();

    private final ClusterStore view = ClusterStore.of(List.of(
            new GatewayClassBuilder()
                    .withNewMetadata()
                    .withName("gantry")
                    .endMetadata()
                    .withNewSpec()
                    .withControllerName(CONTROLLER)
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
                    .build(),
            new ServiceBuilder()
                    .withNewMetadata()
                    .withName("app")
                    .withNamespace("infra")
                    .endMetadata()
                    .withNewSpec()
                    .addNewPort()
                    .withPort(80)
                    .endPort()
                    .addNewPort()
                    .withPort(9000)
                    .endPort()
                    .endSpec()
                    .build()));
    private final GatewayPlan plan = GatewayPlanner.plan(view, GATEWAY, TranslatorConfig.defaults());
    private final ReadLedger reads = new ReadLedger();
    private final RouteLedger routes = new RouteLedger(reads);
    private final ClusterLedger clusters = new ClusterLedger(reads);
    private final GatewayResults results = new GatewayResults(GATEWAY, CONTROLLER, routes, clusters);

    private static HasMetadata httpRoute(String name) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("infra")
                .withGeneration(1L)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withSectionName("http")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("app")
                .withPort(80)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    private static HasMetadata tcpRoute(String name, String created) {
        return new TCPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("infra")
                .withCreationTimestamp(created)
                .withGeneration(1L)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withSectionName("tcp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("app")
                .withPort(9000)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    private static RouteId id(HasMetadata route) {
        return new RouteId(route instanceof HTTPRoute ? Kinds.HTTP_ROUTE : Kinds.TCP_ROUTE, ObjectKey.of(route));
    }

    /** Translates a route and places it, as the engine does. */
    private void place(HasMetadata route) {
        BackendResolver backends = new BackendResolver(view);
        RouteRules rules = route instanceof HTTPRoute http
                ? new HttpRouteTranslator(backends).translate(http)
                : new L4RouteTranslator(backends).translate(route);
        RouteAttachment.Result attached = RouteAttachment.attach(
                view,
                new RouteAttacher(plan.owners()),
                id(route),
                route,
                new ParentKey[] {GatewayPlanner.gatewayParent(GATEWAY)},
                rules,
                CONTROLLER);
        RouteResult result = new RouteResult(
                rules,
                attached.parents(),
                attached.placed(),
                List.of(),
                List.of(),
                Set.of(),
                attached.oneRouteListeners());
        routes.place(id(route), result);
        result.placed().forEach(placed -> results.placementsChanged(placed.listener()));
    }

    private void installEveryUnit() {
        plan.units()
                .members()
                .forEach((unit, members) -> results.install(UnitAssembler.assemble(
                        unit, members, routes::placementsOn, plan.units().httpsClaims())));
    }

    private static ConditionIr served(List<GatewayTranslation.RouteParent> parents) {
        return parents.getFirst().status().conditions().stream()
                .filter(c -> c.type().equals(L4RouteServing.SERVED))
                .findFirst()
                .orElse(null);
    }

    @Test
    void theIrListsStayTheSameInstancesUntilTheirContentChanges() {
        results.reset(plan);
        installEveryUnit();
        GatewayIr first = results.ir();
        assertSame(first, results.ir());
        installEveryUnit();
        assertSame(first, results.ir(), "units installed again as they were change nothing");

        place(httpRoute("web"));
        installEveryUnit();
        GatewayIr second = results.ir();
        assertNotSame(first, second);
        assertNotSame(first.routeTables(), second.routeTables(), "the HTTP listener's table holds the route");
        assertSame(first.ports(), second.ports());
        assertSame(first.secrets(), second.secrets());
    }

    @Test
    void aListenerCountsTheRoutesPlacedOnItOnceToldTheyChanged() {
        results.reset(plan);
        assertEquals(List.of(0, 0), attachedRoutes());
        place(httpRoute("a"));
        place(httpRoute("b"));
        place(tcpRoute("c", "2024-01-01T00:00:00Z"));
        assertEquals(List.of(2, 1), attachedRoutes());
    }

    private List<Integer> attachedRoutes() {
        return results.gatewayStatus().listeners().stream()
                .map(ListenerStatusIr::attachedRoutes)
                .toList();
    }

    @Test
    void routeParentsAreListedInRouteOrderAndANewerTcpRouteSaysItIsNotServed() {
        results.reset(plan);
        HasMetadata older = tcpRoute("b-older", "2024-01-01T00:00:00Z");
        HasMetadata newer = tcpRoute("a-newer", "2024-06-01T00:00:00Z");
        place(older);
        place(newer);
        GatewayTranslation snapshot = results.snapshot();
        assertEquals(
                List.of(ObjectKey.of(newer), ObjectKey.of(older)),
                snapshot.routeParents().stream()
                        .map(GatewayTranslation.RouteParent::route)
                        .toList());
        assertEquals(
                L4RouteServing.OLDER_ROUTE_SERVED,
                served(results.routeParents(id(newer))).reason());
        assertNull(served(results.routeParents(id(older))));
        assertSame(snapshot, results.snapshot(), "kept until something changes");

        routes.remove(id(older));
        results.changed();
        assertEquals(1, results.snapshot().routeParents().size());
        assertNull(served(results.routeParents(id(newer))), "the newer route is served once the older is gone");
        assertEquals(List.of(), results.routeParents(id(older)));
    }

    @Test
    void aGatewayThatIsNotOursHasNoSnapshotAndAnEmptyIr() {
        results.reset(GatewayPlan.NOT_OURS);
        assertNull(results.snapshot());
        assertEquals(GatewayIr.empty(GATEWAY), results.ir());
    }
}
