package dev.gantry.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryKubernetesApiTest {

    private InMemoryKubernetesApi api;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        api = InMemoryKubernetesApi.start(0);
        client = api.newClient("test");
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    private GatewayClass createClass() {
        return client.resource(new GatewayClassBuilder()
                        .withNewMetadata()
                        .withName("gc")
                        .endMetadata()
                        .withNewSpec()
                        .withControllerName("example.com/c")
                        .endSpec()
                        .build())
                .create();
    }

    @Test
    void objectsSharingANameAreFoundByTypeNamespaceAndName() {
        assertTrue(api.indexed(), "the in-memory API's objects are indexed");
        for (String ns : List.of("a", "b", "c")) {
            client.resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
            client.resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("same")
                            .withNamespace(ns)
                            .endMetadata()
                            .addToData("ns", ns)
                            .build())
                    .create();
            client.resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("same")
                            .withNamespace(ns)
                            .endMetadata()
                            .addToStringData("ns", ns)
                            .build())
                    .create();
        }
        KubernetesClientException duplicate = assertThrows(
                KubernetesClientException.class,
                () -> client.resource(new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName("same")
                                .withNamespace("b")
                                .endMetadata()
                                .build())
                        .create());
        assertEquals(409, duplicate.getCode());

        var b = client.configMaps().inNamespace("b").withName("same");
        b.edit(cm -> {
            cm.getData().put("edited", "yes");
            return cm;
        });
        assertEquals("yes", b.get().getData().get("edited"));
        for (String ns : List.of("a", "c")) {
            assertEquals(
                    Map.of("ns", ns),
                    client.configMaps().inNamespace(ns).withName("same").get().getData());
        }
        assertEquals(3, client.secrets().inAnyNamespace().list().getItems().size());

        b.delete();
        assertEquals(null, b.get());
        client.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("same")
                        .withNamespace("b")
                        .endMetadata()
                        .addToData("ns", "again")
                        .build())
                .create();
        assertEquals(Map.of("ns", "again"), b.get().getData());
        assertEquals(
                3,
                client.configMaps().inAnyNamespace().list().getItems().stream()
                        .filter(cm -> cm.getMetadata().getName().equals("same"))
                        .count());
    }

    @Test
    void statusSubresourceKeepsGenerationAndSpec() {
        GatewayClass created = createClass();
        created.setStatus(new GatewayClassStatus());
        created.getStatus()
                .setConditions(List.of(new ConditionBuilder()
                        .withType("Accepted")
                        .withStatus("True")
                        .withReason("Accepted")
                        .withMessage("")
                        .withLastTransitionTime("2026-01-01T00:00:00Z")
                        .withObservedGeneration(1L)
                        .build()));
        GatewayClass updated = client.resource(created).updateStatus();
        assertEquals(
                created.getMetadata().getGeneration(), updated.getMetadata().getGeneration());
        assertNotEquals(
                created.getMetadata().getResourceVersion(),
                updated.getMetadata().getResourceVersion());
        assertEquals(
                "True",
                client.resource(created)
                        .get()
                        .getStatus()
                        .getConditions()
                        .getFirst()
                        .getStatus());
    }

    @Test
    void staleStatusUpdateIsRejectedWithConflict() {
        GatewayClass created = createClass();
        GatewayClass edited = client.resource(created).get();
        edited.getSpec().setDescription("changed");
        client.resource(edited).update();
        created.setStatus(new GatewayClassStatus());
        KubernetesClientException error = assertThrows(
                KubernetesClientException.class, () -> client.resource(created).updateStatus());
        assertEquals(409, error.getCode());
    }

    @Test
    void injectedFaultsAnswerAndExpire() {
        createClass();
        api.injectFault("GET", "/gatewayclasses/gc$", 403, 1);
        KubernetesClientException error = assertThrows(
                KubernetesClientException.class,
                () -> client.resources(GatewayClass.class).withName("gc").get());
        assertEquals(403, error.getCode());
        assertEquals(
                "gc",
                client.resources(GatewayClass.class)
                        .withName("gc")
                        .get()
                        .getMetadata()
                        .getName());
        assertTrue(api.requestLog().stream()
                .anyMatch(c -> c.code() == 403 && c.userAgent().equals("test")));
    }

    @Test
    void namespacesCarryTheirNameLabelAsOnARealApiServer() {
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("team-a")
                        .addToLabels("team", "a")
                        .endMetadata()
                        .build())
                .create();
        Namespace created = client.namespaces().withName("team-a").get();
        assertEquals(
                Map.of("team", "a", "kubernetes.io/metadata.name", "team-a"),
                created.getMetadata().getLabels());
        created.getMetadata().setLabels(Map.of("team", "b"));
        client.resource(created).update();
        assertEquals(
                Map.of("team", "b", "kubernetes.io/metadata.name", "team-a"),
                client.namespaces().withName("team-a").get().getMetadata().getLabels());
    }

    @Test
    void discoveryListsGatewayApiResources() {
        var resources = client.getApiResources("gateway.networking.k8s.io/v1");
        assertTrue(resources.getResources().stream().anyMatch(r -> r.getName().equals("listenersets")));
        assertTrue(resources.getResources().stream().anyMatch(r -> r.getName().equals("gateways/status")));
        assertTrue(client.getApiGroups().getGroups().stream()
                .anyMatch(g -> g.getName().equals("gateway.networking.k8s.io")));
    }

    @Test
    void busyPortIsReportedClearly() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var error = assertThrows(
                    InMemoryKubernetesApi.PortInUseException.class,
                    () -> InMemoryKubernetesApi.start(taken.getLocalPort()));
            assertTrue(error.getMessage().contains(String.valueOf(taken.getLocalPort())));
        }
    }
}
