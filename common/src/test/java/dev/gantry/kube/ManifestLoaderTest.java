package dev.gantry.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of manifests; applying them to an API server is tested with the in-memory API in its module. */
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
        assertEquals(
                "fine", result.documents().getFirst().object().getMetadata().getName());
        assertEquals(11, result.documents().getFirst().line());
        assertEquals(
                List.of(1, 5, 9),
                result.problems().stream().map(ManifestLoader.Problem::line).toList());
    }
}
