package dev.gantry.helm;

import static dev.gantry.helm.Chart.at;
import static dev.gantry.helm.Chart.kind;
import static dev.gantry.helm.Chart.map;
import static dev.gantry.helm.Chart.maps;
import static dev.gantry.helm.Chart.name;
import static dev.gantry.helm.Chart.render;
import static dev.gantry.helm.Chart.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.helm.Chart.Rendered;
import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Gateway API CRDs: per channel, kept on uninstall, and small enough for Helm's release Secret. */
class HelmChartCrdTest {

    private static final List<String> STANDARD = List.of(
            "backendtlspolicies",
            "gatewayclasses",
            "gateways",
            "grpcroutes",
            "httproutes",
            "listenersets",
            "referencegrants",
            "tcproutes",
            "tlsroutes",
            "udproutes");
    private static final List<String> EXPERIMENTAL_ONLY = List.of(
            "xbackends.gateway.networking.x-k8s.io",
            "xbackendtrafficpolicies.gateway.networking.x-k8s.io",
            "xmeshes.gateway.networking.x-k8s.io");
    private static final String KEEP = "helm.sh/resource-policy";
    /** Kubernetes refuses a Secret (Helm's release storage) over 1 MiB. */
    private static final int RELEASE_LIMIT = 1024 * 1024;

    @Test
    void standardChannelByDefault() {
        Rendered r = render();
        List<String> names = r.all("CustomResourceDefinition").stream()
                .map(Chart::name)
                .sorted()
                .toList();
        assertEquals(
                STANDARD.stream()
                        .map(n -> n + ".gateway.networking.k8s.io")
                        .sorted()
                        .toList(),
                names);
        for (Map<String, Object> crd : r.all("CustomResourceDefinition")) {
            assertEquals("standard", string(crd, "metadata", "annotations", "gateway.networking.k8s.io/channel"));
            assertEquals("v1.6.1", string(crd, "metadata", "annotations", "gateway.networking.k8s.io/bundle-version"));
        }
        r.one("ValidatingAdmissionPolicy", "safe-upgrades.gateway.networking.k8s.io");
        r.one("ValidatingAdmissionPolicyBinding", "safe-upgrades.gateway.networking.k8s.io");
    }

    @Test
    void experimentalChannelOnRequest() {
        Rendered r = render(Map.of("crds.channel", "experimental"));
        List<Map<String, Object>> crds = r.all("CustomResourceDefinition");
        assertEquals(STANDARD.size() + EXPERIMENTAL_ONLY.size(), crds.size());
        assertTrue(crds.stream().map(Chart::name).toList().containsAll(EXPERIMENTAL_ONLY));
        for (Map<String, Object> crd : crds) {
            assertEquals("experimental", string(crd, "metadata", "annotations", "gateway.networking.k8s.io/channel"));
        }
    }

    @Test
    void noCrdsWhenTurnedOff() {
        Rendered r = render(Map.of("crds.install", false));
        assertTrue(r.all("CustomResourceDefinition").isEmpty());
        assertTrue(r.all("ValidatingAdmissionPolicy").isEmpty());
        assertTrue(r.all("ValidatingAdmissionPolicyBinding").isEmpty());
        // The rest of the chart is unaffected.
        r.one("Deployment", "gantry-controller");
        r.one("StatefulSet", "gantry-xds-shard");
    }

    @Test
    void everyCrdObjectIsKeptOnUninstallUnlessAskedOtherwise() {
        for (String channel : List.of("standard", "experimental")) {
            Rendered r = render(Map.of("crds.channel", channel));
            List<Map<String, Object>> fromCrds = crdObjects(r);
            assertEquals(channel.equals("standard") ? 12 : 15, fromCrds.size());
            for (Map<String, Object> doc : fromCrds) {
                assertEquals("keep", string(doc, "metadata", "annotations", KEEP), kind(doc) + " " + name(doc));
            }
        }
        Rendered notKept = render(Map.of("crds.keep", false));
        assertFalse(notKept.yaml().contains(KEEP));
    }

    @Test
    void renderedObjectsAreTheUpstreamFilesUnchangedApartFromTheKeepAnnotation() throws IOException {
        for (String channel : List.of("standard", "experimental")) {
            Rendered upstream = Chart.parse(
                    Files.readString(Chart.dir().resolve("files/gateway-api/" + channel + "-install.yaml")));
            Rendered r = Chart.parse(render(Map.of("crds.channel", channel)).yaml()); // a private copy: edited below
            List<Map<String, Object>> rendered = crdObjects(r);
            for (Map<String, Object> doc : rendered) {
                map(at(doc, "metadata", "annotations")).remove(KEEP);
            }
            // Helm orders objects by kind; compare object by object.
            Map<String, Map<String, Object>> expected = byKindAndName(upstream.documents());
            Map<String, Map<String, Object>> actual = byKindAndName(rendered);
            assertEquals(expected.keySet(), actual.keySet(), channel);
            for (String key : expected.keySet()) {
                assertTrue(
                        expected.get(key).equals(actual.get(key)),
                        () -> channel + ": " + key + " differs from upstream");
            }
        }
    }

