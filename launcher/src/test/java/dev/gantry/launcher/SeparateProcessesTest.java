package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import dev.gantry.testing.Conditions;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane as separate processes, as on a cluster: {@code standalone --api-only} serves the in-memory API and
 * writes a kubeconfig; a controller and two xds-shards run as JVMs of their own against it, and a proxy gets its
 * Gateway's configuration from the shard that owns it.
 */
class SeparateProcessesTest {

    private static final ObjectKey SHARED = new ObjectKey("infra", "shared");

    @TempDir
    static Path directory;

    private static ProcessCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        cluster = new ProcessCluster(directory, 2, Path.of("..", "examples"));
        cluster.startController("controller-a").startShard(0).startShard(1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theKubeconfigNamesTheApiAndItsNamespace() throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(cluster.api().kubeconfig()));
        assertEquals(cluster.api().api().url() + "/", config.getMasterUrl());
        assertEquals(Standalone.NAMESPACE, config.getNamespace());
        assertEquals(List.of(), cluster.api().problems(), "the examples apply");
    }

    @Test
    void theControllerProcessAcceptsTheClassAndProgramsTheGateways() {
        Eventually.await(
                ProcessCluster.TIMEOUT,
                "the controller process to create and accept the default GatewayClass",
                () -> {
                    GatewayClass gatewayClass = cluster.client()
                            .resources(GatewayClass.class)
                            .withName("gantry")
                            .get();
                    return gatewayClass != null
                            && gatewayClass.getStatus() != null
                            && Conditions.has(gatewayClass.getStatus().getConditions(), "Accepted", "True", null, null);
                },
                cluster::logs);
        Eventually.await(
                ProcessCluster.TIMEOUT,
                "the example Gateway infra/shared to be Programmed",
                () -> {
                    Gateway gateway = cluster.client()
                            .resources(Gateway.class)
                            .inNamespace(SHARED.namespace())
                            .withName(SHARED.name())
                            .get();
                    return gateway != null
                            && gateway.getStatus() != null
                            && Conditions.has(gateway.getStatus().getConditions(), "Programmed", "True", null, null);
                },
                cluster::logs);
    }

    @Test
    void everyShardProcessTurnsReadyAndServesTheGatewaysItOwns() {
        cluster.awaitReady(ProcessCluster.shardName(0));
        cluster.awaitReady(ProcessCluster.shardName(1));
        try (AdsClient ads = cluster.connectProxy(SHARED, "proxy-infra-shared", AdsClient.Protocol.DELTA)) {
            Eventually.await(
                    ProcessCluster.TIMEOUT,
                    "a proxy of infra/shared to get its listeners from shard " + cluster.ownerOf(SHARED),
                    () -> ads.names(AdsClient.LISTENER).equals(Set.of("tcp-8080", "tcp-8443")) && ads.warm(),
                    () -> ads.names() + cluster.logs());
            assertTrue(ads.names(AdsClient.CLUSTER).size() > 0, ads.names().toString());
        }
    }
}
