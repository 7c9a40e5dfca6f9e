package dev.gantry.xds;

import static dev.gantry.xds.TrafficWorld.INFRA;
import static dev.gantry.xds.TrafficWorld.WEB_BACKEND;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.xds.TrafficWorld.Case;
import dev.gantry.xds.TrafficWorld.Expected;
import dev.gantry.xds.client.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The traffic half of the upstream Gateway API v1.6.1 HTTPRoute conformance tests whose expectations are about
 * routing: each test's manifests are applied, and each row of its table (request, expected backend Service, status or
 * redirect) is routed through what a proxy of the Gateway holds from the shard, as Envoy would route it. The status
 * half of the same tests runs in the controller's conformance suite. Each test is named after the upstream test and
 * cites its Go source (conformance/tests/ of kubernetes-sigs/gateway-api).
 */
class HttpRouteTrafficConformanceTest {

    private static final String SAME_NAMESPACE = INFRA + "/same-namespace";
    /** The Host the upstream suite sends when a case names none: the Gateway's address. */
    private static final String GATEWAY_ADDRESS = "192.0.2.10";

    private static TrafficWorld world;

    @BeforeAll
    static void start() {
        world = new TrafficWorld();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            assertEquals(Map.of(), world.proxyProblems(), "proxies NACKed or held routes to clusters not warm");
        } finally {
            world.close();
        }
    }

    private static HttpRequest get(String path) {
        return HttpRequest.get(GATEWAY_ADDRESS, path);
    }

    private static HttpRequest get(String host, String path) {
        return HttpRequest.get(host, path);
    }

    private static Case on(String gateway, HttpRequest request, Expected expected) {
        return new Case(gateway, 80, request, expected);
    }

    private static Case same(HttpRequest request, Expected expected) {
        return on(SAME_NAMESPACE, request, expected);
    }

    private static Expected backend(String service) {
        return new Expected.Backend(INFRA, service, null, null, null, null);
    }

    private static Expected status(int status) {
        return new Expected.Status(status);
    }

    @Test
    @DisplayName("HTTPRouteSimpleSameNamespace")
    void simpleSameNamespace() {
        // httproute-simple-same-namespace.go
        world.run(
                List.of("httproute-simple-same-namespace.yaml"), List.of(same(get("/"), backend("infra-backend-v1"))));
    }

    @Test
    @DisplayName("HTTPExactPathMatching")
    void exactPathMatching() {
        // httproute-exact-path-matching.go
        world.run(
                List.of("httproute-exact-path-matching.yaml"),
                List.of(
                        same(get("/one"), backend("infra-backend-v1")),
                        same(get("/two"), backend("infra-backend-v2")),
                        same(get("/"), status(404)),
                        same(get("/one/example"), status(404)),
                        same(get("/two/"), status(404)),
                        same(get("/Two"), status(404))));
    }

    @Test
    @DisplayName("HTTPRouteMatching")
    void matching() {
        // httproute-matching.go
        world.run(
                List.of("httproute-matching.yaml"),
                List.of(
                        same(get("/"), backend("infra-backend-v1")),
                        same(get("/example"), backend("infra-backend-v1")),
                        same(get("/").withHeader("Version", "one"), backend("infra-backend-v1")),
                        same(get("/v2"), backend("infra-backend-v2")),
                        same(get("/v2/example"), backend("infra-backend-v2")),
                        same(get("/").withHeader("Version", "two"), backend("infra-backend-v2"))));
    }

    @Test
    @DisplayName("HTTPRouteHeaderMatching")
    void headerMatching() {
        // httproute-header-matching.go
        world.run(
                List.of("httproute-header-matching.yaml"),
                List.of(
                        same(get("/").withHeader("Version", "one"), backend("infra-backend-v1")),
                        same(get("/").withHeader("Version", "two"), backend("infra-backend-v2")),
                        same(
                                get("/").withHeader("Version", "two").withHeader("Color", "orange"),
                                backend("infra-backend-v1")),
                        same(
                                get("/").withHeader("Version", "two").withHeader("Color", "blue"),
                                backend("infra-backend-v2")),
                        same(get("/").withHeader("Color", "orange"), status(404)),
                        same(get("/").withHeader("Some-Other-Header", "one"), status(404)),
                        same(get("/").withHeader("Color", "blue"), backend("infra-backend-v1")),
                        same(get("/").withHeader("Color", "green"), backend("infra-backend-v1")),
                        same(get("/").withHeader("Color", "red"), backend("infra-backend-v2")),
                        same(get("/").withHeader("Color", "yellow"), backend("infra-backend-v2")),
                        same(get("/").withHeader("Color", "purple"), status(404))));
    }

    @Test
    @DisplayName("HTTPRouteQueryParamMatching")
    void queryParamMatching() {
        // httproute-query-param-matching.go
        world.run(
                List.of("httproute-query-param-matching.yaml"),
                List.of(
                        same(get("/?animal=whale"), backend("infra-backend-v1")),
                        same(get("/?animal=dolphin"), backend("infra-backend-v2")),
                        same(get("/?animal=dolphin&color=blue"), backend("infra-backend-v3")),
                        same(get("/?ANIMAL=Whale"), backend("infra-backend-v3")),
                        same(get("/?animal=whale&otherparam=irrelevant"), backend("infra-backend-v1")),
                        same(get("/?animal=dolphin&color=yellow"), backend("infra-backend-v2")),
                        same(get("/?color=blue"), status(404)),
                        same(get("/?animal=dog"), status(404)),
                        same(get("/?animal=whaledolphin"), status(404)),
                        same(get("/"), status(404)),
                        // Combinations with core match types.
                        same(get("/path1?animal=whale"), backend("infra-backend-v1")),
                        same(get("/?animal=whale").withHeader("version", "one"), backend("infra-backend-v2")),
                        same(get("/path2?animal=whale").withHeader("version", "two"), backend("infra-backend-v3")),
                        // Matches ORed together match when one of them does.
                        same(get("/path3?animal=shark"), backend("infra-backend-v1")),
                        same(get("/path4?animal=kraken").withHeader("version", "three"), backend("infra-backend-v1")),
                        // Match types ANDed together do not match on a subset.
                        same(get("/?animal=shark"), status(404)),
                        same(get("/path4?animal=kraken"), status(404)),
                        // Precedence between matches.
                        same(get("/path5?animal=hydra"), backend("infra-backend-v1")),
                        same(get("/?animal=hydra").withHeader("version", "four"), backend("infra-backend-v3"))));
    }

    @Test
    @DisplayName("HTTPRouteMethodMatching")
    void methodMatching() {
        // httproute-method-matching.go
        world.run(
                List.of("httproute-method-matching.yaml"),
                List.of(
                        same(get("/").withMethod("POST"), backend("infra-backend-v1")),
                        same(get("/").withMethod("GET"), backend("infra-backend-v2")),
                        same(get("/").withMethod("HEAD"), status(404)),
                        // Combinations with core match types.
                        same(get("/path1").withMethod("GET"), backend("infra-backend-v1")),
                        same(get("/").withHeader("version", "one").withMethod("PUT"), backend("infra-backend-v2")),
                        same(
                                get("/path2").withHeader("version", "two").withMethod("POST"),
                                backend("infra-backend-v3")),
                        // Matches ORed together match when one of them does.
                        same(get("/path3").withMethod("PATCH"), backend("infra-backend-v1")),
                        same(
                                get("/path4").withHeader("version", "three").withMethod("DELETE"),
                                backend("infra-backend-v1")),
                        // Match types ANDed together do not match on a subset.
                        same(get("/").withMethod("PUT"), status(404)),
                        same(get("/path4").withMethod("DELETE"), status(404)),
                        // Precedence between matches.
                        same(get("/path5").withMethod("PATCH"), backend("infra-backend-v1")),
                        same(get("/").withHeader("version", "four").withMethod("PATCH"), backend("infra-backend-v2"))));
    }

    @Test
    @DisplayName("HTTPRoutePathMatchOrder")
    void pathMatchOrder() {
        // httproute-path-match-order.go
        world.run(
                List.of("httproute-path-match-order.yaml"),
                List.of(
                        same(get("/match/exact/one"), backend("infra-backend-v3")),
                        same(get("/match/exact"), backend("infra-backend-v2")),
                        same(get("/match"), backend("infra-backend-v1")),
                        same(get("/match/prefix/one/any"), backend("infra-backend-v2")),
                        same(get("/match/prefix/any"), backend("infra-backend-v1")),
                        same(get("/match/any"), backend("infra-backend-v3"))));
    }

    @Test
    @DisplayName("HTTPRouteListenerHostnameMatching")
    void listenerHostnameMatching() {
        // httproute-listener-hostname-matching.go
        String gateway = INFRA + "/httproute-listener-hostname-matching";
        world.run(
                List.of("httproute-listener-hostname-matching.yaml"),
                List.of(
                        on(gateway, get("bar.com", "/"), backend("infra-backend-v1")),
                        on(gateway, get("foo.bar.com", "/"), backend("infra-backend-v2")),
                        on(gateway, get("baz.bar.com", "/"), backend("infra-backend-v3")),
                        on(gateway, get("boo.bar.com", "/"), backend("infra-backend-v3")),
                        on(gateway, get("multiple.prefixes.bar.com", "/"), backend("infra-backend-v3")),
                        on(gateway, get("multiple.prefixes.foo.com", "/"), backend("infra-backend-v3")),
                        on(gateway, get("foo.com", "/"), status(404)),
                        on(gateway, get("no.matching.host", "/"), status(404))));
    }

    @Test
    @DisplayName("HTTPRouteCrossNamespace")
    void crossNamespace() {
        // httproute-cross-namespace.go
        world.run(
                List.of("httproute-cross-namespace.yaml"),
                List.of(on(
                        INFRA + "/backend-namespaces",
                        get("/"),
                        new Expected.Backend(WEB_BACKEND, "web-backend", null, null, null, null))));
    }

    @Test
    @DisplayName("HTTPRouteHTTPSListener")
    void httpsListener() {
        // httproute-https-listener.go: requests over TLS, the SNI choosing the listener's filter chain. The route of
        // the listener with a hostname forwards to infra-backend-v2 in the v1.6.1 manifest.
        String gateway = INFRA + "/same-namespace-with-https-listener";
        world.run(
                List.of("httproute-https-listener.yaml"),
                List.of(
                        new Case(
                                gateway,
                                443,
                                get("example.org", "/").overTls("example.org"),
                                backend("infra-backend-v1")),
                        new Case(
                                gateway,
                                443,
                                get("second-example.org", "/").overTls("second-example.org"),
                                backend("infra-backend-v2")),
                        new Case(
                                gateway,
                                443,
                                get("unknown-example.org", "/").overTls("unknown-example.org"),
                                status(404))));
    }

    @Test
    @DisplayName("HTTPRouteInvalidNonExistentBackendRef")
    void invalidNonExistentBackendRef() {
        // httproute-invalid-nonexistent-backendref.go
        world.run(List.of("httproute-invalid-nonexistent-backendref.yaml"), List.of(same(get("/"), status(500))));
    }

    @Test
    @DisplayName("HTTPRouteInvalidBackendRefUnknownKind")
    void invalidBackendRefUnknownKind() {
        // httproute-invalid-backendref-unknown-kind.go
        world.run(List.of("httproute-invalid-backendref-unknown-kind.yaml"), List.of(same(get("/"), status(500))));
    }

    @Test
    @DisplayName("HTTPRouteRedirectPath")
    void redirectPath() {
        // httproute-redirect-path.go
        world.run(
                List.of("httproute-redirect-path.yaml"),
                List.of(
                        same(
                                get("/original-prefix/lemon"),
                                new Expected.Redirect(302, null, null, null, "/replacement-prefix/lemon")),
                        same(
                                get("/full/path/original"),
                                new Expected.Redirect(302, null, null, null, "/full-path-replacement")),
                        same(
                                get("/path-and-host"),
                                new Expected.Redirect(302, null, "example.org", null, "/replacement-prefix")),
                        same(
                                get("/path-and-status"),
                                new Expected.Redirect(301, null, null, null, "/replacement-prefix")),
                        same(
                                get("/full-path-and-host"),
                                new Expected.Redirect(302, null, "example.org", null, "/replacement-full")),
                        same(
                                get("/full-path-and-status"),
                                new Expected.Redirect(301, null, null, null, "/replacement-full"))));
    }

    @Test
    @DisplayName("HTTPRouteRedirectHostAndStatus")
    void redirectHostAndStatus() {
        // httproute-redirect-host-and-status.go
        world.run(
                List.of("httproute-redirect-host-and-status.yaml"),
                List.of(
                        same(get("/hostname-redirect"), new Expected.Redirect(302, null, "example.org", null, null)),
                        same(get("/host-and-status"), new Expected.Redirect(301, null, "example.org", null, null))));
    }

    @Test
    @DisplayName("HTTPRouteRedirectScheme")
    void redirectScheme() {
        // httproute-redirect-scheme.go
        world.run(
                List.of("httproute-redirect-scheme.yaml"),
                List.of(
                        same(get("/scheme"), new Expected.Redirect(302, "https", null, null, null)),
                        same(get("/scheme-and-host"), new Expected.Redirect(302, "https", "example.org", null, null)),
                        same(get("/scheme-and-status"), new Expected.Redirect(301, "https", null, null, null)),
                        same(
                                get("/scheme-and-host-and-status"),
                                new Expected.Redirect(302, "https", "example.org", null, null))));
    }

    @Test
    @DisplayName("HTTPRouteRedirectPort")
    void redirectPort() {
        // httproute-redirect-port.go
        world.run(
                List.of("httproute-redirect-port.yaml"),
                List.of(
                        same(get("/port"), new Expected.Redirect(302, null, null, "8083", null)),
                        same(get("/port-and-host"), new Expected.Redirect(302, null, "example.org", "8083", null)),
                        same(get("/port-and-status"), new Expected.Redirect(301, null, null, "8083", null)),
                        same(
                                get("/port-and-host-and-status"),
                                new Expected.Redirect(302, null, "example.org", "8083", null))));
    }

    @Test
    @DisplayName("HTTPRoute303Redirect, HTTPRoute307Redirect, HTTPRoute308Redirect")
    void redirectStatusCodes() {
        // httproute-303-redirect.go, httproute-307-redirect.go, httproute-308-redirect.go (provisional upstream)
        world.run(
                List.of("httproute-303-redirect.yaml"),
                List.of(same(
                        get("/see-other").withMethod("POST"), new Expected.Redirect(303, null, null, null, null))));
        world.run(
                List.of("httproute-307-redirect.yaml"),
                List.of(same(get("/temporary"), new Expected.Redirect(307, null, null, null, null))));
        world.run(
                List.of("httproute-308-redirect.yaml"),
                List.of(same(get("/permanent"), new Expected.Redirect(308, null, null, null, null))));
    }

    @Test
    @DisplayName("HTTPRouteRedirectPortAndScheme")
    void redirectPortAndScheme() {
        // httproute-redirect-port-and-scheme.go
        String on8080 = INFRA + "/same-namespace-with-http-listener-on-8080";
        String https = INFRA + "/same-namespace-with-https-listener";
        HttpRequest overTls = get("example.org", "/").overTls("example.org");
        world.run(
                List.of("httproute-redirect-port-and-scheme.yaml"),
                List.of(
                        // http-route-for-listener-on-port-80
                        same(
                                get("/scheme-nil-and-port-nil"),
                                new Expected.Redirect(302, "http", "example.org", null, null)),
                        same(
                                get("/scheme-nil-and-port-80"),
                                new Expected.Redirect(302, "http", "example.org", null, null)),
                        same(
                                get("/scheme-nil-and-port-8080"),
                                new Expected.Redirect(302, "http", "example.org", "8080", null)),
                        same(
                                get("/scheme-https-and-port-nil"),
                                new Expected.Redirect(302, "https", "example.org", null, null)),
                        same(
                                get("/scheme-https-and-port-443"),
                                new Expected.Redirect(302, "https", "example.org", null, null)),
                        same(
                                get("/scheme-https-and-port-8443"),
                                new Expected.Redirect(302, "https", "example.org", "8443", null)),
                        // http-route-for-listener-on-port-8080
                        new Case(
                                on8080,
                                8080,
                                get("/scheme-nil-and-port-nil"),
                                new Expected.Redirect(302, "http", "example.org", "8080", null)),
                        new Case(
                                on8080,
                                8080,
                                get("/scheme-nil-and-port-80"),
                                new Expected.Redirect(302, "http", "example.org", null, null)),
                        new Case(
                                on8080,
                                8080,
                                get("/scheme-https-and-port-nil"),
                                new Expected.Redirect(302, "https", "example.org", null, null)),
                        // http-route-for-listener-on-port-443, over TLS with SNI example.org
                        new Case(
                                https,
                                443,
                                path(overTls, "/scheme-nil-and-port-nil"),
                                new Expected.Redirect(302, "https", "example.org", null, null)),
                        new Case(
                                https,
                                443,
                                path(overTls, "/scheme-nil-and-port-443"),
                                new Expected.Redirect(302, "https", "example.org", null, null)),
                        new Case(
                                https,
                                443,
                                path(overTls, "/scheme-nil-and-port-8443"),
                                new Expected.Redirect(302, "https", "example.org", "8443", null)),
                        new Case(
                                https,
                                443,
                                path(overTls, "/scheme-http-and-port-nil"),
                                new Expected.Redirect(302, "http", "example.org", null, null)),
                        new Case(
                                https,
                                443,
                                path(overTls, "/scheme-http-and-port-80"),
                                new Expected.Redirect(302, "http", "example.org", null, null)),
                        new Case(
                                https,
                                443,
                                path(overTls, "/scheme-http-and-port-8080"),
                                new Expected.Redirect(302, "http", "example.org", "8080", null))));
    }

    private static HttpRequest path(HttpRequest request, String path) {
        return new HttpRequest(
                request.scheme(), request.authority(), request.method(), path, request.headers(), request.sni());
    }

    @Test
    @DisplayName("HTTPRouteRewritePath")
    void rewritePath() {
        // httproute-rewrite-path.go; the /strip-prefix rule of the v1.6.1 manifest is checked as its test does.
        Map<String, String> modified = Map.of(
                "X-Header-Add", "header-val-1",
                "X-Header-Add-Append", "append-val-1,header-val-2",
                "X-Header-Set", "set-overwrites-values");
        world.run(
                List.of("httproute-rewrite-path.yaml"),
                List.of(
                        same(get("/prefix/one/two"), rewritten("infra-backend-v1", "/one/two", null, null)),
                        same(get("/full/one/two"), rewritten("infra-backend-v1", "/one", null, null)),
                        same(get("/strip-prefix/three"), rewritten("infra-backend-v1", "/three", null, null)),
                        same(get("/strip-prefix"), rewritten("infra-backend-v1", "/", null, null)),
                        same(
                                headersToModify(get("/full/rewrite-path-and-modify-headers/test")),
                                rewritten("infra-backend-v1", "/test", null, modified)),
                        same(
                                headersToModify(get("/prefix/rewrite-path-and-modify-headers/one")),
                                rewritten("infra-backend-v1", "/prefix/one", null, modified))));
    }

    private static HttpRequest headersToModify(HttpRequest request) {
        return request.withHeader("X-Header-Remove", "remove-val")
                .withHeader("X-Header-Add-Append", "append-val-1")
                .withHeader("X-Header-Set", "set-val");
    }

    private static Expected rewritten(String service, String path, String host, Map<String, String> headers) {
        return new Expected.Backend(
                INFRA, service, path, host, headers, headers == null ? null : List.of("X-Header-Remove"));
    }

    @Test
    @DisplayName("HTTPRouteRewriteHost")
    void rewriteHost() {
        // httproute-rewrite-host.go
        world.run(
                List.of("httproute-rewrite-host.yaml"),
                List.of(
                        same(
                                get("rewrite.example", "/one"),
                                rewritten("infra-backend-v1", "/one", "one.example.org", null)),
                        same(
                                get("rewrite.example", "/two"),
                                rewritten("infra-backend-v2", "/two", "example.org", null)),
                        same(
                                get("rewrite.example", "/rewrite-host-and-modify-headers")
                                        .withHeader("X-Header-Remove", "remove-val")
                                        .withHeader("X-Header-Add-Append", "append-val-1"),
                                rewritten(
                                        "infra-backend-v2",
                                        "/rewrite-host-and-modify-headers",
                                        "test.example.org",
                                        Map.of(
                                                "X-Header-Add", "header-val-1",
                                                "X-Header-Add-Append", "append-val-1,header-val-2",
                                                "X-Header-Set", "set-overwrites-values")))));
    }

    @Test
    @DisplayName("HTTPRouteRequestHeaderModifier")
    void requestHeaderModifier() {
        // httproute-request-header-modifier.go
        world.run(
                List.of("httproute-request-header-modifier.yaml"),
                List.of(
                        same(
                                get("/set").withHeader("Some-Other-Header", "val"),
                                headers(
                                        Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"),
                                        List.of())),
                        same(
                                get("/set")
                                        .withHeader("Some-Other-Header", "val")
                                        .withHeader("X-Header-Set", "some-other-value"),
                                headers(
                                        Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"),
                                        List.of())),
                        same(
                                get("/add").withHeader("Some-Other-Header", "val"),
                                headers(
                                        Map.of("Some-Other-Header", "val", "X-Header-Add", "add-appends-values"),
                                        List.of())),
                        same(
                                get("/add")
                                        .withHeader("Some-Other-Header", "val")
                                        .withHeader("X-Header-Add", "some-other-value"),
                                headers(
                                        Map.of(
                                                "Some-Other-Header",
                                                "val",
                                                "X-Header-Add",
                                                "some-other-value,add-appends-values"),
                                        List.of())),
                        same(
                                get("/remove").withHeader("X-Header-Remove", "val"),
                                headers(Map.of(), List.of("X-Header-Remove"))),
                        same(
                                get("/multiple")
                                        .withHeader("X-Header-Set-2", "set-val-2")
                                        .withHeader("X-Header-Add-2", "add-val-2")
                                        .withHeader("X-Header-Remove-2", "remove-val-2")
                                        .withHeader("Another-Header", "another-header-val"),
                                headers(
                                        Map.of(
                                                "X-Header-Set-1", "header-set-1",
                                                "X-Header-Set-2", "header-set-2",
                                                "X-Header-Add-1", "header-add-1",
                                                "X-Header-Add-2", "add-val-2,header-add-2",
                                                "X-Header-Add-3", "header-add-3",
                                                "Another-Header", "another-header-val"),
                                        List.of("X-Header-Remove-1", "X-Header-Remove-2"))),
                        same(
                                get("/case-insensitivity")
                                        .withHeader("x-header-set", "original-val-set")
                                        .withHeader("x-header-add", "original-val-add")
                                        .withHeader("x-header-remove", "original-val-remove")
                                        .withHeader("Another-Header", "another-header-val"),
                                headers(
                                        Map.of(
                                                "X-Header-Set", "header-set",
                                                "X-Header-Add", "original-val-add,header-add",
                                                "Another-Header", "another-header-val"),
                                        List.of("x-header-remove", "X-Header-Remove")))));
    }

    private static Expected headers(Map<String, String> headers, List<String> absent) {
        return new Expected.Backend(INFRA, "infra-backend-v1", null, null, headers, absent);
    }

    @Test
    @DisplayName("GatewayHTTPListenerIsolation")
    void httpListenerIsolation() {
        // gateway-http-listener-isolation.go: one table, for the Gateway whose hostnames are only on its listeners
        // and for the one whose routes carry intersecting hostnames too.
        List<String> paths = List.of(
                "/empty-hostname", "/wildcard-example-com", "/wildcard-foo-example-com", "/abc-foo-example-com");
        Map<String, String> reachedOnlyBy = Map.of(
                "bar.com", "/empty-hostname",
                "bar.example.com", "/wildcard-example-com",
                "bar.foo.example.com", "/wildcard-foo-example-com",
                "abc.foo.example.com", "/abc-foo-example-com");
        List<Case> cases = new ArrayList<>();
        for (String gateway :
                List.of("http-listener-isolation", "http-listener-isolation-with-hostname-intersection")) {
            reachedOnlyBy.forEach((host, reached) -> {
                for (String path : paths) {
                    cases.add(on(
                            INFRA + "/" + gateway,
                            get(host, path),
                            path.equals(reached) ? backend("infra-backend-v1") : status(404)));
                }
            });
        }
        world.run(
                List.of(
                        "gateway-http-listener-isolation.yaml",
                        "gateway-http-listener-isolation-with-hostname-intersection.yaml"),
                cases);
    }

    @Test
    @DisplayName("ListenerSetHTTPRouting")
    void listenerSetHttpRouting() {
        // listenerset-http-routing.go: a route reaches the listeners it attaches to, and no others; a Gateway
        // parentRef without sectionName does not attach to the ListenerSets' listeners.
        String gateway = INFRA + "/gateway-with-listener-sets-http-routing";
        List<String> hosts = List.of(
                "gateway-listener-1.com",
                "gateway-listener-2.com",
                "listener-set-http-routing-1-listener-1.com",
                "listener-set-http-routing-1-listener-2.com",
                "listener-set-http-routing-2-listener-1.com",
                "listener-set-http-routing-2-listener-2.com");
        Map<String, Expected> routeBackends = Map.of(
                "/route", backend("infra-backend-v1"),
                "/gateway-route", backend("infra-backend-v2"),
                "/gateway-section-route", backend("infra-backend-v3"),
                "/listener-set-http-routing-1-route", backend("infra-backend-v2"),
                "/listener-set-http-routing-1-section-route", backend("infra-backend-v3"),
                "/listener-set-http-routing-2-route", backend("infra-backend-v2"));
        Map<String, List<String>> reachableOn = Map.of(
                "/route", hosts,
                "/gateway-route", hosts.subList(0, 2),
                "/gateway-section-route", hosts.subList(0, 1),
                "/listener-set-http-routing-1-route", hosts.subList(2, 4),
                "/listener-set-http-routing-1-section-route", hosts.subList(2, 3),
                "/listener-set-http-routing-2-route", hosts.subList(4, 6));
        List<Case> cases = new ArrayList<>();
        reachableOn.forEach((path, reachable) -> {
            for (String host : hosts) {
                cases.add(
                        on(gateway, get(host, path), reachable.contains(host) ? routeBackends.get(path) : status(404)));
            }
        });
        world.run(List.of("listenerset-http-routing.yaml"), cases);
    }
}
