package dev.gantry.loadtest;

import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
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
 * of HTTPS :443 listeners, each listener with its own hostname and a shared certificate (cross-namespace, through
 * a ReferenceGrant); routes parented to each listener, one rule each; Services with endpoints.
 *
 * <p>Every namespace it makes carries the label {@value #LABEL}{@code =true}, so a world applied to a real
 * cluster can be found and deleted again.
 *
 * @param gateways number of Gateways (the default world has one); ListenerSets are spread over them
 * @param namespaces team namespaces
 * @param setsPerNamespace ListenerSets per namespace
 * @param listenersPerSet HTTPS listeners per ListenerSet, each with its own hostname
 * @param routesPerListener HTTPRoutes per listener
 * @param servicesPerNamespace Services per namespace (routes spread over them)
 * @param endpointsPerService ready endpoints per Service
 */
public record ScaleWorld(
        int gateways,
        int namespaces,
        int setsPerNamespace,
        int listenersPerSet,
        int routesPerListener,
        int servicesPerNamespace,
        int endpointsPerService) {

    public static final String GATEWAY_NAMESPACE = "load-infra";
    public static final String CERTIFICATE = "wildcard-cert";
    public static final String GATEWAY_CLASS = "gantry";
    public static final String CONTROLLER_NAME = "gantry.dev/gateway-controller";
    /** Label on every namespace a generated world creates. */
    public static final String LABEL = "gantry.dev/load-test";
    /** The most namespaces one ReferenceGrant may admit (the CRD's maxItems of {@code spec.from}). */
    static final int MAX_GRANT_FROM = 16;

    public ScaleWorld {
        if (gateways < 1
                || namespaces < 1
                || setsPerNamespace < 1
                || listenersPerSet < 1
                || routesPerListener < 0
                || servicesPerNamespace < 1
                || endpointsPerService < 1) {
            throw new IllegalArgumentException("every count of a world must be at least 1 (routes at least 0)");
        }
    }

    /** 50 namespaces x 50 ListenerSets x 16 routes: 2,500 ListenerSets and 40,000 HTTPRoutes on one Gateway. */
    public static ScaleWorld listenerSetScale() {
        return new ScaleWorld(1, 50, 50, 1, 16, 16, 2);
    }

    /**
     * The same shape scaled by a factor: namespaces and ListenerSets per namespace each shrink by its square root
     * (0.01 gives 5 x 5 ListenerSets instead of 50 x 50), so listeners, hostnames and routes shrink by about the
     * factor; at least one of each.
     */
    public ScaleWorld scaled(double factor) {
        double side = Math.sqrt(factor);
        int ns = Math.max(1, (int) Math.round(namespaces * side));
        int sets = Math.max(1, (int) Math.round(setsPerNamespace * side));
        return new ScaleWorld(
                gateways, ns, sets, listenersPerSet, routesPerListener, servicesPerNamespace, endpointsPerService);
    }

    public ScaleWorld withGateways(int count) {
        return new ScaleWorld(
                count,
                namespaces,
                setsPerNamespace,
                listenersPerSet,
                routesPerListener,
                servicesPerNamespace,
                endpointsPerService);
    }

    public int listenerSets() {
        return namespaces * setsPerNamespace;
    }

    /** Listeners of the ListenerSets (each Gateway's placeholder listener not counted). */
    public int listeners() {
        return listenerSets() * listenersPerSet;
    }

    public int routes() {
        return listeners() * routesPerListener;
    }

    /** Services and EndpointSlices: one slice per Service. */
    public int services() {
        return namespaces * servicesPerNamespace;
    }

    public static String namespace(int n) {
        return String.format("load-team-%03d", n);
    }

    public static String gatewayName(int g) {
        return "shared-" + g;
    }

    public static ObjectKey gatewayKey(int g) {
        return new ObjectKey(GATEWAY_NAMESPACE, gatewayName(g));
    }

    public List<ObjectKey> gatewayKeys() {
        List<ObjectKey> keys = new ArrayList<>();
        for (int g = 0; g < gateways; g++) {
            keys.add(gatewayKey(g));
        }
        return keys;
    }

    public static String setName(int s) {
        return String.format("ls-%03d", s);
    }

    public static String listenerName(int l) {
        return l == 0 ? "https" : "https-" + l;
    }

    public static String routeName(int s, int l, int r) {
        return l == 0 ? String.format("ls-%03d-r%02d", s, r) : String.format("ls-%03d-l%d-r%02d", s, l, r);
    }

    public static String hostname(int n, int s, int l) {
        return l == 0
                ? String.format("app-%03d-%03d.example.com", n, s)
                : String.format("app-%03d-%03d-%d.example.com", n, s, l);
    }

    /** Name of the Envoy RouteConfiguration Gantry builds for one HTTPS listener (one table per hostname). */
    public static String routeTable(String hostname) {
        return "https-443-" + hostname;
    }

    public static String serviceName(int v) {
        return "svc-" + v;
    }

    /** Which Gateway a ListenerSet of a namespace attaches to. */
    public int gatewayOf(int n, int s) {
        return (n * setsPerNamespace + s) % gateways;
    }

    /** Infrastructure: GatewayClass, namespaces, Gateways, certificate, grants, Services and EndpointSlices. */
    public List<HasMetadata> infrastructure(String certificatePem, String keyPem) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new GatewayClassBuilder()
                .withNewMetadata()
                .withName(GATEWAY_CLASS)
                .endMetadata()
                .withNewSpec()
                .withControllerName(CONTROLLER_NAME)
                .endSpec()
                .build());
        objects.add(namespaceObject(GATEWAY_NAMESPACE));
        for (int g = 0; g < gateways; g++) {
            objects.add(new GatewayBuilder()
                    .withNewMetadata()
                    .withName(gatewayName(g))
                    .withNamespace(GATEWAY_NAMESPACE)
                    .endMetadata()
                    .withNewSpec()
                    .withGatewayClassName(GATEWAY_CLASS)
                    .withNewAllowedListeners()
                    .withNewNamespaces()
                    .withFrom("All")
                    .endNamespaces()
                    .endAllowedListeners()
                    .addNewListener()
                    .withName("placeholder")
                    .withPort(80)
                    .withProtocol("HTTP")
                    .withHostname("placeholder.invalid")
                    .endListener()
                    .endSpec()
                    .build());
        }
        objects.add(new SecretBuilder()
                .withNewMetadata()
                .withName(CERTIFICATE)
                .withNamespace(GATEWAY_NAMESPACE)
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", b64(certificatePem), "tls.key", b64(keyPem)))
                .build());
        // A ReferenceGrant admits at most 16 namespaces (spec.from's maxItems), so the teams share one per 16.
        for (int first = 0; first < namespaces; first += MAX_GRANT_FROM) {
            var grant = new ReferenceGrantBuilder()
                    .withNewMetadata()
                    .withName(
                            first == 0
                                    ? "listenersets-use-wildcard-cert"
                                    : "listenersets-use-wildcard-cert-" + first / MAX_GRANT_FROM)
                    .withNamespace(GATEWAY_NAMESPACE)
                    .endMetadata()
                    .withNewSpec()
                    .addNewTo()
                    .withGroup("")
                    .withKind("Secret")
                    .withName(CERTIFICATE)
                    .endTo();
            for (int n = first; n < Math.min(namespaces, first + MAX_GRANT_FROM); n++) {
                grant.addToFrom(new ReferenceGrantFromBuilder()
                        .withGroup("gateway.networking.k8s.io")
                        .withKind("ListenerSet")
                        .withNamespace(namespace(n))
                        .build());
            }
            objects.add(grant.endSpec().build());
        }
        for (int n = 0; n < namespaces; n++) {
            String ns = namespace(n);
            objects.add(namespaceObject(ns));
            for (int v = 0; v < servicesPerNamespace; v++) {
                objects.add(new ServiceBuilder()
                        .withNewMetadata()
                        .withName(serviceName(v))
                        .withNamespace(ns)
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withName("http")
                        .withPort(8080)
                        .endPort()
                        .endSpec()
                        .build());
                objects.add(endpointSlice(n, v, List.of()));
            }
        }
        return objects;
    }

    public static Namespace namespaceObject(String name) {
        return new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(LABEL, "true")
                .endMetadata()
                .build();
    }

    /** The EndpointSlice of a Service: its regular endpoints, then {@code extra} addresses (for endpoint churn). */
    public EndpointSlice endpointSlice(int n, int v, List<String> extra) {
        String name = serviceName(v);
        var slice = new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name + "-1")
                .withNamespace(namespace(n))
                .addToLabels("kubernetes.io/service-name", name)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .withProtocol("TCP")
                .endPort();
        for (int e = 0; e < endpointsPerService; e++) {
            slice.addNewEndpoint()
                    .withAddresses(String.format("10.%d.%d.%d", n % 250, v % 250, e + 1))
                    .withNewConditions()
                    .withReady(true)
                    .endConditions()
                    .endEndpoint();
        }
        for (String address : extra) {
            slice.addNewEndpoint()
                    .withAddresses(address)
                    .withNewConditions()
                    .withReady(true)
                    .endConditions()
                    .endEndpoint();
        }
        return slice.build();
    }

    /** The ListenerSets of one namespace. */
    public List<HasMetadata> listenerSets(int n) {
        List<HasMetadata> objects = new ArrayList<>();
        for (int s = 0; s < setsPerNamespace; s++) {
            objects.add(listenerSet(n, s));
        }
        return objects;
    }

    public ListenerSet listenerSet(int n, int s) {
        return listenerSet(namespace(n), setName(s), gatewayName(gatewayOf(n, s)), hostnamesOf(n, s));
    }

    /** A ListenerSet of HTTPS :443 listeners, one per hostname, all with the shared certificate. */
    public static ListenerSet listenerSet(String namespace, String name, String gateway, List<String> hostnames) {
        var spec = new ListenerSetBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withNewParentRef()
                .withName(gateway)
                .withNamespace(GATEWAY_NAMESPACE)
                .endParentRef();
        for (int l = 0; l < hostnames.size(); l++) {
            spec.addNewListener()
                    .withName(listenerName(l))
                    .withPort(443)
                    .withProtocol("HTTPS")
                    .withHostname(hostnames.get(l))
                    .withNewTls()
                    .withMode("Terminate")
                    .addNewCertificateRef()
                    .withName(CERTIFICATE)
                    .withNamespace(GATEWAY_NAMESPACE)
                    .endCertificateRef()
                    .endTls()
                    .endListener();
        }
        return spec.endSpec().build();
    }

    public List<String> hostnamesOf(int n, int s) {
        List<String> hostnames = new ArrayList<>();
        for (int l = 0; l < listenersPerSet; l++) {
            hostnames.add(hostname(n, s, l));
        }
        return hostnames;
    }

    /** The routes of one ListenerSet; {@code variant} changes the paths, to simulate an edit. */
    public List<HTTPRoute> routes(int n, int s, int variant) {
        List<HTTPRoute> routes = new ArrayList<>();
        for (int l = 0; l < listenersPerSet; l++) {
            for (int r = 0; r < routesPerListener; r++) {
                routes.add(route(n, s, l, r, variant));
            }
        }
        return routes;
    }

    /** Route {@code r} of the first listener of a ListenerSet. */
    public HTTPRoute route(int n, int s, int r, int variant) {
        return route(n, s, 0, r, variant);
    }

    public HTTPRoute route(int n, int s, int l, int r, int variant) {
        return route(
                namespace(n),
                routeName(s, l, r),
                setName(s),
                listenersPerSet == 1 ? null : listenerName(l),
                "/api/v" + variant + "/r" + r,
                serviceName(r % servicesPerNamespace));
    }

    /**
     * An HTTPRoute with one PathPrefix rule, parented to a ListenerSet (to one of its listeners when
     * {@code section} is not null).
     */
    public static HTTPRoute route(
            String namespace, String name, String listenerSet, String section, String path, String service) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withGroup("gateway.networking.k8s.io")
                .withKind("ListenerSet")
                .withName(listenerSet)
                .withSectionName(section)
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue(path)
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName(service)
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    /** The ListenerSets and routes of one namespace. */
    public List<HasMetadata> teamObjects(int n) {
        List<HasMetadata> objects = new ArrayList<>(listenerSets(n));
        for (int s = 0; s < setsPerNamespace; s++) {
            objects.addAll(routes(n, s, 1));
        }
        return objects;
    }

    /** Every object of the world. */
    public List<HasMetadata> all(String certificatePem, String keyPem) {
        List<HasMetadata> objects = new ArrayList<>(infrastructure(certificatePem, keyPem));
        for (int n = 0; n < namespaces; n++) {
            objects.addAll(teamObjects(n));
        }
        return objects;
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
