package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import dev.gantry.sharding.ShardHash;
import dev.gantry.testing.Conditions;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import dev.gantry.xds.client.ClientCredentials;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane as separate processes, as on a cluster: {@code standalone --api-only} serves the in-memory API and
 * writes a kubeconfig; a controller and two xds-shards run as JVMs of their own against that kubeconfig, and a proxy
 * gets its Gateway's configuration from the shard that owns it.
 */
class SeparateProcessesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int SHARDS = 2;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path directory;

    private static ApiOnly api;
    private static KubernetesClient client;
    private static int xdsPort;
    private static final List<GantryProcess> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        xdsPort = freePortRange(SHARDS);
        api = ApiOnly.start(new ApiOnly.Options(
                0, directory.resolve("kubeconfig"), Path.of("..", "examples"), SHARDS, xdsPort, null));
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(api.kubeconfig())))
                .build();
        processes.add(GantryProcess.start(
                "controller",
                directory.resolve("controller.log"),
                Map.of(
                        "KUBECONFIG",
                        api.kubeconfig().toString(),
                        "GANTRY_IDENTITY",
                        "controller-a",
                        "GANTRY_ADMIN_PORT",
                        Integer.toString(freePortRange(1)),
                        "GANTRY_PROVISION_PROXIES",
                        "false")));
        for (int i = 0; i < SHARDS; i++) {
            processes.add(GantryProcess.start(
                    "xds-shard",
                    directory.resolve("shard-" + i + ".log"),
                    Map.of(
                            "KUBECONFIG", api.kubeconfig().toString(),
                            "GANTRY_SHARD_COUNT", Integer.toString(SHARDS),
                            "GANTRY_SHARD_INDEX", Integer.toString(i),
                            "GANTRY_XDS_PORT", Integer.toString(xdsPort + i),
                            "GANTRY_ADMIN_PORT", Integer.toString(freePortRange(1)))));
        }
    }

    @AfterAll
    static void stop() {
        processes.forEach(GantryProcess::close);
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void theKubeconfigNamesTheApiAndItsNamespace() throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(api.kubeconfig()));
        assertEquals(api.api().url() + "/", config.getMasterUrl());
        assertEquals(Standalone.NAMESPACE, config.getNamespace());
        assertEquals(Set.of(), Set.copyOf(api.problems()), "the examples apply");
    }

    @Test
    void theControllerProcessAcceptsTheClassAndProgramsTheGateways() {
        Eventually.await(
                TIMEOUT,
                "the controller process to create and accept the default GatewayClass",
                () -> {
                    GatewayClass gatewayClass = client.resources(GatewayClass.class)
                            .withName("gantry")
                            .get();
                    return gatewayClass != null
                            && gatewayClass.getStatus() != null
                            && Conditions.has(gatewayClass.getStatus().getConditions(), "Accepted", "True", null, null);
                },
                this::logs);
        Eventually.await(
                TIMEOUT,
                "the example Gateway infra/shared to be Programmed",
                () -> {
                    Gateway gateway = client.resources(Gateway.class)
                            .inNamespace("infra")
                            .withName("shared")
                            .get();
                    return gateway != null
                            && gateway.getStatus() != null
                            && Conditions.has(gateway.getStatus().getConditions(), "Programmed", "True", null, null);
                },
                this::logs);
    }

    @Test
    void everyShardProcessTurnsReadyAndServesTheGatewaysItOwns() throws Exception {
        for (GantryProcess shard : processes.subList(1, processes.size())) {
            int admin = Integer.parseInt(shard.environment().get("GANTRY_ADMIN_PORT"));
            Eventually.await(TIMEOUT, "shard " + shard.environment().get("GANTRY_SHARD_INDEX") + " ready", () -> {
                try {
                    return HTTP.send(
                                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/readyz"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .statusCode()
                            == 200;
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
        }
        int owner = ShardHash.shardOf(new ObjectKey("infra", "shared"), SHARDS);
        try (AdsClient ads = AdsClient.connect(
                "127.0.0.1",
                xdsPort + owner,
                credentialsOf("infra", "shared"),
                "proxy-infra-shared",
                "infra/shared",
                AdsClient.Protocol.DELTA)) {
            Eventually.await(
                    TIMEOUT,
                    "a proxy of infra/shared to get its listeners from shard " + owner,
                    () -> ads.names().get(AdsClient.LISTENER).equals(Set.of("tcp-8080", "tcp-8443")) && ads.warm(),
                    () -> ads.names() + "\n" + logs());
            assertTrue(
                    ads.names().get(AdsClient.CLUSTER).size() > 0, ads.names().toString());
        }
    }

    /** The credential the API-only mode wrote for a Gateway's proxy once the controller process issued it. */
    private static AdsClient.Transport credentialsOf(String namespace, String name) {
        Path files = api.proxyDirectory().resolve(namespace).resolve(name);
        Eventually.await(
                TIMEOUT,
                "the credential of " + namespace + "/" + name,
                () -> Files.exists(files.resolve("tls.key")) && Files.exists(files.resolve("envoy.yaml")));
        try {
            String bootstrap = Files.readString(files.resolve("envoy.yaml"));
            int owner = ShardHash.shardOf(new ObjectKey(namespace, name), SHARDS);
            assertTrue(bootstrap.contains("port_value: " + (xdsPort + owner)), bootstrap);
            ClientCredentials credentials = new ClientCredentials(
                    Files.readString(files.resolve("ca.crt")),
                    Files.readString(files.resolve("tls.crt")),
                    Files.readString(files.resolve("tls.key")));
            return new AdsClient.Transport.Tls(() -> credentials, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String logs() {
        StringBuilder out = new StringBuilder();
        for (GantryProcess process : processes) {
            out.append("\n--- ")
                    .append(process.name())
                    .append(process.alive() ? "" : " (exited)")
                    .append(":\n");
            out.append(process.tail(30));
        }
        return out.toString();
    }

    /** The first of {@code count} consecutive free loopback ports. */
    static int freePortRange(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                first = socket.getLocalPort();
            }
            if (first + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int port = first + 1; port < first + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    free = true;
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }
}
