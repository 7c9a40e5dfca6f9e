package dev.gantry.helm;

import static dev.gantry.helm.Chart.container;
import static dev.gantry.helm.Chart.env;
import static dev.gantry.helm.Chart.render;
import static dev.gantry.helm.Chart.resolvedEnv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.config.GantrySettings;
import dev.gantry.helm.Chart.Rendered;
import dev.gantry.pki.CredentialPlanner;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The security of xDS: the controller issues the credentials and the shards check them, so both components must
 * see the same settings, decided once by the chart.
 */
class HelmChartXdsSecurityTest {

    private static final List<String> VARIABLES = List.of(
            "GANTRY_XDS_INSECURE",
            "GANTRY_CA_SECRET",
            "GANTRY_XDS_SERVING_SECRET",
            "GANTRY_XDS_SERVING_NAMES",
            "GANTRY_PROXY_CREDENTIAL_TTL",
            "GANTRY_XDS_SERVING_CERT_TTL",
            "GANTRY_XDS_MAX_STREAM_AGE");
    private static final String WARNING = "WARNING: xDS is served in PLAINTEXT and WITHOUT AUTHENTICATION";

    @Test
    void defaultsAreMutualTlsWithTheChartsSecretNames() {
        Rendered r = render();
        assertEquals(
                Map.of(
                        "GANTRY_XDS_INSECURE", "false",
                        "GANTRY_CA_SECRET", "gantry-ca",
                        "GANTRY_XDS_SERVING_SECRET", "gantry-xds-serving",
                        "GANTRY_PROXY_CREDENTIAL_TTL", "24h",
                        "GANTRY_XDS_SERVING_CERT_TTL", "720h",
                        "GANTRY_XDS_MAX_STREAM_AGE", "30m"),
                securityEnv(r),
                "no extra serving names by default");
        for (GantrySettings s : settings(r)) {
            assertFalse(s.xdsInsecure());
            assertEquals("gantry-ca", s.caSecret());
            assertEquals("gantry-xds-serving", s.xdsServingSecret());
            assertEquals(List.of(), s.xdsServingNames());
            assertEquals(Duration.ofHours(24), s.proxyCredentialTtl());
            assertEquals(Duration.ofHours(720), s.xdsServingCertTtl());
            assertEquals(Duration.ofMinutes(30), s.xdsMaxStreamAge());
            // The serving certificate covers the names the chart gives the xDS Service and every shard.
            assertEquals(
                    List.of(
                            "*.gantry-xds-shards.gantry-system.svc.cluster.local",
                            "*.gantry-xds-shards.gantry-system.svc",
                            "gantry-xds.gantry-system.svc.cluster.local",
                            "gantry-xds.gantry-system.svc"),
                    CredentialPlanner.servingNames(s));
        }
    }

    @Test
    void overridesReachBothComponentsAlike() {
        Rendered r = render(Map.of(
                "xds.tls.proxyCredentialTtl", "6h",
                "xds.tls.servingCertificateTtl", "1h30m",
                "xds.maxStreamAge", "5m",
                "xds.tls.caSecretName", "edge-ca",
                "xds.tls.servingSecretName", "edge-xds-tls",
                // --set xds.tls.extraServingNames={a.example.com,10.0.0.7}; helm-java escapes commas, so by index.
                "xds.tls.extraServingNames[0]", "a.example.com",
                "xds.tls.extraServingNames[1]", "10.0.0.7"));
        assertEquals(
                Map.of(
                        "GANTRY_XDS_INSECURE", "false",
                        "GANTRY_CA_SECRET", "edge-ca",
                        "GANTRY_XDS_SERVING_SECRET", "edge-xds-tls",
                        "GANTRY_XDS_SERVING_NAMES", "a.example.com,10.0.0.7",
                        "GANTRY_PROXY_CREDENTIAL_TTL", "6h",
                        "GANTRY_XDS_SERVING_CERT_TTL", "1h30m",
                        "GANTRY_XDS_MAX_STREAM_AGE", "5m"),
                securityEnv(r));
        for (GantrySettings s : settings(r)) {
            assertEquals("edge-ca", s.caSecret());
            assertEquals("edge-xds-tls", s.xdsServingSecret());
            assertEquals(List.of("a.example.com", "10.0.0.7"), s.xdsServingNames());
            assertEquals(Duration.ofHours(6), s.proxyCredentialTtl());
            assertEquals(Duration.ofMinutes(90), s.xdsServingCertTtl());
            assertEquals(Duration.ofMinutes(5), s.xdsMaxStreamAge());
            List<String> names = CredentialPlanner.servingNames(s);
            assertTrue(
                    names.containsAll(List.of("gantry-xds.gantry-system.svc", "a.example.com", "10.0.0.7")),
                    names::toString);
        }
    }

