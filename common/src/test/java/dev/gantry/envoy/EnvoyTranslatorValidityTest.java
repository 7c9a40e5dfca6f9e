package dev.gantry.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.envoy.EnvoyValidator.Violation;
import dev.gantry.ir.GatewayIr;
import dev.gantry.kube.ManifestLoader;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.translate.GatewayApiTranslator;
import dev.gantry.translate.GatewayTranslation;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the real translators make of realistic Gateway API objects passes Envoy's own field rules: Gateway API
 * objects through {@link GatewayApiTranslator} to a {@link GatewayIr}, through {@link EnvoyTranslator} to Envoy
 * resources, through {@link EnvoyValidator}.
 */
class EnvoyTranslatorValidityTest {

    private static final String MANIFESTS = """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: infra
      ---
      apiVersion: v1
      kind: Namespace
      metadata:
        name: team
        labels:
          gantry.dev/team: "true"
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata:
        name: gantry
      spec:
        controllerName: gantry.dev/gateway-controller
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata:
        name: edge
        namespace: infra
      spec:
        gatewayClassName: gantry
        addresses:
        - type: IPAddress
          value: 127.0.0.1
        allowedListeners:
          namespaces:
            from: Selector
            selector:
              matchLabels:
                gantry.dev/team: "true"
        listeners:
        - name: http
          port: 8080
          protocol: HTTP
          allowedRoutes:
            namespaces:
              from: All
        - name: https
          port: 8443
          protocol: HTTPS
          hostname: "*.example.com"
          tls:
            mode: Terminate
            certificateRefs:
            - name: edge-tls
          allowedRoutes:
            namespaces:
              from: All
        - name: tls-passthrough
          port: 9443
          protocol: TLS
          hostname: db.example.com
          tls:
            mode: Passthrough
          allowedRoutes:
            namespaces:
              from: All
        - name: tcp
          port: 9100
          protocol: TCP
          allowedRoutes:
            namespaces:
              from: All
        - name: udp
          port: 9200
          protocol: UDP
          allowedRoutes:
            namespaces:
              from: All
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: ListenerSet
      metadata:
        name: team
        namespace: team
      spec:
        parentRef:
          name: edge
          namespace: infra
        listeners:
        - name: team-http
          port: 8080
          protocol: HTTP
          hostname: team.example.org
        - name: team-https
          port: 8443
          protocol: HTTPS
          hostname: secure.team.example.org
          tls:
            mode: Terminate
            certificateRefs:
            - name: team-tls
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: shop
        namespace: team
      spec:
        parentRefs:
        - name: edge
          namespace: infra
          sectionName: http
        - name: edge
          namespace: infra
          sectionName: https
        hostnames:
        - shop.example.com
        - "*.shop.example.com"
        rules:
        - matches:
          - path:
              type: Exact
              value: /checkout
            method: POST
            headers:
            - name: X-Tenant
              value: gold
            - name: x-request-id
              type: RegularExpression
              value: "[0-9a-f-]+"
            queryParams:
            - name: debug
              value: "1"
            - name: variant
              type: RegularExpression
              value: "^(a|b)$"
          backendRefs:
          - name: checkout
            port: 8080
            weight: 90
          - name: checkout-canary
            port: 8080
            weight: 10
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier:
                set:
                - name: X-Canary
                  value: "true"
            - type: ResponseHeaderModifier
              responseHeaderModifier:
                remove:
                - Server
          - name: checkout
            port: 8080
            weight: 0
          timeouts:
            request: 10s
            backendRequest: 2s
          retry:
            attempts: 3
            backoff: 100ms
            codes: [502, 503]
        - matches:
          - path:
              type: PathPrefix
              value: /api/
          filters:
          - type: RequestHeaderModifier
            requestHeaderModifier:
              set:
              - name: X-Gateway
                value: edge
              add:
              - name: X-Trace
                value: "on"
              remove:
              - X-Internal
          - type: ResponseHeaderModifier
            responseHeaderModifier:
              add:
              - name: Strict-Transport-Security
                value: max-age=31536000
          - type: URLRewrite
            urlRewrite:
              hostname: api.internal
              path:
                type: ReplacePrefixMatch
                replacePrefixMatch: /
          - type: RequestMirror
            requestMirror:
              backendRef:
                name: audit
                port: 9000
              percent: 25
          - type: RequestMirror
            requestMirror:
              backendRef:
                name: shadow
                port: 80
          - type: CORS
            cors:
              allowOrigins:
              - "*"
              - https://app.example.com
              - https://*.example.net
              allowMethods: [GET, POST]
              allowHeaders: [Authorization, Content-Type]
              exposeHeaders: [X-Request-Id]
              maxAge: 600
              allowCredentials: true
          backendRefs:
          - name: api
            port: 8080
          timeouts:
            request: "0s"
          retry:
            attempts: 2
        - matches:
          - path:
              type: RegularExpression
              value: "/v[0-9]+/items/.*"
          filters:
          - type: URLRewrite
            urlRewrite:
              path:
                type: ReplaceFullPath
                replaceFullPath: /items
          backendRefs:
          - name: legacy
            port: 80
          timeouts:
            backendRequest: 1500ms
        - matches:
          - path:
              type: PathPrefix
              value: /old
          filters:
          - type: RequestRedirect
            requestRedirect:
              scheme: https
              hostname: www.example.com
              port: 443
              statusCode: 301
              path:
                type: ReplacePrefixMatch
                replacePrefixMatch: /
        - matches:
          - path:
              type: PathPrefix
              value: /moved
          filters:
          - type: RequestRedirect
            requestRedirect:
              path:
                type: ReplaceFullPath
                replaceFullPath: /new-home
              statusCode: 308
        - matches:
          - path:
              type: PathPrefix
              value: /docs
          filters:
          - type: RequestRedirect
            requestRedirect:
              path:
                type: ReplacePrefixMatch
                replacePrefixMatch: /documentation
        - matches:
          - path:
              type: PathPrefix
              value: /missing
          backendRefs:
          - name: does-not-exist
            port: 80
        - matches:
          - path:
              type: PathPrefix
              value: /outside
          backendRefs:
          - name: partner
            port: 443
        - backendRefs:
          - name: web
            port: 80
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata:
        name: team-site
        namespace: team
      spec:
        parentRefs:
        - group: gateway.networking.k8s.io
          kind: ListenerSet
          name: team
        rules:
        - backendRefs:
          - name: web
            port: 80
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: GRPCRoute
      metadata:
        name: inventory
        namespace: team
      spec:
        parentRefs:
        - name: edge
          namespace: infra
          sectionName: https
        hostnames:
        - grpc.example.com
        rules:
        - matches:
          - method:
              service: shop.Inventory
              method: Get
            headers:
            - name: x-client
              value: mobile
          filters:
          - type: RequestHeaderModifier
            requestHeaderModifier:
              add:
              - name: x-via
                value: gantry
          backendRefs:
          - name: inventory
            port: 50051
        - matches:
          - method:
              type: RegularExpression
              service: "shop\\\\..*"
          backendRefs:
          - name: inventory
            port: 50051
            weight: 3
          - name: inventory-tls
            port: 443
            weight: 1
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: TLSRoute
      metadata:
        name: db
        namespace: team
      spec:
        parentRefs:
        - name: edge
          namespace: infra
          sectionName: tls-passthrough
        hostnames:
        - db.example.com
        rules:
        - backendRefs:
          - name: db
            port: 5432
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: TCPRoute
      metadata:
        name: cache
        namespace: team
      spec:
        parentRefs:
        - name: edge
          namespace: infra
          sectionName: tcp
        rules:
        - backendRefs:
          - name: cache
            port: 6379
            weight: 80
          - name: cache-replica
            port: 6379
            weight: 20
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: UDPRoute
      metadata:
        name: dns
        namespace: team
      spec:
        parentRefs:
        - name: edge
          namespace: infra
          sectionName: udp
        rules:
        - backendRefs:
          - name: dns
            port: 53
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: BackendTLSPolicy
      metadata:
        name: inventory-tls
        namespace: team
      spec:
        targetRefs:
        - group: ""
          kind: Service
          name: inventory-tls
        validation:
          hostname: inventory.team.svc
          caCertificateRefs:
          - group: ""
            kind: ConfigMap
            name: inventory-ca
          subjectAltNames:
          - type: Hostname
            hostname: inventory.team.svc
          - type: URI
            uri: spiffe://cluster.local/ns/team/sa/inventory
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: BackendTLSPolicy
      metadata:
        name: partner-tls
        namespace: team
      spec:
        targetRefs:
        - group: ""
          kind: Service
          name: partner
        validation:
          hostname: api.partner.example
          wellKnownCACertificates: System
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: partner
        namespace: team
      spec:
        type: ExternalName
        externalName: api.partner.example
        ports:
        - name: https
          port: 443
      """;

