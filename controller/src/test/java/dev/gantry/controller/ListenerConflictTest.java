package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listeners of one Gateway that cannot be told apart: the spec forbids picking a winner, so every one of them is
 * Conflicted and not accepted, and the Gateway says which are conflicted and which are accepted.
 */
class ListenerConflictTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private ControllerHarness harness;

  @BeforeEach
  void start() {
    harness = ControllerHarness.withController();
  }

  @AfterEach
  void stop() throws Exception {
    harness.close();
  }

  @Test
  void twoProtocolsOnOnePortAreBothConflictedAndTheOtherListenersStay() {
    GatewaySpecBuilder spec = spec();
    spec.addNewListener().withName("web").withPort(80).withProtocol("HTTP").endListener();
    spec.addNewListener().withName("raw").withPort(80).withProtocol("TCP").endListener();
    spec.addNewListener().withName("other").withPort(8080).withProtocol("HTTP").endListener();
    Gateway gateway = apply("mixed", spec);

    assertConflicted(gateway, "web", "ProtocolConflict");
    assertConflicted(gateway, "raw", "ProtocolConflict");
    assertEquals("True", condition(listener(gateway, "other").getConditions(), "Accepted").getStatus());
    Condition accepted = condition(gateway.getStatus().getConditions(), "Accepted");
    assertEquals("True", accepted.getStatus());
    assertEquals("ListenersNotValid", accepted.getReason());
    assertTrue(accepted.getMessage().contains("'web' ProtocolConflict, 'raw' ProtocolConflict; accepted: 'other'"),
        accepted.getMessage());
  }

  @Test
  void oneHostnameTwiceOnOnePortConflictsBothWhileAnotherHostnameIsAccepted() {
    GatewaySpecBuilder spec = spec();
    spec.addNewListener().withName("first").withPort(80).withProtocol("HTTP").withHostname("a.example.com")
        .endListener();
    spec.addNewListener().withName("second").withPort(80).withProtocol("HTTP").withHostname("a.example.com")
        .endListener();
    spec.addNewListener().withName("b").withPort(80).withProtocol("HTTP").withHostname("b.example.com")
        .endListener();
    spec.addNewListener().withName("pass-1").withPort(443).withProtocol("TLS").withHostname("c.example.com")
        .withNewTls().withMode("Passthrough").endTls().endListener();
    spec.addNewListener().withName("pass-2").withPort(443).withProtocol("TLS").withHostname("c.example.com")
        .withNewTls().withMode("Passthrough").endTls().endListener();
    // The CRDs' CEL rule refuses two listeners with the same port, protocol and hostname; a Gateway stored without
    // it (CRDs older than the rule, or a server that does not enforce it) can still hold them, and the controller
    // must not pick a winner among them then either. So this one Gateway goes around the API's validation.
    harness.api.admitWithoutValidation(true);
    Gateway gateway;
    try {
      gateway = apply("hosts", spec);
    } finally {
      harness.api.admitWithoutValidation(false);
    }

    assertConflicted(gateway, "first", "HostnameConflict");
    assertConflicted(gateway, "second", "HostnameConflict");
    assertConflicted(gateway, "pass-1", "HostnameConflict");
    assertConflicted(gateway, "pass-2", "HostnameConflict");
    assertEquals("True", condition(listener(gateway, "b").getConditions(), "Accepted").getStatus());
    assertEquals("ListenersNotValid", condition(gateway.getStatus().getConditions(), "Accepted").getReason());
  }

  @Test
  void aGatewayWhoseListenersAllConflictIsNotAccepted() {
    GatewaySpecBuilder spec = spec();
    spec.addNewListener().withName("web").withPort(80).withProtocol("HTTP").endListener();
    spec.addNewListener().withName("raw").withPort(80).withProtocol("TCP").endListener();
    Gateway gateway = apply("only-conflicts", spec);

    Condition accepted = condition(gateway.getStatus().getConditions(), "Accepted");
    assertEquals("False", accepted.getStatus());
    assertEquals("ListenersNotValid", accepted.getReason());
    assertEquals("False", condition(gateway.getStatus().getConditions(), "Programmed").getStatus());
  }

  @Test
  void tlsListenersWhoseHostnamesOverlapSaySoAcrossTheGatewayAndItsListenerSets() {
    var ca = dev.gantry.pki.CertificateAuthority.create("test", java.time.Instant.now(), Duration.ofDays(1));
    var certificate = ca.issueServing(List.of("*.example.com", "*.other.com"), java.time.Instant.now(),
        Duration.ofDays(1));
    harness.apply(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("cert")
        .withNamespace("apps").endMetadata().withType("kubernetes.io/tls")
        .addToStringData("tls.crt", certificate.certificatePem()).addToStringData("tls.key", certificate.keyPem())
        .build());
    GatewaySpecBuilder spec = spec().withNewAllowedListeners().withNewNamespaces().withFrom("Same").endNamespaces()
        .endAllowedListeners();
    spec.addNewListener().withName("wildcard").withPort(443).withProtocol("HTTPS").withHostname("*.example.com")
        .withNewTls().addNewCertificateRef().withName("cert").endCertificateRef().endTls().endListener();
    spec.addNewListener().withName("foo").withPort(443).withProtocol("HTTPS").withHostname("foo.example.com")
        .withNewTls().addNewCertificateRef().withName("cert").endCertificateRef().endTls().endListener();
    spec.addNewListener().withName("elsewhere").withPort(443).withProtocol("HTTPS").withHostname("a.other.com")
        .withNewTls().addNewCertificateRef().withName("cert").endCertificateRef().endTls().endListener();
    Gateway gateway = apply("tls", spec);

    assertOverlapping(listener(gateway, "wildcard").getConditions());
    assertOverlapping(listener(gateway, "foo").getConditions());
    assertTrue(listener(gateway, "elsewhere").getConditions().stream()
        .noneMatch(c -> c.getType().equals("OverlappingTLSConfig")), "a.other.com overlaps nothing");

    harness.apply(new io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder().withNewMetadata()
        .withName("team").withNamespace("apps").endMetadata().withNewSpec().withNewParentRef().withName("tls")
        .endParentRef().addNewListener().withName("team").withPort(443).withProtocol("HTTPS")
        .withHostname("team.example.com").withNewTls().addNewCertificateRef().withName("cert").endCertificateRef()
        .endTls().endListener().endSpec().build());
    Eventually.await(TIMEOUT, "the ListenerSet's listener overlaps the Gateway's wildcard", () -> {
      var set = harness.client.resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet.class)
          .inNamespace("apps").withName("team").get();
      return set != null && set.getStatus() != null && set.getStatus().getListeners() != null
          && set.getStatus().getListeners().stream().flatMap(l -> l.getConditions().stream())
              .anyMatch(c -> c.getType().equals("OverlappingTLSConfig") && c.getReason().equals("OverlappingHostnames")
                  && c.getMessage().contains("*.example.com"));
    });
  }

  private static void assertOverlapping(List<Condition> conditions) {
    Condition overlapping = condition(conditions, "OverlappingTLSConfig");
    assertEquals("True", overlapping.getStatus());
    assertEquals("OverlappingHostnames", overlapping.getReason());
  }

  private static GatewaySpecBuilder spec() {
    return new GatewaySpecBuilder().withGatewayClassName("gantry").addNewAddress().withType("IPAddress")
        .withValue("10.0.0.1").endAddress();
  }

  /** Applies the Gateway and waits for status of its generation with a status for every listener. */
  private Gateway apply(String name, GatewaySpecBuilder spec) {
    Gateway gateway = new GatewayBuilder().withNewMetadata().withName(name).withNamespace("apps").endMetadata()
        .withSpec(spec.build()).build();
    harness.apply(gateway);
    int listeners = gateway.getSpec().getListeners().size();
    Eventually.await(TIMEOUT, "status of Gateway " + name, () -> {
      Gateway current = harness.client.resources(Gateway.class).inNamespace("apps").withName(name).get();
      return current.getStatus() != null && current.getStatus().getListeners() != null
          && current.getStatus().getListeners().size() == listeners
          && current.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Accepted"));
    });
    return harness.client.resources(Gateway.class).inNamespace("apps").withName(name).get();
  }

  private static void assertConflicted(Gateway gateway, String name, String reason) {
    List<Condition> conditions = listener(gateway, name).getConditions();
    assertEquals("False", condition(conditions, "Accepted").getStatus(), name);
    assertEquals(reason, condition(conditions, "Accepted").getReason(), name);
    assertEquals("True", condition(conditions, "Conflicted").getStatus(), name);
    assertEquals(reason, condition(conditions, "Conflicted").getReason(), name);
    assertEquals("False", condition(conditions, "Programmed").getStatus(), name);
  }

  private static ListenerStatus listener(Gateway gateway, String name) {
    return gateway.getStatus().getListeners().stream().filter(l -> l.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no status for listener " + name));
  }

  private static Condition condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition in " + conditions));
  }
}
