package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import dev.gantry.translate.TestPem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client certificate validation ({@code spec.tls.frontend}): CA data that is not a certificate bundle makes the HTTPS
 * listeners of the port {@code ResolvedRefs=False/InvalidCACertificateRef} and {@code Accepted=False/
 * NoValidCACertificate}, ListenerSet listeners on the port included; AllowInsecureFallback puts
 * {@code InsecureFrontendValidationMode=True/ConfigurationChanged} on the Gateway, taken away again with the mode.
 */
class FrontendValidationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = ControllerHarness.withController();
        harness.apply(new SecretBuilder()
                .withNewMetadata()
                .withName("cert")
                .withNamespace("apps")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", TestPem.CERTIFICATE)
                .addToStringData("tls.key", TestPem.PRIVATE_KEY)
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void unusableClientCaDataRefusesTheHttpsListenersOfItsPortAndSaysWhy() {
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("client-ca")
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", TestPem.PRIVATE_KEY)
                .build());
        harness.apply(gateway("AllowValidOnly"));
        harness.apply(new ListenerSetBuilder()
                .withNewMetadata()
                .withName("team")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName("gw")
                .endParentRef()
                .addNewListener()
                .withName("team-https")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("team.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("cert")
                .endCertificateRef()
                .endTls()
                .endListener()
                .endSpec()
                .build());

        for (Supplier<List<Condition>> listener : List.of(gatewayListener("https"), setListener("team-https"))) {
            await(
                    "the listener is refused",
                    () -> has(listener.get(), "Accepted", "False", "NoValidCACertificate")
                            && has(listener.get(), "ResolvedRefs", "False", "InvalidCACertificateRef")
                            && has(listener.get(), "Programmed", "False", "Invalid"),
                    () -> String.valueOf(listener.get()));
            String message = find(listener.get(), "ResolvedRefs").getMessage();
            assertTrue(message.contains("ConfigMap apps/client-ca: ca.crt holds a private key"), message);
            assertFalse(message.contains("MIGHAgEA"), "the key stays out of the message");
        }
        await(
                "the plain listener serves",
                () -> has(gatewayListener("http").get(), "Programmed", "True", "Programmed"),
                () -> String.valueOf(gatewayListener("http").get()));

        // Fixed, the listeners are served.
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("client-ca")
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", TestPem.CERTIFICATE)
                .build());
        for (Supplier<List<Condition>> listener : List.of(gatewayListener("https"), setListener("team-https"))) {
            await(
                    "the listener is served",
                    () -> has(listener.get(), "Programmed", "True", "Programmed")
                            && has(listener.get(), "ResolvedRefs", "True", "ResolvedRefs"),
                    () -> String.valueOf(listener.get()));
        }
    }

    @Test
    void insecureFallbackIsSaidOnTheGatewayWhileItIsOn() {
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("client-ca")
                .withNamespace("apps")
                .endMetadata()
                .addToData("ca.crt", TestPem.CERTIFICATE)
                .build());
        harness.apply(gateway("AllowInsecureFallback"));
        await(
                "InsecureFrontendValidationMode",
                () -> has(gatewayConditions(), "InsecureFrontendValidationMode", "True", "ConfigurationChanged"),
                () -> String.valueOf(gatewayConditions()));
        assertTrue(find(gatewayConditions(), "InsecureFrontendValidationMode")
                .getMessage()
                .contains("port 443"));
        harness.apply(gateway("AllowValidOnly"));
        await(
                "no InsecureFrontendValidationMode",
                () -> gatewayConditions() != null
                        && find(gatewayConditions(), "InsecureFrontendValidationMode") == null,
                () -> String.valueOf(gatewayConditions()));
    }

    private static Gateway gateway(String mode) {
        return new GatewayBuilder()
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
                .withNewAllowedListeners()
                .withNewNamespaces()
                .withFrom("Same")
                .endNamespaces()
                .endAllowedListeners()
                .withNewTls()
                .withNewFrontend()
                .withNewDefault()
                .withNewValidation()
                .withMode(mode)
                .addNewCaCertificateRef()
                .withGroup("")
                .withKind("ConfigMap")
                .withName("client-ca")
                .endCaCertificateRef()
                .endValidation()
                .endDefault()
                .endFrontend()
                .endTls()
                .addNewListener()
                .withName("https")
                .withPort(443)
                .withProtocol("HTTPS")
                .withHostname("a.example.com")
                .withNewTls()
                .addNewCertificateRef()
                .withName("cert")
                .endCertificateRef()
                .endTls()
                .endListener()
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build();
    }

    private Supplier<List<Condition>> gatewayListener(String name) {
        return () -> {
            Gateway gateway = harness.client
                    .resources(Gateway.class)
                    .inNamespace("apps")
                    .withName("gw")
                    .get();
            if (gateway == null
                    || gateway.getStatus() == null
                    || gateway.getStatus().getListeners() == null) {
                return null;
            }
            return gateway.getStatus().getListeners().stream()
                    .filter(l -> l.getName().equals(name))
                    .map(ListenerStatus::getConditions)
                    .findFirst()
                    .orElse(null);
        };
    }

    private Supplier<List<Condition>> setListener(String name) {
        return () -> {
            ListenerSet set = harness.client
                    .resources(ListenerSet.class)
                    .inNamespace("apps")
                    .withName("team")
                    .get();
            if (set == null || set.getStatus() == null || set.getStatus().getListeners() == null) {
                return null;
            }
            return set.getStatus().getListeners().stream()
                    .filter(l -> l.getName().equals(name))
                    .map(ListenerEntryStatus::getConditions)
                    .findFirst()
                    .orElse(null);
        };
    }

    private List<Condition> gatewayConditions() {
        Gateway gateway = harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("gw")
                .get();
        return gateway == null || gateway.getStatus() == null
                ? null
                : gateway.getStatus().getConditions();
    }

    private static boolean has(List<Condition> conditions, String type, String status, String reason) {
        Condition condition = find(conditions, type);
        return condition != null
                && condition.getStatus().equals(status)
                && condition.getReason().equals(reason);
    }

    private static Condition find(List<Condition> conditions, String type) {
        return conditions == null
                ? null
                : conditions.stream()
                        .filter(c -> c.getType().equals(type))
                        .findFirst()
                        .orElse(null);
    }

    private static void await(String what, Supplier<Boolean> condition, Supplier<String> state) {
        Eventually.await(TIMEOUT, what, condition, state);
    }
}