    /** Services with one EndpointSlice each: name, port, target port, appProtocol, endpoint addresses. */
    private record Backend(
            String name, int port, int targetPort, String appProtocol, String protocol, List<String> addresses) {}

    private static final List<Backend> BACKENDS = List.of(
            new Backend("checkout", 8080, 8080, null, "TCP", List.of("10.1.0.1", "10.1.0.2")),
            new Backend("checkout-canary", 8080, 8080, null, "TCP", List.of("10.1.0.3")),
            new Backend("api", 8080, 9090, null, "TCP", List.of("10.1.1.1", "10.1.1.2", "10.1.1.3")),
            new Backend("audit", 9000, 9000, null, "TCP", List.of("10.1.2.1")),
            new Backend("shadow", 80, 8080, null, "TCP", List.of()),
            new Backend("legacy", 80, 8080, null, "TCP", List.of("10.1.3.1")),
            new Backend("web", 80, 8080, null, "TCP", List.of("10.1.4.1", "10.1.4.2")),
            new Backend("inventory", 50051, 50051, "kubernetes.io/h2c", "TCP", List.of("10.1.5.1")),
            new Backend("inventory-tls", 443, 8443, "kubernetes.io/h2c", "TCP", List.of("10.1.5.2")),
            new Backend("db", 5432, 5432, null, "TCP", List.of("10.1.6.1")),
            new Backend("cache", 6379, 6379, null, "TCP", List.of("10.1.7.1")),
            new Backend("cache-replica", 6379, 6379, null, "TCP", List.of("10.1.7.2")),
            new Backend("dns", 53, 5353, null, "UDP", List.of("10.1.8.1", "10.1.8.2")));