    @Test
    void crdsServeEveryGatewayApiKindGantryReads() {
        Rendered r = render();
        for (Kind<?> kind : Kinds.ALL) {
            if (!kind.group().equals(Kinds.GATEWAY_GROUP)) {
                continue;
            }
            Map<String, Object> crd = r.one("CustomResourceDefinition", kind.plural() + "." + kind.group());
            assertEquals(kind.kind(), string(crd, "spec", "names", "kind"));
            assertTrue(
                    maps(at(crd, "spec", "versions")).stream()
                            .anyMatch(
                                    v -> kind.version().equals(v.get("name")) && Boolean.TRUE.equals(v.get("served"))),
                    kind.plural() + " must serve " + kind.version());
        }
    }

    /**
     * Helm keeps every release in a Secret: the release as JSON (with the parent chart's files and templates,
     * base64-encoded, but not its subcharts), gzipped, base64-encoded. Kubernetes refuses a Secret over 1 MiB.
     * This packages the chart as {@code helm package} does and estimates that Secret for the bigger channel.
     */
    @Test
    void releaseFitsInHelmsReleaseSecret(@TempDir Path out) throws IOException {
        Chart.helm().packageIt().withDestination(out).call();
        Path archive;
        try (var files = Files.list(out)) {
            archive =
                    files.filter(f -> f.toString().endsWith(".tgz")).findFirst().orElseThrow();
        }
        Map<String, byte[]> entries = untar(archive);

        // The CRD files reach the package only through the subchart (its files/ is a link).
        for (String channel : List.of("standard", "experimental")) {
            byte[] packaged = entries.get("gantry/charts/gateway-api-crds/files/" + channel + "-install.yaml");
            assertNotNull(packaged, "the subchart must carry the " + channel + " CRDs: " + entries.keySet());
            assertEquals(
                    Files.size(Chart.dir().resolve("files/gateway-api/" + channel + "-install.yaml")), packaged.length);
        }
        assertTrue(
                entries.keySet().stream().noneMatch(e -> e.startsWith("gantry/files/gateway-api/")),
                "the parent chart must not carry the CRD files (.helmignore): " + entries.keySet());

        String manifest = render(Map.of("crds.channel", "experimental")).yaml();
        StringBuilder release = new StringBuilder("{\"chart\":{\"files\":[");
        long parentBytes = 0;
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            if (!entry.getKey().startsWith("gantry/charts/")) {
                parentBytes += entry.getValue().length;
                release.append("{\"name\":\"")
                        .append(entry.getKey())
                        .append("\",\"data\":\"")
                        .append(Base64.getEncoder().encodeToString(entry.getValue()))
                        .append("\"},");
            }
        }
        release.append("]},\"manifest\":\"").append(manifest).append("\"}");
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write(release.toString().getBytes(StandardCharsets.UTF_8));
        }
        int stored = Base64.getEncoder().encodeToString(gzipped.toByteArray()).length();
        System.out.printf(
                "release Secret estimate (experimental channel): %d KiB of %d KiB (parent chart files %d KiB,"
                        + " manifest %d KiB)%n",
                stored / 1024, RELEASE_LIMIT / 1024, parentBytes / 1024, manifest.length() / 1024);
        assertTrue(
                stored < RELEASE_LIMIT / 2,
                "the release Secret would be " + stored + " bytes; keep a wide margin " + "below " + RELEASE_LIMIT);
    }

    // ----

    /** The objects of the CRD subchart: CRDs and the safe-upgrades policy and binding. */
    private static List<Map<String, Object>> crdObjects(Rendered r) {
        return r.documents().stream()
                .filter(d -> List.of(
                                "CustomResourceDefinition",
                                "ValidatingAdmissionPolicy",
                                "ValidatingAdmissionPolicyBinding")
                        .contains(kind(d)))
                .toList();
    }

    private static Map<String, Map<String, Object>> byKindAndName(List<Map<String, Object>> documents) {
        Map<String, Map<String, Object>> byKey = new TreeMap<>();
        for (Map<String, Object> doc : documents) {
            assertEquals(null, byKey.put(kind(doc) + "/" + name(doc), doc), "duplicate " + kind(doc) + "/" + name(doc));
        }
        return byKey;
    }

    /** The regular files of a .tgz (ustar, with PAX long names). */
    static Map<String, byte[]> untar(Path archive) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            String paxPath = null;
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                if (header[0] == 0) {
                    break;
                }
                String name = cString(header, 0, 100);
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                String sizeText = cString(header, 124, 12).trim();
                long size = sizeText.isEmpty() ? 0 : Long.parseLong(sizeText, 8);
                char type = (char) header[156];
                byte[] data = in.readNBytes((int) size);
                in.readNBytes((int) ((512 - size % 512) % 512));
                if (type == 'x') {
                    for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
                        int eq = line.indexOf(" path=");
                        if (eq >= 0) {
                            paxPath = line.substring(eq + " path=".length());
                        }
                    }
                    continue;
                }
                if (type == '0' || type == 0) {
                    entries.put(paxPath != null ? paxPath : name, data);
                }
                paxPath = null;
            }
        }
        return entries;
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
