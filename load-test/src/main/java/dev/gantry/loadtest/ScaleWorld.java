package dev.gantry.loadtest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFromBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The ListenerSet scale world of the benchmarks (the shape of gateway-api-bench's ListenerSet test): Gateways,
 * each with a placeholder listener and {@code allowedListeners: All}; namespaces as teams, each with ListenerSets
 * of one HTTPS :443 listener with its own hostname and a shared certificate (cross-namespace, through a
 * ReferenceGrant); routes parented to each ListenerSet, one rule each; Services with endpoints.
 *
 * @param gateways number of Gateways (the default world has one)
 * @param namespaces team namespaces
 * @param setsPerNamespace ListenerSets per namespace (spread over the Gateways)
 * @param routesPerSet HTTPRoutes per ListenerSet
 * @param servicesPerNamespace Services per namespace (routes spread over them)
 * @param endpointsPerService ready endpoints per Service
 */
public record ScaleWorld(int gateways, int namespaces, int setsPerNamespace, int routesPerSet,
    int servicesPerNamespace, int endpointsPerService) {

  public static final String GATEWAY_NAMESPACE = "infra";
  public static final String CERTIFICATE = "wildcard-cert";

  /** 50 namespaces x 50 ListenerSets x 16 routes: 2,500 ListenerSets and 40,000 HTTPRoutes on one Gateway. */
  public static ScaleWorld listenerSetScale() {
    return new ScaleWorld(1, 50, 50, 16, 16, 2);
  }

  /** The same shape scaled by a factor (0.1 = a tenth of the ListenerSets), at least one of each. */
  public ScaleWorld scaled(double factor) {
    int sets = Math.max(1, (int) Math.round(namespaces * setsPerNamespace * factor));
    int ns = Math.max(1, Math.min(namespaces, (int) Math.ceil(Math.sqrt(sets))));
    return new ScaleWorld(gateways, ns, Math.max(1, (int) Math.ceil((double) sets / ns)), routesPerSet,
        servicesPerNamespace, endpointsPerService);
  }

  public ScaleWorld withGateways(int count) {
    return new ScaleWorld(count, namespaces, setsPerNamespace, routesPerSet, servicesPerNamespace,
        endpointsPerService);
  }

  public int listenerSets() {
    return namespaces * setsPerNamespace;
  }

  public int routes() {
    return listenerSets() * routesPerSet;
  }

  public static String namespace(int n) {
    return String.format("team-%03d", n);
  }

  public static String gatewayName(int g) {
    return "shared-" + g;
  }

  public static String setName(int s) {
    return String.format("ls-%03d", s);
  }

  public static String routeName(int s, int r) {
    return String.format("ls-%03d-r%02d", s, r);
  }

  public static String hostname(int n, int s) {
    return String.format("app-%03d-%03d.example.com", n, s);
  }

  /** Which Gateway a ListenerSet of a namespace attaches to. */
  public int gatewayOf(int n, int s) {
    return (n * setsPerNamespace + s) % gateways;
  }

  /** Infrastructure: GatewayClass, namespaces, Gateways, certificate, grants, Services and EndpointSlices. */
  public List<HasMetadata> infrastructure(String certificatePem, String keyPem) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(new GatewayClassBuilder().withNewMetadata().withName("gantry").endMetadata()
        .withNewSpec().withControllerName("gantry.dev/gateway-controller").endSpec().build());
    objects.add(new NamespaceBuilder().withNewMetadata().withName(GATEWAY_NAMESPACE).endMetadata().build());
    for (int g = 0; g < gateways; g++) {
      objects.add(new GatewayBuilder().withNewMetadata().withName(gatewayName(g)).withNamespace(GATEWAY_NAMESPACE)
          .endMetadata().withNewSpec().withGatewayClassName("gantry")
          .withNewAllowedListeners().withNewNamespaces().withFrom("All").endNamespaces().endAllowedListeners()
          .addNewListener().withName("placeholder").withPort(80).withProtocol("HTTP").withHostname("placeholder.invalid")
          .endListener().endSpec().build());
    }
    objects.add(new SecretBuilder().withNewMetadata().withName(CERTIFICATE).withNamespace(GATEWAY_NAMESPACE)
        .endMetadata().withType("kubernetes.io/tls")
        .withData(Map.of("tls.crt", b64(certificatePem), "tls.key", b64(keyPem))).build());
    var grant = new ReferenceGrantBuilder().withNewMetadata().withName("listenersets-use-wildcard-cert")
        .withNamespace(GATEWAY_NAMESPACE).endMetadata().withNewSpec()
        .addNewTo().withGroup("").withKind("Secret").withName(CERTIFICATE).endTo();
    for (int n = 0; n < namespaces; n++) {
      grant.addToFrom(new ReferenceGrantFromBuilder().withGroup("gateway.networking.k8s.io").withKind("ListenerSet")
          .withNamespace(namespace(n)).build());
    }
    objects.add(grant.endSpec().build());
    for (int n = 0; n < namespaces; n++) {
      String ns = namespace(n);
      objects.add(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
      for (int v = 0; v < servicesPerNamespace; v++) {
        String name = "svc-" + v;
        objects.add(new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
            .withNewSpec().addNewPort().withName("http").withPort(8080).endPort().endSpec().build());
        var slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-1").withNamespace(ns)
            .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4")
            .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (int e = 0; e < endpointsPerService; e++) {
          slice.addNewEndpoint().withAddresses(String.format("10.%d.%d.%d", n % 250, v, e + 1))
              .withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        objects.add(slice.build());
      }
    }
    return objects;
  }

  /** The ListenerSets of one namespace. */
  public List<HasMetadata> listenerSets(int n) {
    List<HasMetadata> objects = new ArrayList<>();
    for (int s = 0; s < setsPerNamespace; s++) {
      objects.add(new ListenerSetBuilder().withNewMetadata().withName(setName(s)).withNamespace(namespace(n))
          .endMetadata().withNewSpec().withNewParentRef().withName(gatewayName(gatewayOf(n, s)))
          .withNamespace(GATEWAY_NAMESPACE).endParentRef()
          .addNewListener().withName("https").withPort(443).withProtocol("HTTPS").withHostname(hostname(n, s))
          .withNewTls().withMode("Terminate").addNewCertificateRef().withName(CERTIFICATE)
          .withNamespace(GATEWAY_NAMESPACE).endCertificateRef().endTls().endListener()
          .endSpec().build());
    }
    return objects;
  }

  /** The routes of one ListenerSet; {@code variant} changes the path, to simulate an edit. */
  public List<HTTPRoute> routes(int n, int s, int variant) {
    List<HTTPRoute> routes = new ArrayList<>();
    for (int r = 0; r < routesPerSet; r++) {
      routes.add(route(n, s, r, variant));
    }
    return routes;
  }

  public HTTPRoute route(int n, int s, int r, int variant) {
    return new HTTPRouteBuilder().withNewMetadata().withName(routeName(s, r)).withNamespace(namespace(n))
        .endMetadata().withNewSpec()
        .addNewParentRef().withGroup("gateway.networking.k8s.io").withKind("ListenerSet").withName(setName(s))
        .endParentRef()
        .addNewRule().addNewMatch().withNewPath().withType("PathPrefix")
        .withValue("/api/v" + variant + "/r" + r).endPath().endMatch()
        .addNewBackendRef().withName("svc-" + (r % servicesPerNamespace)).withPort(8080).endBackendRef()
        .endRule().endSpec().build();
  }

  /** Every object of the world. */
  public List<HasMetadata> all(String certificatePem, String keyPem) {
    List<HasMetadata> objects = new ArrayList<>(infrastructure(certificatePem, keyPem));
    for (int n = 0; n < namespaces; n++) {
      objects.addAll(listenerSets(n));
      for (int s = 0; s < setsPerNamespace; s++) {
        objects.addAll(routes(n, s, 1));
      }
    }
    return objects;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
