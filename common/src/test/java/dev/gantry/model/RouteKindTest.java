package dev.gantry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatusBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route-kind table: every kind reads and writes its own fields, and the table and the informer kinds agree. */
class RouteKindTest {

    @Test
    void theTableHoldsTheInformersRouteKindsInPrecedenceOrder() {
        assertEquals(Kinds.ROUTES, RouteKind.ALL.stream().map(RouteKind::kind).toList());
        for (RouteKind<?> kind : RouteKind.ALL) {
            assertSame(kind, RouteKind.of(kind.kind()).orElseThrow());
        }
        assertTrue(RouteKind.of(Kinds.GATEWAY).isEmpty());
        assertTrue(RouteKind.of(new ServiceBuilder().build()).isEmpty());
    }

    @Test
    void eachKindReadsAndWritesItsOwnFields() throws ReflectiveOperationException {
        ParentReference parent = new ParentReferenceBuilder().withName("gw").build();
        RouteParentStatus entry = new RouteParentStatusBuilder()
                .withControllerName("gantry.dev/gateway-controller")
                .withParentRef(parent)
                .build();
        for (RouteKind<?> kind : RouteKind.ALL) {
            HasMetadata route = kind.kind().type().getDeclaredConstructor().newInstance();
            assertSame(kind, RouteKind.ofRoute(route));
            assertEquals(List.of(), kind.parentRefsOf(route), kind + " without spec");
            assertNull(kind.parentsOf(route));

            kind.setStatusOf(route, kind.newStatus().apply(List.of(entry)));
            assertEquals(List.of(entry), kind.parentsOf(route));
            kind.setStatusOf(route, null);
            assertNull(kind.parentsOf(route));
            assertEquals(List.of(), kind.hostnamesOf(route), kind + " without spec");
        }
    }
}
