package dev.gantry.view;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusOnlyChangesTest {

    private static final HTTPRoute ROUTE = new HTTPRouteBuilder()
            .withNewMetadata()
            .withName("r")
            .withNamespace("a")
            .withResourceVersion("1")
            .withGeneration(1L)
            .withLabels(Map.of("team", "a"))
            .endMetadata()
            .withNewSpec()
            .addNewParentRef()
            .withName("gw")
            .endParentRef()
            .addNewRule()
            .addNewBackendRef()
            .withName("app")
            .withPort(80)
            .endBackendRef()
            .endRule()
            .endSpec()
            .build();

    @Test
    void aNewStatusAndResourceVersionIsStatusOnly() {
        HTTPRoute after = copy(ROUTE);
        after.getMetadata().setResourceVersion("2");
        after.setStatus(new HTTPRouteStatusBuilder()
                .addNewParent()
                .withControllerName("gantry.dev/gateway-controller")
                .withNewParentRef()
                .withName("gw")
                .endParentRef()
                .addToConditions(new ConditionBuilder()
                        .withType("Accepted")
                        .withStatus("True")
                        .build())
                .endParent()
                .build());
        assertTrue(StatusOnlyChanges.statusOnly(update(ROUTE, after)));
    }

    @Test
    void specLabelAnnotationAndDeletionChangesAreNot() {
        HTTPRoute spec = copy(ROUTE);
        spec.getSpec().getRules().getFirst().getBackendRefs().getFirst().setPort(81);
        HTTPRoute labels = copy(ROUTE);
        labels.getMetadata().setLabels(Map.of("team", "b"));
        HTTPRoute annotations = copy(ROUTE);
        annotations.getMetadata().setAnnotations(Map.of("x", "y"));
        HTTPRoute deleting = copy(ROUTE);
        deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        for (HTTPRoute after : new HTTPRoute[] {spec, labels, annotations, deleting}) {
            assertFalse(
                    StatusOnlyChanges.statusOnly(update(ROUTE, after)),
                    after.getMetadata().toString());
        }
        assertFalse(StatusOnlyChanges.statusOnly(new Change(Kinds.HTTP_ROUTE, ObjectKey.of(ROUTE), null, ROUTE)));
        assertFalse(StatusOnlyChanges.statusOnly(new Change(Kinds.HTTP_ROUTE, ObjectKey.of(ROUTE), ROUTE, null)));
    }

    @Test
    void aServiceStatusCountsBecauseTranslationReadsItsAddresses() {
        Service before = new ServiceBuilder()
                .withNewMetadata()
                .withName("proxy")
                .withNamespace("a")
                .endMetadata()
                .withNewSpec()
                .endSpec()
                .build();
        Service after = copy(before);
        after.setStatus(new ServiceStatusBuilder()
                .withNewLoadBalancer()
                .withIngress(
                        new LoadBalancerIngressBuilder().withIp("192.0.2.1").build())
                .endLoadBalancer()
                .build());
        assertFalse(StatusOnlyChanges.statusOnly(new Change(Kinds.SERVICE, ObjectKey.of(before), before, after)));
    }

    private static Change update(HasMetadata before, HasMetadata after) {
        return new Change(Kinds.HTTP_ROUTE, ObjectKey.of(before), before, after);
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T copy(T object) {
        return (T) Serialization.unmarshal(Serialization.asJson(object), object.getClass());
    }
}
