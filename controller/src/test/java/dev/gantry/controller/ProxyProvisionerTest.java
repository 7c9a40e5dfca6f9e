package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
import dev.gantry.testing.Conditions;
import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalParametersReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyProvisionerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Map<String, String> SHARDS_OF_TWO =
            Map.of("SHARD_COUNT", "2", "SHARD_STATEFULSET", "gantry-xds-shard", "SHARD_SERVICE", "gantry-xds-shards");
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = new ControllerHarness();
        harness.namespace("apps", Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private static Gateway gateway(String name, Map<String, String> infraLabels) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom("All")
                .endNamespaces()
                .endAllowedListeners()
                .withNewInfrastructure()
                .withLabels(infraLabels)
                .withAnnotations(Map.of("example.com/owner", "edge"))
                .endInfrastructure()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .addNewListener()
                .withName("db")
                .withPort(9000)
                .withProtocol("TCP")
                .endListener()
                .endSpec()
                .build();
    }

    private Service service(String name) {
        return harness.client.services().inNamespace("apps").withName(name).get();
    }

    private Set<Integer> servicePorts(String name) {
        Service service = service(name);
        Set<Integer> ports = new TreeSet<>();
        if (service != null) {
            service.getSpec().getPorts().forEach(p -> ports.add(p.getPort()));
        }
        return ports;
    }

    private String bootstrap(String gateway) {
        ConfigMap map = harness.client
                .configMaps()
                .inNamespace("apps")
                .withName("gantry-" + gateway)
                .get();
        return map == null ? "" : map.getData().get("bootstrap.yaml");
    }

    @Test
    void provisionsRepairsAndRemovesAGatewaysFleet() {
        harness.startController("c1", SHARDS_OF_TWO);
        harness.apply(gateway("edge", Map.of("team", "edge")));
        Eventually.await(
                TIMEOUT,
                "all four proxy objects",
                () -> service("gantry-edge") != null
                        && harness.client
                                        .apps()
                                        .deployments()
                                        .inNamespace("apps")
                                        .withName("gantry-edge")
                                        .get()
                                != null
                        && harness.client
                                        .serviceAccounts()
                                        .inNamespace("apps")
                                        .withName("gantry-edge")
                                        .get()
                                != null
                        && !bootstrap("edge").isEmpty());
        int owner = ShardHash.shardOf(new ObjectKey("apps", "edge"), 2);
        String bootstrap = bootstrap("edge");
        assertTrue(
                bootstrap.contains("gantry-xds-shard-" + owner + ".gantry-xds-shards.gantry-system.svc.cluster.local"),
                bootstrap);
        assertTrue(bootstrap.contains("port_value: 18000"), bootstrap);
        assertTrue(bootstrap.contains("gantry.dev/gateway: \"apps/edge\""), bootstrap);
        assertEquals(Set.of(80, 9000), servicePorts("gantry-edge"));
        // The proxies authenticate with the Gateway's credential, mounted from its Secret, through file-based SDS.
        ConfigMap config = harness.client
                .configMaps()
                .inNamespace("apps")
                .withName("gantry-edge")
                .get();
        assertEquals(
                Set.of("bootstrap.yaml", EnvoyBootstrap.SDS_CERTIFICATE, EnvoyBootstrap.SDS_VALIDATION),
                config.getData().keySet());
        assertTrue(bootstrap.contains("UpstreamTlsContext"), bootstrap);
        var pod = harness.client
                .apps()
                .deployments()
                .inNamespace("apps")
                .withName("gantry-edge")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec();
        var credential = pod.getVolumes().stream()
                .filter(v -> v.getSecret() != null)
                .findFirst()
                .orElseThrow();
        assertEquals("gantry-edge-xds", credential.getSecret().getSecretName());
        assertEquals(0440, credential.getSecret().getDefaultMode());
        assertEquals(101L, pod.getSecurityContext().getFsGroup());
        assertTrue(pod.getContainers().getFirst().getVolumeMounts().stream()
                .anyMatch(m -> m.getName().equals(credential.getName())
                        && m.getMountPath().equals("/etc/gantry/xds")
                        && m.getReadOnly()));
        Eventually.await(
                TIMEOUT,
                "the credential Secret the pods mount",
                () -> harness.client
                                .secrets()
                                .inNamespace("apps")
                                .withName("gantry-edge-xds")
                                .get()
                        != null);

        Gateway gw = harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("edge")
                .get();
        Deployment deployment = harness.client
                .apps()
                .deployments()
                .inNamespace("apps")
                .withName("gantry-edge")
                .get();
        ServiceAccount account = harness.client
                .serviceAccounts()
                .inNamespace("apps")
                .withName("gantry-edge")
                .get();
        for (var object : List.of(deployment, account, service("gantry-edge"))) {
            assertEquals(
                    gw.getMetadata().getUid(),
                    object.getMetadata().getOwnerReferences().getFirst().getUid());
            assertEquals("edge", object.getMetadata().getLabels().get("team"));
            assertEquals("edge", object.getMetadata().getLabels().get("gateway.networking.k8s.io/gateway-name"));
            assertEquals("edge", object.getMetadata().getAnnotations().get("example.com/owner"));
        }
        assertEquals(
                "edge",
                deployment.getSpec().getTemplate().getMetadata().getLabels().get("team"));
        assertEquals(2, deployment.getSpec().getReplicas());
        assertEquals(
                "IfNotPresent",
                deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getImagePullPolicy());

        Eventually.await(TIMEOUT, "Gateway Programmed with the proxy Service's DNS name as address", () -> {
            Gateway current = harness.client
                    .resources(Gateway.class)
                    .inNamespace("apps")
                    .withName("edge")
                    .get();
            return current.getStatus() != null
                    && Conditions.has(current.getStatus().getConditions(), "Programmed", "True", "Programmed", null)
                    && current.getStatus().getAddresses().size() == 1
                    && "Hostname"
                            .equals(current.getStatus()
                                    .getAddresses()
                                    .getFirst()
                                    .getType())
                    && "gantry-edge.apps.svc.cluster.local"
                            .equals(current.getStatus()
                                    .getAddresses()
                                    .getFirst()
                                    .getValue());
        });

        // A ListenerSet bringing a new port adds it to the Service.
        harness.apply(new ListenerSetBuilder()
                .withNewMetadata()
                .withName("extra")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName("edge")
                .endParentRef()
                .addNewListener()
                .withName("alt")
                .withPort(8080)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build());
        Eventually.await(
                TIMEOUT,
                "port 8080 on the Service",
                () -> servicePorts("gantry-edge").equals(Set.of(80, 8080, 9000)),
                () -> servicePorts("gantry-edge").toString());
        harness.client
                .resources(ListenerSet.class)
                .inNamespace("apps")
                .withName("extra")
                .delete();
        Eventually.await(
                TIMEOUT,
                "port 8080 gone again",
                () -> servicePorts("gantry-edge").equals(Set.of(80, 9000)));

        // Hand edits are put back; a deleted object comes back.
        Deployment edited = harness.client
                .apps()
                .deployments()
                .inNamespace("apps")
                .withName("gantry-edge")
                .get();
        edited.getSpec().setReplicas(7);
        harness.client.resource(edited).update();
        Service trimmed = service("gantry-edge");
        trimmed.getSpec()
                .setPorts(new ArrayList<>(List.of(trimmed.getSpec().getPorts().getFirst())));
        harness.client.resource(trimmed).update();
        harness.client.configMaps().inNamespace("apps").withName("gantry-edge").delete();
        Eventually.await(
                TIMEOUT,
                "replicas, ports and bootstrap restored",
                () -> harness.client
                                        .apps()
                                        .deployments()
                                        .inNamespace("apps")
                                        .withName("gantry-edge")
                                        .get()
                                        .getSpec()
                                        .getReplicas()
                                == 2
                        && servicePorts("gantry-edge").equals(Set.of(80, 9000))
                        && !bootstrap("edge").isEmpty());

        // Deleting the Gateway removes its fleet.
        harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("edge")
                .delete();
        Eventually.await(
                TIMEOUT,
                "proxy objects deleted",
                () -> service("gantry-edge") == null
                        && harness.client
                                        .apps()
                                        .deployments()
                                        .inNamespace("apps")
                                        .withName("gantry-edge")
                                        .get()
                                == null
                        && harness.client
                                        .serviceAccounts()
                                        .inNamespace("apps")
                                        .withName("gantry-edge")
                                        .get()
                                == null
                        && bootstrap("edge").isEmpty());
    }

    @Test
    void parametersOverrideDefaultsAndBadOnesAreReported() {
        harness.startController("c1", SHARDS_OF_TWO);
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("big")
                .withNamespace("apps")
                .endMetadata()
                .withData(Map.of(
                        "replicas",
                        "3",
                        "serviceType",
                        "ClusterIP",
                        "podLabels",
                        "tier: gold",
                        "image",
                        "registry.example.com/envoy:custom"))
                .build());
        Gateway withParameters = gateway("tuned", Map.of());
        withParameters
                .getSpec()
                .getInfrastructure()
                .setParametersRef(new LocalParametersReference("", "ConfigMap", "big"));
        harness.apply(withParameters);
        Eventually.await(TIMEOUT, "Deployment with the parameters' replicas, image and labels", () -> {
            Deployment d = harness.client
                    .apps()
                    .deployments()
                    .inNamespace("apps")
                    .withName("gantry-tuned")
                    .get();
            return d != null
                    && d.getSpec().getReplicas() == 3
                    && "gold"
                            .equals(d.getSpec()
                                    .getTemplate()
                                    .getMetadata()
                                    .getLabels()
                                    .get("tier"))
                    && "registry.example.com/envoy:custom"
                            .equals(d.getSpec()
                                    .getTemplate()
                                    .getSpec()
                                    .getContainers()
                                    .getFirst()
                                    .getImage())
                    && service("gantry-tuned") != null
                    && "ClusterIP".equals(service("gantry-tuned").getSpec().getType());
        });

        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("big")
                .withNamespace("apps")
                .endMetadata()
                .withData(Map.of("replicas", "lots"))
                .build());
        Eventually.await(TIMEOUT, "Accepted=False/InvalidParameters naming the bad value", () -> {
            Gateway current = harness.client
                    .resources(Gateway.class)
                    .inNamespace("apps")
                    .withName("tuned")
                    .get();
            var accepted = current.getStatus() == null
                    ? null
                    : Conditions.find(current.getStatus().getConditions(), "Accepted");
            return accepted != null
                    && "False".equals(accepted.getStatus())
                    && "InvalidParameters".equals(accepted.getReason())
                    && accepted.getMessage().contains("lots");
        });
        assertEquals(
                3,
                harness.client
                        .apps()
                        .deployments()
                        .inNamespace("apps")
                        .withName("gantry-tuned")
                        .get()
                        .getSpec()
                        .getReplicas(),
                "invalid parameters leave the fleet as it was");
    }

    @Test
    void aForeignObjectWithTheProxyNameIsLeftAlone() {
        harness.apply(new ServiceBuilder()
                .withNewMetadata()
                .withName("gantry-taken")
                .withNamespace("apps")
                .addToLabels("owner", "someone-else")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("web")
                .withPort(1234)
                .endPort()
                .endSpec()
                .build());
        harness.startController("c1", SHARDS_OF_TWO);
        harness.apply(gateway("taken", Map.of()));
        Eventually.await(
                TIMEOUT,
                "an Event about the conflict",
                () -> harness.client.v1().events().inNamespace("apps").list().getItems().stream()
                        .anyMatch(e -> "ProvisioningConflict".equals(e.getReason())));
        Eventually.await(TIMEOUT, "Programmed=False/AddressNotAssigned", () -> {
            Gateway current = harness.client
                    .resources(Gateway.class)
                    .inNamespace("apps")
                    .withName("taken")
                    .get();
            return current.getStatus() != null
                    && Conditions.has(
                            current.getStatus().getConditions(), "Programmed", "False", "AddressNotAssigned", null);
        });
        Service untouched = service("gantry-taken");
        assertEquals("someone-else", untouched.getMetadata().getLabels().get("owner"));
        assertEquals(
                List.of(1234),
                untouched.getSpec().getPorts().stream()
                        .map(ServicePort::getPort)
                        .toList());
        assertTrue(
                harness.client
                                .apps()
                                .deployments()
                                .inNamespace("apps")
                                .withName("gantry-taken")
                                .get()
                        != null,
                "the other objects are still provisioned");
        List<Event> events =
                harness.client.v1().events().inNamespace("apps").list().getItems();
        assertEquals(
                1,
                events.stream()
                        .filter(e -> "ProvisioningConflict".equals(e.getReason()))
                        .count());
    }

    @Test
    void changingTheShardCountRewritesOnlyTheBootstrapsOfMovedGateways() throws Exception {
        Controller first = harness.startController("c1", SHARDS_OF_TWO);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add("gw-" + i);
            harness.apply(gateway("gw-" + i, Map.of()));
        }
        Eventually.await(
                TIMEOUT,
                "20 bootstraps",
                () -> names.stream().noneMatch(n -> bootstrap(n).isEmpty()));
        Map<String, String> before = new HashMap<>();
        Map<String, String> hashesBefore = new HashMap<>();
        for (String name : names) {
            before.put(name, bootstrap(name));
            hashesBefore.put(name, podHash(name));
        }
        first.close();

        Map<String, String> three = new HashMap<>(SHARDS_OF_TWO);
        three.put("SHARD_COUNT", "3");
        harness.startController("c2", three);
        List<String> moved = names.stream()
                .filter(n -> ShardHash.shardOf(new ObjectKey("apps", n), 2)
                        != ShardHash.shardOf(new ObjectKey("apps", n), 3))
                .toList();
        assertTrue(!moved.isEmpty() && moved.size() < names.size(), "some but not all Gateways move: " + moved);
        Eventually.await(
                TIMEOUT,
                "moved Gateways point at their new owner",
                () -> moved.stream()
                        .allMatch(n -> bootstrap(n)
                                .contains("gantry-xds-shard-" + ShardHash.shardOf(new ObjectKey("apps", n), 3) + ".")));
        Thread.sleep(500); // give a wrong rewrite of the others time to happen
        for (String name : names) {
            if (moved.contains(name)) {
                assertNotEquals(hashesBefore.get(name), podHash(name), name + " rolls to its new owner");
            } else {
                assertEquals(before.get(name), bootstrap(name), name + " keeps its bootstrap");
                assertEquals(hashesBefore.get(name), podHash(name), name + " does not roll");
            }
        }
    }

    private String podHash(String gateway) {
        Deployment d = harness.client
                .apps()
                .deployments()
                .inNamespace("apps")
                .withName("gantry-" + gateway)
                .get();
        return d.getSpec().getTemplate().getMetadata().getAnnotations().get(ProxyObjects.BOOTSTRAP_HASH);
    }
}
