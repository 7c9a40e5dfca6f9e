package dev.gantry.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ManifestLoader} (of common) applying manifests to the in-memory API, which can refuse one of them. */
class ManifestLoaderApplyTest {

    @Test
    void rejectedObjectsNameTheirFileAndTheRestIsApplied(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: team
        """);
        Files.writeString(dir.resolve("b.yaml"), """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: gw
          namespace: team
        spec:
          gatewayClassName: gantry
          listeners:
          - name: http
            port: 80
            protocol: HTTP
        """);
        Files.writeString(dir.resolve("c.yaml"), "not: [valid\n");
        try (InMemoryKubernetesApi api = InMemoryKubernetesApi.start(0);
                KubernetesClient client = api.newClient("test")) {
            api.injectFault("POST", "/namespaces/team/gateways", 422, 1);
            ManifestLoader.Result parsed = ManifestLoader.parseDirectory(dir);
            assertEquals(1, parsed.problems().size());
            assertEquals("c.yaml", parsed.problems().getFirst().source());
            List<ManifestLoader.Problem> applied = ManifestLoader.apply(client, parsed.documents());
            assertEquals(1, applied.size(), applied.toString());
            assertEquals("b.yaml", applied.getFirst().source());
            assertEquals(1, applied.getFirst().line());
            assertTrue(
                    applied.getFirst().message().contains("Gateway gw was rejected"),
                    applied.getFirst().message());
            assertEquals(
                    "team",
                    client.namespaces().withName("team").get().getMetadata().getName());
            assertEquals(
                    null,
                    client.resources(Gateway.class)
                            .inNamespace("team")
                            .withName("gw")
                            .get());
        }
    }
}
