package dev.gantry.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The unsafe opt-out: plaintext xDS without credentials, said loudly, and bootstraps to match. */
class StandaloneInsecureTest {

    @Test
    void insecureXdsServesPlaintextAndSaysSo() throws Exception {
        try (Standalone standalone =
                Standalone.start(new Standalone.Options(0, 0, 0, Path.of("..", "examples"), 1, null, true), Map.of())) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            standalone.printSummary(new PrintStream(printed, true, StandardCharsets.UTF_8));
            String summary = printed.toString(StandardCharsets.UTF_8);
            assertTrue(summary.contains("Proxy bootstraps: " + standalone.proxyDirectory()), summary);
            assertTrue(summary.contains("WARNING: --insecure-xds"), summary);
            try (AdsClient ads = AdsClient.connect(
                    "127.0.0.1",
                    standalone.shards().getFirst().xdsPort(),
                    "plain",
                    "infra/shared",
                    AdsClient.Protocol.DELTA)) {
                Eventually.await(Duration.ofSeconds(30), "the example's configuration", ads::warm);
            }
            Path bootstrap = standalone
                    .proxyDirectory()
                    .resolve("infra")
                    .resolve("shared")
                    .resolve("envoy.yaml");
            Eventually.await(Duration.ofSeconds(30), "a plaintext bootstrap", () -> Files.exists(bootstrap));
            assertFalse(Files.readString(bootstrap).contains("transport_socket"));
            assertFalse(Files.exists(bootstrap.resolveSibling("tls.key")));
            assertEquals(
                    0,
                    standalone
                            .api()
                            .newClient("check")
                            .secrets()
                            .inAnyNamespace()
                            .withLabel("gantry.dev/xds-credential")
                            .list()
                            .getItems()
                            .size(),
                    "no credentials are issued");
        }
    }
}
