package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.kube.ManifestLoader;
import dev.gantry.runtime.AdminServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneBadInputTest {

    @Test
    void anEmptyExamplesDirectoryIsValid(@TempDir Path empty) {
        try (Standalone standalone = Standalone.start(new Standalone.Options(0, 0, 0, empty, 1), Map.of())) {
            assertEquals(0, standalone.problems().size());
        }
    }

    @Test
    void aBadFileIsReportedAndTheOthersAreApplied(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("good.yaml"), """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: good
        """);
        Files.writeString(dir.resolve("bad.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: [\n");
        try (Standalone standalone = Standalone.start(new Standalone.Options(0, 0, 0, dir, 1), Map.of());
                var client = standalone.api().newClient("test")) {
            assertEquals(1, standalone.problems().size());
            assertEquals("bad.yaml", standalone.problems().getFirst().source());
            assertTrue(standalone.problems().getFirst().line() > 0);
            assertEquals(
                    "good",
                    client.namespaces().withName("good").get().getMetadata().getName());
        }
    }

    @Test
    void anObjectAClusterWouldRefuseIsReportedWithTheApisMessage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: web
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: upper
          namespace: web
        spec:
          gatewayClassName: gantry
          listeners:
          - name: http
            port: 80
            protocol: HTTP
            hostname: Web.Example.com
        """);
        try (Standalone standalone = Standalone.start(new Standalone.Options(0, 0, 0, dir, 1), Map.of());
                var client = standalone.api().newClient("test")) {
            assertEquals(1, standalone.problems().size(), standalone.problems().toString());
            ManifestLoader.Problem problem = standalone.problems().getFirst();
            assertEquals("gateway.yaml", problem.source());
            assertTrue(
                    problem.message()
                            .contains("Gateway.gateway.networking.k8s.io \"upper\" is invalid:"
                                    + " spec.listeners[0].hostname: Invalid value: \"Web.Example.com\""),
                    problem.message());
            assertEquals(
                    "web",
                    client.namespaces().withName("web").get().getMetadata().getName());
        }
    }

    @Test
    void aBusyPortFailsWithAMessageNamingIt() throws Exception {
        try (ServerSocket taken = takenPortWithAFreeNext()) {
            int port = taken.getLocalPort();
            assertThrows(
                    InMemoryKubernetesApi.PortInUseException.class,
                    () -> Standalone.start(new Standalone.Options(port, 0, 0, null, 1), Map.of()));
            AdminServer.PortInUseException admin = assertThrows(
                    AdminServer.PortInUseException.class,
                    () -> Standalone.start(new Standalone.Options(0, 0, port, null, 1), Map.of()));
            assertTrue(admin.getMessage().contains(Integer.toString(port)));
            AdminServer.PortInUseException xds = assertThrows(
                    AdminServer.PortInUseException.class,
                    () -> Standalone.start(new Standalone.Options(0, port, 0, null, 1), Map.of()));
            assertTrue(xds.getMessage().contains("xDS port " + port));

            PrintStream originalErr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.standalone(new String[] {"--api-port", Integer.toString(port), "--examples", "none"});
            } finally {
                System.setErr(originalErr);
            }
            assertEquals(1, code);
            assertTrue(
                    err.toString(StandardCharsets.UTF_8).contains("port " + port),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void badFlagsAreRejected() {
        assertEquals(2, Main.standalone(new String[] {"--api-port", "seventy"}));
        assertEquals(2, Main.standalone(new String[] {"--shards", "0"}));
        assertEquals(2, Main.standalone(new String[] {"--bogus", "1"}));
    }

    /**
     * A port held open whose next port is free: shard 0's admin binds the admin port + 1 first, and the test means
     * the admin port itself to be the one in use.
     */
    private static ServerSocket takenPortWithAFreeNext() throws IOException {
        for (int attempt = 0; ; attempt++) {
            ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            try {
                new ServerSocket(taken.getLocalPort() + 1, 1, InetAddress.getLoopbackAddress()).close();
                return taken;
            } catch (IOException busy) {
                taken.close();
                if (attempt == 20) {
                    throw busy;
                }
            }
        }
    }
}
