package dev.gantry.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.view.Change;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InformerFeedTest {

    private InMemoryKubernetesApi api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = InMemoryKubernetesApi.start(0);
        client = api.newClient("test");
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("team")
                        .endMetadata()
                        .build())
                .create();
        client.resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("lb")
                        .withNamespace("team")
                        .endMetadata()
                        .withNewSpec()
                        .withType("LoadBalancer")
                        .endSpec()
                        .withNewStatus()
                        .withNewLoadBalancer()
                        .addNewIngress()
                        .withIp("192.0.2.10")
                        .endIngress()
                        .endLoadBalancer()
                        .endStatus()
                        .build())
                .create();
        HTTPRoute route = client.resource(new HTTPRouteBuilder()
                        .withNewMetadata()
                        .withName("r")
                        .withNamespace("team")
                        .addToAnnotations(StrippingItemStore.LAST_APPLIED, "{}")
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withName("gw")
                        .endParentRef()
                        .endSpec()
                        .build())
                .create();
        route.setStatus(new HTTPRouteStatusBuilder()
                .addNewParent()
                .withControllerName("gantry.dev/gateway-controller")
                .withNewParentRef()
                .withName("gw")
                .endParentRef()
                .addToConditions(new ConditionBuilder()
                        .withType("Accepted")
                        .withStatus("True")
                        .withReason("Accepted")
                        .withMessage("")
                        .withLastTransitionTime("2026-01-01T00:00:00Z")
                        .withObservedGeneration(1L)
                        .build())
                .endParent()
                .build());
        client.resource(route).updateStatus();
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private Map<Kind<?>, HasMetadata> feed(boolean dropGatewayApiStatus) throws Exception {
        Map<Kind<?>, HasMetadata> seen = new ConcurrentHashMap<>();
        try (KubernetesClient reader = api.newClient("reader");
                InformerFeed feed = new InformerFeed(
                        reader,
                        List.of(Kinds.HTTP_ROUTE, Kinds.SERVICE),
                        (Change change) -> seen.put(change.kind(), change.current()),
                        dropGatewayApiStatus)) {
            feed.start();
            feed.synced().get(30, TimeUnit.SECONDS);
        }
        return seen;
    }

    @Test
    void aShardsFeedKeepsNoGatewayApiStatusButKeepsAServicesAndStripsLastApplied() throws Exception {
        Map<Kind<?>, HasMetadata> seen = feed(true);
        HTTPRoute route = (HTTPRoute) seen.get(Kinds.HTTP_ROUTE);
        assertNull(route.getStatus(), "a shard holds no route status");
        assertNull(route.getMetadata().getAnnotations().get(StrippingItemStore.LAST_APPLIED));
        Service service = (Service) seen.get(Kinds.SERVICE);
        assertEquals(
                "192.0.2.10",
                service.getStatus().getLoadBalancer().getIngress().getFirst().getIp(),
                "translation reads a Service's load-balancer status");
    }

    @Test
    void theControllersFeedKeepsStatus() throws Exception {
        Map<Kind<?>, HasMetadata> seen = feed(false);
        HTTPRoute route = (HTTPRoute) seen.get(Kinds.HTTP_ROUTE);
        assertNotNull(route.getStatus(), "the controller compares what it writes with the route's status");
        assertEquals(
                "Accepted",
                route.getStatus()
                        .getParents()
                        .getFirst()
                        .getConditions()
                        .getFirst()
                        .getType());
    }
}
