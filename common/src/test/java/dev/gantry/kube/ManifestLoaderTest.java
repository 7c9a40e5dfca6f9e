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

class ManifestLoaderTest {

  @Test
  void brokenYamlIsReportedWithFileAndLine() {
    String yaml = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: ok
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: broken
          labels: [unclosed
        """;
    ManifestLoader.Result result = ManifestLoader.parse("bad.yaml", yaml);
    assertEquals(1, result.problems().size(), result.problems().toString());
    ManifestLoader.Problem problem = result.problems().getFirst();
    assertEquals("bad.yaml", problem.source());
    assertTrue(problem.line() >= 10, "line of the YAML error, got " + problem.line());
    assertTrue(problem.toString().startsWith("bad.yaml:"), problem.toString());
  }

  @Test
  void documentsWithoutKindOrNameAreReportedAndOthersKept() {
    String yaml = """
        apiVersion: v1
        metadata:
          name: no-kind
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {}
        ---
        - a list
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: fine
        """;
    ManifestLoader.Result result = ManifestLoader.parse("mixed.yaml", yaml);
    assertEquals(1, result.documents().size());
    assertEquals("fine", result.documents().getFirst().object().getMetadata().getName());
    assertEquals(11, result.documents().getFirst().line());
    assertEquals(List.of(1, 5, 9), result.problems().stream().map(ManifestLoader.Problem::line).toList());
  }

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
      assertTrue(applied.getFirst().message().contains("Gateway gw was rejected"), applied.getFirst().message());
      assertEquals("team", client.namespaces().withName("team").get().getMetadata().getName());
      assertEquals(null, client.resources(Gateway.class).inNamespace("team").withName("gw").get());
    }
  }
}
