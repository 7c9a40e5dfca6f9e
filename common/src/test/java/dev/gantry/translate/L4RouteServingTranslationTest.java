package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule of {@link L4RouteServing} on a full translation: the oldest TCP route is served, the others say so. */
class L4RouteServingTranslationTest {

    private static HasMetadata tcpRoute(String name, String created) {
        return new TCPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
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
                .withName("backend")
                .withPort(9000)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    private static ConditionIr served(ClusterTranslation translation, String route) {
        ObjectStatusIr.RouteStatus status = (ObjectStatusIr.RouteStatus)
                translation.statuses().get(new StatusKey(Kinds.TCP_ROUTE, new ObjectKey("apps", route)));
        assertNotNull(status, route);
        return status.parents().getFirst().conditions().stream()
                .filter(c -> c.type().equals(L4RouteServing.SERVED))
                .findFirst()
                .orElse(null);
    }

    @Test
    void theOldestRouteIsServedWhateverItsName() {
        List<HasMetadata> objects = new ArrayList<>(List.of(
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
                        .withNamespace("apps")
                        .withGeneration(1L)
                        .endMetadata()
                        .withNewSpec()
                        .withGatewayClassName("gantry")
                        .addNewListener()
                        .withName("tcp")
                        .withPort(9000)
                        .withProtocol("TCP")
                        .endListener()
                        .endSpec()
                        .build(),
                new ServiceBuilder()
                        .withNewMetadata()
                        .withName("backend")
                        .withNamespace("apps")
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withPort(9000)
                        .endPort()
                        .endSpec()
                        .build(),
                tcpRoute("a-newer", "2026-01-02T00:00:00Z"),
                tcpRoute("b-older", "2026-01-01T00:00:00Z"),
                tcpRoute("c-newest", "2026-01-03T00:00:00Z")));
        ClusterTranslation translation =
                new GatewayApiTranslator(TranslatorConfig.defaults()).translateAll(ClusterStore.of(objects));

        assertNull(served(translation, "b-older"));
        for (String shadowed : List.of("a-newer", "c-newest")) {
            ConditionIr condition = served(translation, shadowed);
            assertNotNull(condition, shadowed);
            assertEquals("False", condition.status());
            assertEquals(L4RouteServing.OLDER_ROUTE_SERVED, condition.reason());
        }
    }
}
