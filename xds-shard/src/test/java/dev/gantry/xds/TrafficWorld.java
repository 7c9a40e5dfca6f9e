package dev.gantry.xds;

import dev.gantry.kube.ManifestLoader;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import dev.gantry.xds.client.EnvoyRouter;
import dev.gantry.xds.client.HttpRequest;
import dev.gantry.xds.client.RoutingOutcome;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One in-memory API and one shard with the upstream conformance suite's base manifests, and a simulated proxy per
 * Gateway: each case of an upstream test's traffic table is routed through what that proxy holds, with
 * {@link EnvoyRouter}. Every Service has an EndpointSlice of its own address, so that the Service a request reaches
 * is read from the endpoints of the cluster the route picks, as the upstream suite reads it from the echo server's
 * answer.
 */
final class TrafficWorld implements AutoCloseable {

    static final String INFRA = "gateway-conformance-infra";
    static final String WEB_BACKEND = "gateway-conformance-web-backend";
    private static final String RESOURCES = "/conformance/";
    private static final Duration CONSISTENT_WITHIN = Duration.ofSeconds(20);

    private final ShardHarness harness = new ShardHarness();
    private final XdsShard shard;
    private final Map<String, String> serviceByAddress = new HashMap<>();
    private final Map<String, AdsClient> proxies = new LinkedHashMap<>();
    private int services;

    TrafficWorld() {
        long started = System.nanoTime();
        shard = harness.startShard(0, 1, 0, Map.of());
        for (HasMetadata object : manifest("base-manifests.yaml")) {
            harness.apply(object);
            if (object instanceof Service service) {
                harness.apply(endpointsOf(service));
            }
        }
        // What the upstream suite creates in code, for the HTTPS listeners of the base Gateway.
        KeyedCertificate certificate = harness.ca.issueServing(
                List.of("*.org", "*.wildcard.org", "example.org"), Instant.now(), Duration.ofHours(1));
        harness.apply(new SecretBuilder()
                .withNewMetadata()
                .withNamespace(INFRA)
                .withName("tls-validity-checks-certificate")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of(
                        "tls.crt", base64(certificate.certificatePem()), "tls.key", base64(certificate.keyPem())))
                .build());
        System.out.printf(
                "traffic conformance: shard and base manifests ready in %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
    }

    /** What one request is expected to get, as an upstream test's table says. */
    sealed interface Expected {
        /** The request reaches this Service, with the path, host and headers given (null: not looked at). */
        record Backend(
                String namespace,
                String service,
                String path,
                String host,
                Map<String, String> headers,
                List<String> absentHeaders)
                implements Expected {
            public Backend {
                headers = headers == null ? Map.of() : Map.copyOf(headers);
                absentHeaders = absentHeaders == null ? List.of() : List.copyOf(absentHeaders);
            }
        }

        /** The proxy answers with this status itself. */
        record Status(int status) implements Expected {}

        /**
         * A redirect with this status; the Location's scheme, host and path when given (null: any scheme and host,
         * the request's path), and its port (null: none, or the scheme's default, as the upstream suite allows).
         */
        record Redirect(int status, String scheme, String host, String port, String path) implements Expected {}
    }

    /** One row of a traffic table: a request to a Gateway's port and what it must get. */
    record Case(String gateway, int port, HttpRequest request, Expected expected) {}

    /**
     * Applies an upstream test's manifests, waits until every case holds at once (the upstream suite's eventually
     * consistent responses), then deletes what it applied and waits until the proxies route nothing any longer, as
     * the base manifests leave them.
     */
    void run(List<String> manifests, List<Case> cases) {
        List<HasMetadata> applied = new ArrayList<>();
        for (String path : manifests) {
            for (HasMetadata object : manifest("tests/" + path)) {
                harness.apply(object);
                applied.add(object);
            }
        }
        try {
            Eventually.await(
                    CONSISTENT_WITHIN,
                    "every case of " + manifests + " holds",
                    () -> failures(cases).isEmpty(),
                    () -> String.join("\n", failures(cases)));
        } finally {
            for (int i = applied.size() - 1; i >= 0; i--) {
                HasMetadata object = applied.get(i);
                if (!(object instanceof Namespace)) {
                    harness.client.resource(object).delete();
                }
                // A deleted Gateway's proxies go with its Deployment; the shard leaves them their last configuration.
                if (object instanceof Gateway gateway) {
                    proxies.remove(ObjectKey.of(gateway).toString());
                }
            }
            Eventually.await(
                    CONSISTENT_WITHIN,
                    "the proxies route nothing after " + manifests,
                    () -> proxies.values().stream().allMatch(TrafficWorld::routesNothing),
                    () -> describeRoutes());
        }
    }

