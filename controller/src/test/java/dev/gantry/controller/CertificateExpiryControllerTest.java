package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.pki.CertificateAuthority;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.pki.Pem;
import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An expired certificate keeps being served, but its owner hears of it: a Warning Event naming the listener, the
 * Secret and the expiry, and the metrics. The controller's clock is injected: it reads a fixed instant moved on by
 * real time, so a certificate made to expire a few seconds after it is noticed by the timer alone.
 */
class CertificateExpiryControllerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Far from the machine's own time, so nothing but the injected clock can say what is expired. */
    private static final Instant START = Instant.parse("2031-06-01T12:00:00Z");

    private ControllerHarness harness;
    private Controller controller;
    private Instant started;

    /** The controller's clock: {@link #START} when the test begins, moving on with real time. */
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return START.plus(Duration.between(started, Instant.now()));
        }
    };

    @BeforeEach
    void start() {
        started = Instant.now();
        harness = new ControllerHarness();
        harness.namespace("apps", Map.of());
        controller = harness.startController(
                ControllerHarness.settings("replica-a", Map.of("PROVISION_PROXIES", "false")),
                () -> {},
                new PrometheusRegistry(),
                clock);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void anExpiredCertificateIsServedAndSaidSoAndOneExpiringWhileServedIsNoticedThen() throws Exception {
        Instant now = clock.instant();
        CertificateAuthority ca =
                CertificateAuthority.create("test", now.minus(Duration.ofDays(30)), Duration.ofDays(60));
        KeyedCertificate expired =
                ca.issueServing(List.of("old.example.com"), now.minus(Duration.ofDays(20)), Duration.ofDays(10));
        // Whole seconds: X.509 keeps no more. At least a few seconds out, so the first check sees it valid.
        Instant soon = now.plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
        KeyedCertificate expiring = ca.issueServing(List.of("soon.example.com"), now, Duration.between(now, soon));
        harness.apply(secret("old", expired), secret("soon", expiring));
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("old")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("old.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("old")
                .endCertificateRef()
                .endTls()
                .endListener()
                .addNewListener()
                .withName("soon")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("soon.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("soon")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());

        Eventually.await(
                TIMEOUT,
                "an Event for the expired certificate",
                () -> events("Secret apps/old").size() == 1,
                () -> String.valueOf(allEvents()));
        Event event = events("Secret apps/old").getFirst();
        assertEquals("Warning", event.getType());
        assertEquals("CertificateExpired", event.getReason());
        assertEquals("Gateway", event.getInvolvedObject().getKind());
        assertEquals(
                "The certificate of Secret apps/old served by listener 'old' expired at " + expired.notAfter()
                        + "; it is still served: replace it",
                event.getMessage());
        assertFalse(event.getMessage().contains("BEGIN"));
        awaitMetrics(Map.of(
                "gantry_certificates_expired{use=\"listener\"}",
                1.0,
                "gantry_certificates_in_use{use=\"listener\"}",
                2.0,
                "gantry_certificates_earliest_expiry_timestamp_seconds",
                (double) expired.notAfter().getEpochSecond()));
        assertTrue(events("Secret apps/soon").isEmpty(), "not expired yet");
        for (String listener : List.of("old", "soon")) {
            Eventually.await(TIMEOUT, listener + " is programmed", () -> programmed(listener));
        }

        // Nothing changes in the cluster: the clock alone makes the second one expire, and it is said once.
        Eventually.await(
                TIMEOUT,
                "an Event once the second certificate expired",
                () -> events("Secret apps/soon").size() == 1,
                () -> String.valueOf(allEvents()));
        assertTrue(events("Secret apps/soon").getFirst().getMessage().contains("listener 'soon' expired at " + soon));
        awaitMetrics(Map.of("gantry_certificates_expired{use=\"listener\"}", 2.0));
        assertTrue(programmed("soon"), "still served");
        assertEquals(1, events("Secret apps/old").size(), "said once");

        // Replaced, the certificate is no longer counted.
        harness.apply(secret("old", ca.issueServing(List.of("old.example.com"), clock.instant(), Duration.ofDays(10))));
        awaitMetrics(Map.of("gantry_certificates_expired{use=\"listener\"}", 1.0));
    }

    @Test
    void anExpiredBackendCaIsSaidOnItsPolicy() {
        Instant now = clock.instant();
        CertificateAuthority old =
                CertificateAuthority.create("old", now.minus(Duration.ofDays(20)), Duration.ofDays(10));
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("ca")
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", Pem.certificates(List.of(old.certificate())))
                .build());
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build());
        harness.apply(new ServiceBuilder()
                .withNewMetadata()
                .withName("secure")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("https")
                .withPort(443)
                .endPort()
                .endSpec()
                .build());
        harness.apply(new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("r")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("secure")
                .withPort(443)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        harness.apply(new BackendTLSPolicyBuilder()
                .withNewMetadata()
                .withName("p")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewTargetRef()
                .withGroup("")
                .withKind("Service")
                .withName("secure")
                .endTargetRef()
                .withNewValidation()
                .withHostname("secure.example.com")
                .addNewCaCertificateRef()
                .withGroup("")
                .withKind("ConfigMap")
                .withName("ca")
                .endCaCertificateRef()
                .endValidation()
                .endSpec()
                .build());
        Eventually.await(
                TIMEOUT,
                "an Event on the policy",
                () -> events("ConfigMap apps/ca").size() == 1,
                () -> String.valueOf(allEvents()));
        Event event = events("ConfigMap apps/ca").getFirst();
        assertEquals("BackendTLSPolicy", event.getInvolvedObject().getKind());
        assertEquals("p", event.getInvolvedObject().getName());
        assertTrue(
                event.getMessage()
                        .contains("validates this policy's backends expired at "
                                + old.keyed().notAfter()),
                event.getMessage());
        awaitMetrics(Map.of("gantry_certificates_expired{use=\"backend_ca\"}", 1.0));
    }

    private static Secret secret(String name, KeyedCertificate certificate) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", certificate.certificatePem())
                .addToStringData("tls.key", certificate.keyPem())
                .build();
    }

    private List<Event> allEvents() {
        return harness.client.v1().events().inNamespace("apps").list().getItems();
    }

    private List<Event> events(String naming) {
        return allEvents().stream()
                .filter(e -> e.getReason().startsWith("Certificate")
                        && e.getMessage().contains(naming + " "))
                .toList();
    }

    private boolean programmed(String listener) {
        Gateway gateway = harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("gw")
                .get();
        if (gateway == null
                || gateway.getStatus() == null
                || gateway.getStatus().getListeners() == null) {
            return false;
        }
        return gateway.getStatus().getListeners().stream()
                .filter(l -> l.getName().equals(listener))
                .map(ListenerStatus::getConditions)
                .flatMap(List::stream)
                .anyMatch(c -> c.getType().equals("Programmed") && c.getStatus().equals("True"));
    }

    private void awaitMetrics(Map<String, Double> expected) {
        HttpClient http = HttpClient.newHttpClient();
        String[] last = {""};
        Eventually.await(
                TIMEOUT,
                "metrics " + expected,
                () -> {
                    try {
                        last[0] = http.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        "http://127.0.0.1:" + controller.adminPort() + "/metrics"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                    return expected.entrySet().stream()
                            .allMatch(entry -> last[0].lines()
                                    .filter(line -> line.startsWith(entry.getKey() + " "))
                                    .anyMatch(line -> Double.parseDouble(line.substring(
                                                            entry.getKey().length() + 1)
                                                    .trim())
                                            == entry.getValue()));
                },
                () -> last[0].lines()
                        .filter(l -> l.startsWith("gantry_certificates"))
                        .toList()
                        .toString());
    }
}