    private static String certificatePem;
    private static String privateKeyPem;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=example.com");
        var certificate = new JcaX509v3CertificateBuilder(
                        subject,
                        BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(1, ChronoUnit.DAYS)),
                        Date.from(now.plus(365, ChronoUnit.DAYS)),
                        subject,
                        keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "*.example.com"),
                    new GeneralName(GeneralName.dNSName, "secure.team.example.org")
                }))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        certificatePem = pem("CERTIFICATE", certificate.getEncoded());
        privateKeyPem = pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static HasMetadata tlsSecret(String namespace, String name) {
        Base64.Encoder base64 = Base64.getEncoder();
        return new SecretBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(
                        "tls.crt", base64.encodeToString(certificatePem.getBytes(StandardCharsets.US_ASCII)),
                        "tls.key", base64.encodeToString(privateKeyPem.getBytes(StandardCharsets.US_ASCII))))
                .build();
    }

    private static List<HasMetadata> objects() {
        ManifestLoader.Result parsed = ManifestLoader.parse("features.yaml", MANIFESTS);
        assertEquals(List.of(), parsed.problems());
        List<HasMetadata> objects = new ArrayList<>(
                parsed.documents().stream().map(ManifestLoader.Document::object).toList());
        objects.add(tlsSecret("infra", "edge-tls"));
        objects.add(tlsSecret("team", "team-tls"));
        objects.add(new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace("team")
                .withName("inventory-ca")
                .endMetadata()
                .withData(Map.of("ca.crt", certificatePem))
                .build());
        StringBuilder yaml = new StringBuilder();
        for (Backend backend : BACKENDS) {
            yaml.append("""
          apiVersion: v1
          kind: Service
          metadata:
            name: %1$s
            namespace: team
          spec:
            selector:
              app: %1$s
            ports:
            - name: main
              port: %2$d
              targetPort: %3$d
              protocol: %5$s
          %4$s---
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata:
            name: %1$s-1
            namespace: team
            labels:
              kubernetes.io/service-name: %1$s
          addressType: IPv4
          ports:
          - name: main
            port: %3$d
            protocol: %5$s
          endpoints:
          """.formatted(
                            backend.name(),
                            backend.port(),
                            backend.targetPort(),
                            backend.appProtocol() == null ? "" : "    appProtocol: " + backend.appProtocol() + "\n",
                            backend.protocol()));
            for (String address : backend.addresses()) {
                yaml.append("- addresses: [\"").append(address).append("\"]\n  conditions:\n    ready: true\n");
            }
            yaml.append("---\n");
        }
        ManifestLoader.Result services = ManifestLoader.parse("services.yaml", yaml.toString());
        assertEquals(List.of(), services.problems());
        services.documents().forEach(d -> objects.add(d.object()));
        return objects;
    }

    private static GatewayTranslation translate(List<HasMetadata> objects, ObjectKey gateway) {
        return new GatewayApiTranslator(TranslatorConfig.defaults())
                .translate(ClusterStore.of(objects), gateway)
                .orElseThrow();
    }

    @Test
    void everyFeatureTranslatesToResourcesEnvoyAccepts() {
        GatewayTranslation translation = translate(objects(), new ObjectKey("infra", "edge"));

        // The objects are right, so every feature really reaches the IR: every condition holds, except the
        // ResolvedRefs of the route that names a missing Service on purpose.
        List<String> falseConditions = new ArrayList<>();
        translation.gatewayStatus().conditions().stream()
                .filter(c -> !c.isTrue())
                .forEach(c -> falseConditions.add("Gateway " + c.type() + ": " + c.message()));
        translation
                .gatewayStatus()
                .listeners()
                .forEach(l -> l.conditions().stream()
                        .filter(c -> !c.isTrue()
                                && !c.type().equals("Conflicted")
                                && !c.type().equals("OverlappingTLSConfig"))
                        .forEach(c -> falseConditions.add("listener " + l + ": " + c.type())));
        translation
                .routeParents()
                .forEach(p -> p.status().conditions().stream()
                        .filter(c -> !c.isTrue())
                        .forEach(c -> falseConditions.add(p.route() + " " + c.type() + ": " + c.message())));
        assertEquals(
                List.of("team/shop ResolvedRefs"),
                falseConditions.stream()
                        .map(s -> s.replaceAll(":.*", ""))
                        .distinct()
                        .toList(),
                falseConditions.toString());

        GatewayIr ir = translation.ir();
        assertEquals(
                List.of(8080, 8443, 9100, 9200, 9443),
                ir.ports().stream().map(p -> p.port()).sorted().toList());
        EnvoyResources resources = new EnvoyTranslator().translate(ir);
        assertTrue(
                resources.routes().size() >= 2
                        && resources.clusters().size() >= 12
                        && resources.secrets().size() >= 3,
                () -> "routes " + resources.routes().size() + ", clusters "
                        + resources.clusters().size() + ", secrets "
                        + resources.secrets().size());

        List<Violation> violations = new EnvoyValidator().validate(resources);
        assertEquals(
                List.of(),
                violations,
                () -> String.join(
                        "\n", violations.stream().map(Violation::toString).toList()));
    }

    /**
     * About a 2,500-RouteConfiguration gateway: 40,000 routes of the kinds the feature test makes are all valid. What
     * checking them costs is measured by {@code TranslationBenchmark.validation}, not here.
     */
    @Test
    void fortyThousandRoutesValidate() {
        EnvoyResources resources = new EnvoyTranslator()
                .translate(translate(objects(), new ObjectKey("infra", "edge")).ir());
        List<Route> templates = resources.routes().stream()
                .flatMap(r -> r.resource().getVirtualHostsList().stream())
                .flatMap(h -> h.getRoutesList().stream())
                .toList();
        assertTrue(templates.size() >= 10, templates::toString);
        List<EnvoyResources.Versioned<RouteConfiguration>> tables = new ArrayList<>();
        int routes = 0;
        for (int t = 0; t < 2_500; t++) {
            VirtualHost.Builder host =
                    VirtualHost.newBuilder().setName("host-" + t).addDomains("h" + t + ".example.com");
            for (int r = 0; r < 16; r++, routes++) {
                host.addRoutes(
                        templates.get(routes % templates.size()).toBuilder().setName("route-" + routes));
            }
            RouteConfiguration table = RouteConfiguration.newBuilder()
                    .setName("table-" + t)
                    .addVirtualHosts(host)
                    .build();
            tables.add(EnvoyTranslator.versioned(table.getName(), table));
        }
        EnvoyResources big = new EnvoyResources(List.of(), tables, List.of(), List.of(), List.of());
        EnvoyValidator validator = new EnvoyValidator();
        assertEquals(List.of(), validator.validate(big));
        assertEquals(40_000, routes);
    }

    @Test
    void theExamplesTranslateToResourcesEnvoyAccepts() throws Exception {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                ManifestLoader.Result parsed =
                        ManifestLoader.parse(file.getFileName().toString(), Files.readString(file));
                assertEquals(List.of(), parsed.problems());
                parsed.documents().forEach(d -> objects.add(d.object()));
            }
        }
        objects.addAll(ManifestLoader.parse("class.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: gantry
        spec:
          controllerName: gantry.dev/gateway-controller
        """).documents().stream()
                .map(ManifestLoader.Document::object)
                .toList());
        GatewayTranslation translation = translate(objects, new ObjectKey("infra", "shared"));
        assertTrue(
                translation.gatewayStatus().conditions().stream().allMatch(ConditionIr::isTrue),
                translation.gatewayStatus().toString());
        EnvoyResources resources = new EnvoyTranslator().translate(translation.ir());
        assertTrue(resources.resourceCount() > 5, resources.toString());
        assertEquals(List.of(), new EnvoyValidator().validate(resources));
    }
}