    private List<String> failures(List<Case> cases) {
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            AdsClient proxy = proxy(c.gateway());
            RoutingOutcome outcome;
            try {
                outcome = EnvoyRouter.of(proxy).route(c.port(), c.request());
            } catch (IllegalStateException e) {
                outcome = new RoutingOutcome.ConnectionFailed(e.getMessage());
            }
            String failure = mismatch(proxy, c, outcome);
            if (failure != null) {
                failures.add(c.gateway() + ":" + c.port() + " " + c.request().method() + " "
                        + c.request().authority() + c.request().path() + " "
                        + c.request().headers() + ": "
                        + failure);
            }
        }
        return failures;
    }

    private String mismatch(AdsClient proxy, Case c, RoutingOutcome outcome) {
        return switch (c.expected()) {
            case Expected.Status status -> {
                int actual = statusOf(outcome);
                yield actual == status.status() ? null : "expected " + status.status() + ", got " + outcome;
            }
            case Expected.Backend backend -> backendMismatch(proxy, c.request(), backend, outcome);
            case Expected.Redirect redirect -> redirectMismatch(c.request(), redirect, outcome);
        };
    }

    private String backendMismatch(
            AdsClient proxy, HttpRequest request, Expected.Backend expected, RoutingOutcome outcome) {
        if (!(outcome instanceof RoutingOutcome.Forward forward)) {
            return "expected " + expected.namespace() + "/" + expected.service() + ", got " + outcome;
        }
        String want = expected.namespace() + "/" + expected.service();
        for (RoutingOutcome.Backend backend : forward.backends()) {
            if (backend.weight() == 0) {
                continue;
            }
            Set<String> reached = servicesOf(proxy, backend.cluster());
            if (!backend.held() || !reached.equals(Set.of(want))) {
                return "expected " + want + ", cluster " + backend.cluster() + " reaches " + reached
                        + (backend.held() ? "" : " (not held)");
            }
            if (expected.path() != null && !expected.path().equals(forward.path())) {
                return "expected path " + expected.path() + ", got " + forward.path();
            }
            if (expected.host() != null && !expected.host().equals(forward.authority())) {
                return "expected host " + expected.host() + ", got " + forward.authority();
            }
            Map<String, List<String>> upstream = forward.upstreamHeaders(backend, request.headers());
            for (var header : expected.headers().entrySet()) {
                List<String> values = upstream.get(header.getKey().toLowerCase(Locale.ROOT));
                String joined = values == null ? null : String.join(",", values);
                if (!header.getValue().equals(joined)) {
                    return "expected header " + header.getKey() + ": " + header.getValue() + ", got " + joined;
                }
            }
            for (String absent : expected.absentHeaders()) {
                if (upstream.containsKey(absent.toLowerCase(Locale.ROOT))) {
                    return "expected no header " + absent + ", got " + upstream;
                }
            }
        }
        return null;
    }

    private static String redirectMismatch(HttpRequest request, Expected.Redirect expected, RoutingOutcome outcome) {
        if (!(outcome instanceof RoutingOutcome.Redirect redirect)) {
            return "expected a " + expected.status() + " redirect, got " + outcome;
        }
        URI location = URI.create(redirect.location());
        String port = location.getPort() < 0 ? null : Integer.toString(location.getPort());
        String defaultPort = "https".equals(location.getScheme()) ? "443" : "80";
        String path = expected.path() != null ? expected.path() : request.pathOnly();
        boolean matches = redirect.status() == expected.status()
                && (expected.scheme() == null || expected.scheme().equals(location.getScheme()))
                && (expected.host() == null || expected.host().equals(location.getHost()))
                && (expected.port() == null
                        ? port == null || port.equals(defaultPort)
                        : expected.port().equals(port))
                && path.equals(location.getRawPath());
        return matches ? null : "expected " + expected + ", got " + redirect;
    }

    private static int statusOf(RoutingOutcome outcome) {
        return switch (outcome) {
            case RoutingOutcome.Forward forward -> 200;
            case RoutingOutcome.Redirect redirect -> redirect.status();
            case RoutingOutcome.DirectResponse direct -> direct.status();
            case RoutingOutcome.NoRoute none -> none.status();
            case RoutingOutcome.ClusterNotHeld missing -> missing.status();
            case RoutingOutcome.ConnectionFailed failed -> -1;
        };
    }

    /** The Services whose addresses the cluster's endpoints are. */
    private Set<String> servicesOf(AdsClient proxy, String cluster) {
        ClusterLoadAssignment assignment = proxy.resource(AdsClient.ENDPOINT, cluster, ClusterLoadAssignment.class);
        Set<String> reached = new TreeSet<>();
        if (assignment == null) {
            return reached;
        }
        for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
            for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
                String address =
                        endpoint.getEndpoint().getAddress().getSocketAddress().getAddress();
                reached.add(serviceByAddress.getOrDefault(address, "unknown address " + address));
            }
        }
        return reached;
    }

    private String describeRoutes() {
        StringBuilder out = new StringBuilder();
        proxies.forEach((gateway, proxy) -> out.append(gateway)
                .append(" holds ")
                .append(proxy.names())
                .append(routesNothing(proxy) ? "" : " with routes")
                .append('\n'));
        return out.toString();
    }

    /** Whether the proxy's routes only answer by themselves: no route forwards or redirects. */
    private static boolean routesNothing(AdsClient proxy) {
        for (String name : proxy.names(AdsClient.ROUTE)) {
            RouteConfiguration routes = proxy.resource(AdsClient.ROUTE, name, RouteConfiguration.class);
            for (VirtualHost host : routes.getVirtualHostsList()) {
                for (Route route : host.getRoutesList()) {
                    if (!route.hasDirectResponse()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * The proxy of a Gateway, connected the first time it is asked for, once its listeners serve (their route
     * configurations arrived). Not {@link AdsClient#warm()}: over delta the shard answers no cluster request while the
     * Gateway has no cluster, so a proxy of a Gateway whose routes only redirect never holds a cluster version.
     */
    AdsClient proxy(String gateway) {
        return proxies.computeIfAbsent(gateway, key -> {
            AdsClient proxy = AdsClient.connect(
                    "127.0.0.1",
                    shard.xdsPort(),
                    harness.transport(key),
                    "proxy-" + ObjectKey.parse(key).name(),
                    key,
                    AdsClient.Protocol.DELTA);
            harness.track(proxy);
            Eventually.await(
                    CONSISTENT_WITHIN,
                    "the listeners of the proxy of " + key + " serve",
                    () -> !proxy.names(AdsClient.LISTENER).isEmpty()
                            && proxy.names(AdsClient.LISTENER).stream().allMatch(proxy::listenerWarm),
                    () -> "holds " + proxy.names());
            return proxy;
        });
    }

    /** Responses that would be failed requests at Envoy (a route to a cluster not held warm) or NACKs, by proxy. */
    Map<String, String> proxyProblems() {
        Map<String, String> problems = new LinkedHashMap<>();
        proxies.forEach((gateway, proxy) -> {
            if (proxy.nacksSent() > 0 || proxy.makeBeforeBreakViolations() > 0) {
                problems.put(
                        gateway,
                        proxy.nacksSent() + " NACKs, " + proxy.makeBeforeBreakViolations() + " violations "
                                + proxy.violationSamples());
            }
        });
        return problems;
    }

    /** An EndpointSlice with one address of the Service's own, for each of its ports. */
    private HasMetadata endpointsOf(Service service) {
        services++;
        String address = "10.96." + services + ".1";
        serviceByAddress.put(
                address,
                service.getMetadata().getNamespace() + "/"
                        + service.getMetadata().getName());
        List<EndpointPort> ports = new ArrayList<>();
        for (ServicePort port : service.getSpec().getPorts()) {
            IntOrString target = port.getTargetPort();
            int number = target != null && target.getIntVal() != null ? target.getIntVal() : port.getPort();
            ports.add(new EndpointPortBuilder()
                    .withName(port.getName())
                    .withPort(number)
                    .withProtocol(Objects.requireNonNullElse(port.getProtocol(), "TCP"))
                    .withAppProtocol(port.getAppProtocol())
                    .build());
        }
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withNamespace(service.getMetadata().getNamespace())
                .withName(service.getMetadata().getName() + "-1")
                .addToLabels("kubernetes.io/service-name", service.getMetadata().getName())
                .endMetadata()
                .withAddressType("IPv4")
                .withPorts(ports)
                .addNewEndpoint()
                .withAddresses(address)
                .endEndpoint()
                .build();
    }

    /** The objects of a manifest of the upstream suite, its placeholders substituted, Namespaces first. */
    private static List<HasMetadata> manifest(String path) {
        String yaml;
        try (InputStream in = TrafficWorld.class.getResourceAsStream(RESOURCES + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no conformance manifest " + path);
            }
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        yaml = yaml.replace("{GATEWAY_CLASS_NAME}", "gantry")
                .replace("{GATEWAY_CONTROLLER_NAME}", "gantry.dev/gateway-controller");
        ManifestLoader.Result result = ManifestLoader.parse(path, yaml);
        if (!result.problems().isEmpty()) {
            throw new IllegalStateException("manifest " + path + " does not load: " + result.problems());
        }
        return result.documents().stream()
                .map(ManifestLoader.Document::object)
                .sorted(Comparator.comparingInt(o -> o instanceof Namespace ? 0 : 1))
                .collect(Collectors.toList());
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