    @Test
    void secretNamesFollowTheReleaseName() {
        Rendered r = Chart.parse(Chart.helm()
                .template()
                .withName("edge")
                .withNamespace("infra")
                .withKubeVersion(Chart.KUBE_VERSION)
                .set("crds.install", false)
                .call());
        Map<String, String> env = securityEnv(r);
        assertEquals("edge-gantry-ca", env.get("GANTRY_CA_SECRET"));
        assertEquals("edge-gantry-xds-serving", env.get("GANTRY_XDS_SERVING_SECRET"));
    }

    @Test
    void insecureOnlyWhenTlsIsDisabled() {
        Rendered off = render(Map.of("xds.tls.enabled", false));
        assertEquals("true", securityEnv(off).get("GANTRY_XDS_INSECURE"));
        for (GantrySettings s : settings(off)) {
            assertTrue(s.xdsInsecure());
        }
        Rendered on = render(Map.of("xds.tls.enabled", true));
        assertEquals("false", securityEnv(on).get("GANTRY_XDS_INSECURE"));
        for (GantrySettings s : settings(on)) {
            assertFalse(s.xdsInsecure());
        }
        assertEquals(render().documents(), on.documents(), "enabled is the default");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void notesWarnOnlyWhenTlsIsDisabled(boolean tls) {
        String notes = notes(Map.of("xds.tls.enabled", tls));
        assertTrue(notes.contains("Gantry "), () -> "the NOTES should be rendered: " + notes);
        assertEquals(!tls, notes.contains(WARNING), notes);
        assertEquals(!tls, notes.contains("PLAINTEXT, NO AUTHENTICATION"), notes);
        assertEquals(
                tls,
                notes.contains("mTLS: CA in Secret gantry-ca, serving certificate in Secret gantry-xds-serving"),
                notes);
    }

    // ----

    /** The xDS security variables of the controller, after checking that the shards have exactly the same. */
    static Map<String, String> securityEnv(Rendered r) {
        Map<String, String> controller = security(env(container(r.controller(), "controller")));
        Map<String, String> shard = security(env(container(r.shards(), "xds-shard")));
        assertEquals(controller, shard, "the controller and the shards must share the xDS security settings");
        return controller;
    }

    private static Map<String, String> security(Map<String, String> env) {
        Map<String, String> security = new TreeMap<>();
        env.forEach((name, value) -> {
            if (VARIABLES.contains(name)) {
                security.put(name, value);
            }
        });
        return security;
    }

    /** The settings the code reads from each component's environment. */
    private static List<GantrySettings> settings(Rendered r) {
        Map<String, String> controller =
                resolvedEnv(container(r.controller(), "controller"), "gantry-controller-abc-def");
        Map<String, String> shard = resolvedEnv(container(r.shards(), "xds-shard"), "gantry-xds-shard-0");
        for (Map<String, String> env : List.of(controller, shard)) {
            assertEquals(List.of(), GantrySettings.unknownVariables(env), "every GANTRY_* variable is a setting");
        }
        return List.of(GantrySettings.fromEnvironment(controller), GantrySettings.fromEnvironment(shard));
    }

    /** The NOTES of a client-only dry-run install (no cluster needed). */
    private static String notes(Map<String, Object> sets) {
        Map<String, Object> ordered = new LinkedHashMap<>(new TreeMap<>(sets));
        var install = Chart.helm()
                .install()
                .withName(Chart.RELEASE)
                .withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.KUBE_VERSION)
                .clientOnly()
                .dryRun()
                .set("crds.install", false);
        for (Map.Entry<String, Object> set : ordered.entrySet()) {
            install = install.set(set.getKey(), set.getValue());
        }
        return install.call().getOutput();
    }
}
