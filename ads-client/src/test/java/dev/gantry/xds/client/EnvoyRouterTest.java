package dev.gantry.xds.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The router against hand-built Envoy configuration, case by case of Envoy's documented matching rules. */
class EnvoyRouterTest {

    private static final int PORT = 8080;

    private static Listener plainListener(String routeConfiguration) {
        return Listener.newBuilder()
                .setName("http-8080")
                .setAddress(address(PORT))
                .addFilterChains(FilterChain.newBuilder().setName("http").addFilters(hcm(routeConfiguration)))
                .build();
    }

    private static Address address(int port) {
        return Address.newBuilder()
                .setSocketAddress(
                        SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(port))
                .build();
    }

    private static Filter hcm(String routeConfiguration) {
        return Filter.newBuilder()
                .setName("envoy.filters.network.http_connection_manager")
                .setTypedConfig(Any.pack(HttpConnectionManager.newBuilder()
                        .setStatPrefix("http")
                        .setRds(Rds.newBuilder().setRouteConfigName(routeConfiguration))
                        .setNormalizePath(BoolValue.of(true))
                        .setMergeSlashes(true)
                        .setStripAnyHostPort(true)
                        .build()))
                .build();
    }

    private static RouteConfiguration routes(VirtualHost... hosts) {
        return RouteConfiguration.newBuilder()
                .setName("routes")
                .addAllVirtualHosts(List.of(hosts))
                .build();
    }

    private static VirtualHost host(String name, List<String> domains, Route... routes) {
        return VirtualHost.newBuilder()
                .setName(name)
                .addAllDomains(domains)
                .addAllRoutes(List.of(routes))
                .build();
    }

    private static Route forward(String name, RouteMatch.Builder match, String cluster) {
        return Route.newBuilder()
                .setName(name)
                .setMatch(match)
                .setRoute(RouteAction.newBuilder().setCluster(cluster))
                .build();
    }

    private static RouteMatch.Builder prefix(String prefix) {
        return RouteMatch.newBuilder().setPrefix(prefix);
    }

    private static EnvoyRouter router(RouteConfiguration routes, String... clusters) {
        return EnvoyRouter.of(
                EnvoyRouter.Configuration.of(List.of(plainListener("routes")), List.of(routes), Set.of(clusters)));
    }

    private static String cluster(RoutingOutcome outcome) {
        RoutingOutcome.Forward forward = assertInstanceOf(RoutingOutcome.Forward.class, outcome);
        assertEquals(1, forward.clusters().size(), forward.toString());
        return forward.clusters().getFirst();
    }

    @Test
    void virtualHostsByExactThenLongestSuffixThenPrefixWildcardThenAny() {
        EnvoyRouter router = router(
                routes(
                        host("any", List.of("*"), forward("any", prefix("/"), "any")),
                        host("suffix", List.of("*.example.com"), forward("suffix", prefix("/"), "suffix")),
                        host("longer", List.of("*.a.example.com"), forward("longer", prefix("/"), "longer")),
                        host("prefix", List.of("foo.*"), forward("prefix", prefix("/"), "prefix")),
                        host("exact", List.of("x.a.example.com"), forward("exact", prefix("/"), "exact"))),
                "any",
                "suffix",
                "longer",
                "prefix",
                "exact");
        assertEquals("exact", cluster(router.route(PORT, HttpRequest.get("X.A.Example.com", "/"))));
        assertEquals("longer", cluster(router.route(PORT, HttpRequest.get("y.a.example.com", "/"))));
        assertEquals("longer", cluster(router.route(PORT, HttpRequest.get("z.y.a.example.com", "/"))));
        assertEquals("suffix", cluster(router.route(PORT, HttpRequest.get("b.example.com", "/"))));
        // A suffix wildcard beats a prefix wildcard; a wildcard stands for at least one character.
        assertEquals("suffix", cluster(router.route(PORT, HttpRequest.get("foo.example.com", "/"))));
        assertEquals("prefix", cluster(router.route(PORT, HttpRequest.get("foo.org", "/"))));
        assertEquals("any", cluster(router.route(PORT, HttpRequest.get("example.com", "/"))));
        assertEquals("any", cluster(router.route(PORT, HttpRequest.get("foo.", "/"))));
        // strip_any_host_port: the port of the Host header plays no part.
        assertEquals("exact", cluster(router.route(PORT, HttpRequest.get("x.a.example.com:1234", "/"))));
    }

    @Test
    void noVirtualHostOrNoRouteIs404() {
        EnvoyRouter router =
                router(routes(host("only", List.of("example.com"), forward("r", prefix("/api"), "c"))), "c");
        assertEquals(
                404,
                assertInstanceOf(RoutingOutcome.NoRoute.class, router.route(PORT, HttpRequest.get("other.com", "/api")))
                        .status());
        assertInstanceOf(RoutingOutcome.NoRoute.class, router.route(PORT, HttpRequest.get("example.com", "/")));
        assertInstanceOf(RoutingOutcome.ConnectionFailed.class, router.route(81, HttpRequest.get("example.com", "/")));
    }

    @Test
    void firstMatchingRouteInOrderByPathMatcher() {
        EnvoyRouter router = router(
                routes(host(
                        "h",
                        List.of("*"),
                        forward("exact", RouteMatch.newBuilder().setPath("/exact"), "exact"),
                        forward(
                                "regex",
                                RouteMatch.newBuilder()
                                        .setSafeRegex(RegexMatcher.newBuilder().setRegex("/re[0-9]+")),
                                "regex"),
                        forward("segments", RouteMatch.newBuilder().setPathSeparatedPrefix("/foo"), "segments"),
                        forward(
                                "insensitive",
                                RouteMatch.newBuilder().setPath("/Case").setCaseSensitive(BoolValue.of(false)),
                                "insensitive"),
                        forward("prefix", prefix("/fo"), "prefix"),
                        forward("root", prefix("/"), "root"))),
                "exact",
                "regex",
                "segments",
                "insensitive",
                "prefix",
                "root");
        assertEquals("exact", cluster(router.route(PORT, HttpRequest.get("h", "/exact?x=1"))));
        assertEquals("root", cluster(router.route(PORT, HttpRequest.get("h", "/exact/"))));
        assertEquals("regex", cluster(router.route(PORT, HttpRequest.get("h", "/re42?q"))));
        // safe_regex must match the whole path.
        assertEquals("root", cluster(router.route(PORT, HttpRequest.get("h", "/re42x"))));
        assertEquals("segments", cluster(router.route(PORT, HttpRequest.get("h", "/foo"))));
        assertEquals("segments", cluster(router.route(PORT, HttpRequest.get("h", "/foo/bar"))));
        assertEquals("segments", cluster(router.route(PORT, HttpRequest.get("h", "/foo?bar"))));
        assertEquals("prefix", cluster(router.route(PORT, HttpRequest.get("h", "/foobar"))));
        assertEquals("insensitive", cluster(router.route(PORT, HttpRequest.get("h", "/cASE"))));
        assertEquals("root", cluster(router.route(PORT, HttpRequest.get("h", "/Exact"))));
        // normalize_path and merge_slashes act before matching.
        assertEquals("exact", cluster(router.route(PORT, HttpRequest.get("h", "/a/../exact"))));
        assertEquals("segments", cluster(router.route(PORT, HttpRequest.get("h", "//foo//bar"))));
        assertEquals("segments", cluster(router.route(PORT, HttpRequest.get("h", "/%66oo"))));
    }

    @Test
    void headerMatchers() {
        HeaderMatcher exact = HeaderMatcher.newBuilder()
                .setName("version")
                .setStringMatch(StringMatcher.newBuilder().setExact("one"))
                .build();
        HeaderMatcher regex = HeaderMatcher.newBuilder()
                .setName("color")
                .setStringMatch(StringMatcher.newBuilder()
                        .setSafeRegex(RegexMatcher.newBuilder().setRegex("red|blue")))
                .build();
        HeaderMatcher present = HeaderMatcher.newBuilder()
                .setName("x-present")
                .setPresentMatch(true)
                .build();
        HeaderMatcher inverted = HeaderMatcher.newBuilder()
                .setName("x-env")
                .setStringMatch(StringMatcher.newBuilder().setExact("prod"))
                .setInvertMatch(true)
                .build();
        HeaderMatcher method = HeaderMatcher.newBuilder()
                .setName(":method")
                .setStringMatch(StringMatcher.newBuilder().setExact("POST"))
                .build();
        EnvoyRouter router = router(
                routes(host(
                        "h",
                        List.of("*"),
                        forward("both", prefix("/").addHeaders(exact).addHeaders(regex), "both"),
                        forward("exact", prefix("/").addHeaders(exact), "exact"),
                        forward("present", prefix("/").addHeaders(present), "present"),
                        forward("inverted", prefix("/").addHeaders(inverted), "inverted"),
                        forward("method", prefix("/").addHeaders(method), "method"))),
                "both",
                "exact",
                "present",
                "inverted",
                "method");
        HttpRequest root = HttpRequest.get("h", "/");
        assertEquals(
                "both",
                cluster(router.route(PORT, root.withHeader("Version", "one").withHeader("Color", "red"))));
        assertEquals(
                "exact",
                cluster(router.route(PORT, root.withHeader("version", "one").withHeader("color", "x"))));
        // Values of a repeated header are matched joined by commas.
        assertEquals(
                "present",
                cluster(router.route(
                        PORT,
                        root.withHeader("version", "one")
                                .withHeader("version", "two")
                                .withHeader("x-present", ""))));
        assertEquals("inverted", cluster(router.route(PORT, root.withHeader("x-env", "dev"))));
        // A missing header matches no string matcher, inverted or not.
        assertEquals("method", cluster(router.route(PORT, root.withMethod("POST"))));
        assertInstanceOf(RoutingOutcome.NoRoute.class, router.route(PORT, root.withHeader("x-env", "prod")));
        assertInstanceOf(RoutingOutcome.NoRoute.class, router.route(PORT, root));
    }

    @Test
    void queryParameterMatchersUseTheFirstValueAndCaseSensitiveNames() {
        EnvoyRouter router = router(
                routes(host(
                        "h",
                        List.of("*"),
                        forward(
                                "whale",
                                prefix("/")
                                        .addQueryParameters(QueryParameterMatcher.newBuilder()
                                                .setName("animal")
                                                .setStringMatch(StringMatcher.newBuilder()
                                                        .setExact("whale"))),
                                "whale"),
                        forward(
                                "present",
                                prefix("/")
                                        .addQueryParameters(QueryParameterMatcher.newBuilder()
                                                .setName("flag")
                                                .setPresentMatch(true)),
                                "present"))),
                "whale",
                "present");
        assertEquals("whale", cluster(router.route(PORT, HttpRequest.get("h", "/?animal=whale&animal=dolphin"))));
        assertInstanceOf(
                RoutingOutcome.NoRoute.class,
                router.route(PORT, HttpRequest.get("h", "/?animal=dolphin&animal=whale")));
        assertInstanceOf(RoutingOutcome.NoRoute.class, router.route(PORT, HttpRequest.get("h", "/?ANIMAL=whale")));
        assertEquals("present", cluster(router.route(PORT, HttpRequest.get("h", "/x?flag"))));
    }

    @Test
    void filterChainBySniExactThenLongestWildcardThenNone() {
        Listener listener = Listener.newBuilder()
                .setName("https-8443")
                .setAddress(address(8443))
                .addListenerFilters(ListenerFilter.newBuilder()
                        .setName("envoy.filters.listener.tls_inspector")
                        .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())))
                .addFilterChains(tlsChain("exact", List.of("a.example.com"), "exact"))
                .addFilterChains(tlsChain("wildcard", List.of("*.example.com"), "wildcard"))
                .addFilterChains(tlsChain("deeper", List.of("*.b.example.com"), "deeper"))
                .addFilterChains(tlsChain("none", List.of(), "none"))
                .build();
        List<RouteConfiguration> routes =
                List.of(catchAll("exact"), catchAll("wildcard"), catchAll("deeper"), catchAll("none"));
        EnvoyRouter router = EnvoyRouter.of(
                EnvoyRouter.Configuration.of(List.of(listener), routes, Set.of("exact", "wildcard", "deeper", "none")));
        HttpRequest request = HttpRequest.get("whatever", "/");
        assertEquals("exact", cluster(router.route(8443, request.overTls("a.example.com"))));
        assertEquals("wildcard", cluster(router.route(8443, request.overTls("x.y.example.com"))));
        assertEquals("deeper", cluster(router.route(8443, request.overTls("c.b.example.com"))));
        assertEquals("none", cluster(router.route(8443, request.overTls("example.org"))));
        RoutingOutcome plain = router.route(8443, request);
        assertTrue(
                assertInstanceOf(RoutingOutcome.ConnectionFailed.class, plain)
                        .reason()
                        .contains("expects TLS"),
                plain.toString());
    }

    private static FilterChain tlsChain(String name, List<String> serverNames, String routeConfiguration) {
        return FilterChain.newBuilder()
                .setName(name)
                .setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(serverNames))
                .setTransportSocket(TransportSocket.newBuilder()
                        .setName("envoy.transport_sockets.tls")
                        .setTypedConfig(Any.pack(DownstreamTlsContext.getDefaultInstance())))
                .addFilters(hcm(routeConfiguration))
                .build();
    }

    private static RouteConfiguration catchAll(String name) {
        return RouteConfiguration.newBuilder()
                .setName(name)
                .addVirtualHosts(host(name, List.of("*"), forward(name, prefix("/"), name)))
                .build();
    }

    @Test
    void redirectLocationsAsEnvoyBuildsThem() {
        EnvoyRouter router = router(routes(host(
                "h",
                List.of("*"),
                redirect("/https", RedirectAction.newBuilder().setSchemeRedirect("https")),
                redirect(
                        "/port",
                        RedirectAction.newBuilder()
                                .setPortRedirect(8443)
                                .setResponseCode(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT)),
                redirect(
                        "/host",
                        RedirectAction.newBuilder()
                                .setHostRedirect("example.org")
                                .setResponseCode(RedirectAction.RedirectResponseCode.FOUND)),
                redirect("/path", RedirectAction.newBuilder().setPathRedirect("/elsewhere")),
                redirect("/prefix", RedirectAction.newBuilder().setPrefixRewrite("/replaced")),
                redirect(
                        "/strip",
                        RedirectAction.newBuilder()
                                .setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
                                        .setPattern(RegexMatcher.newBuilder().setRegex("^/strip/*"))
                                        .setSubstitution("/"))))));
        assertEquals(
                new RoutingOutcome.Redirect("/https", 301, "https://example.com/https/x?q=1"),
                router.route(PORT, HttpRequest.get("example.com", "/https/x?q=1")));
        // The port of the Host header was stripped before routing.
        assertEquals(
                new RoutingOutcome.Redirect("/port", 308, "http://example.com:8443/port"),
                router.route(PORT, HttpRequest.get("example.com:80", "/port")));
        assertEquals(
                new RoutingOutcome.Redirect("/host", 302, "http://example.org/host"),
                router.route(PORT, HttpRequest.get("example.com", "/host")));
        assertEquals(
                new RoutingOutcome.Redirect("/path", 301, "http://example.com/elsewhere?keep=1"),
                router.route(PORT, HttpRequest.get("example.com", "/path/x?keep=1")));
        assertEquals(
                new RoutingOutcome.Redirect("/prefix", 301, "http://example.com/replaced/x"),
                router.route(PORT, HttpRequest.get("example.com", "/prefix/x")));
        assertEquals(
                new RoutingOutcome.Redirect("/strip", 301, "http://example.com/x/y"),
                router.route(PORT, HttpRequest.get("example.com", "/strip/x/y")));
    }

    private static Route redirect(String prefix, RedirectAction.Builder action) {
        return Route.newBuilder()
                .setName(prefix)
                .setMatch(RouteMatch.newBuilder().setPathSeparatedPrefix(prefix))
                .setRedirect(action)
                .build();
    }

    @Test
    void forwardWithRewritesAndHeaderEdits() {
        Route route = Route.newBuilder()
                .setName("rewrite")
                .setMatch(RouteMatch.newBuilder().setPathSeparatedPrefix("/prefix/one"))
                .setRoute(RouteAction.newBuilder()
                        .setCluster("c")
                        .setPrefixRewrite("/one")
                        .setHostRewriteLiteral("rewritten.example.com"))
                .addRequestHeadersToAdd(
                        header("x-set", "v", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))
                .addRequestHeadersToAdd(
                        header("x-add", "2", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD))
                .addRequestHeadersToRemove("x-remove")
                .build();
        EnvoyRouter router = router(routes(host("h", List.of("*"), route)), "c");
        RoutingOutcome.Forward forward = assertInstanceOf(
                RoutingOutcome.Forward.class,
                router.route(PORT, HttpRequest.get("example.com", "/prefix/one/two?x=y")));
        assertEquals("/one/two?x=y", forward.path());
        assertEquals("rewritten.example.com", forward.authority());
        assertEquals(
                Map.of("x-set", List.of("v"), "x-add", List.of("1", "2"), "x-keep", List.of("k")),
                forward.upstreamHeaders(
                        forward.backends().getFirst(),
                        Map.of(
                                "X-Set", List.of("old"),
                                "x-add", List.of("1"),
                                "x-remove", List.of("gone"),
                                "x-keep", List.of("k"))));
    }

    private static HeaderValueOption header(String name, String value, HeaderValueOption.HeaderAppendAction action) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
                .setAppendAction(action)
                .build();
    }

    @Test
    void aClusterTheProxyDoesNotHoldIsTheRoutesClusterNotFoundCode() {
        Route defaulted = forward("defaulted", prefix("/default"), "missing");
        Route internal = Route.newBuilder()
                .setName("internal")
                .setMatch(prefix("/internal"))
                .setRoute(RouteAction.newBuilder()
                        .setCluster("missing")
                        .setClusterNotFoundResponseCode(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR))
                .build();
        Route weighted = Route.newBuilder()
                .setName("weighted")
                .setMatch(prefix("/weighted"))
                .setRoute(RouteAction.newBuilder()
                        .setWeightedClusters(WeightedCluster.newBuilder()
                                .addClusters(WeightedCluster.ClusterWeight.newBuilder()
                                        .setName("held")
                                        .setWeight(UInt32Value.of(1)))
                                .addClusters(WeightedCluster.ClusterWeight.newBuilder()
                                        .setName("missing")
                                        .setWeight(UInt32Value.of(1)))))
                .build();
        Route direct = Route.newBuilder()
                .setName("direct")
                .setMatch(prefix("/"))
                .setDirectResponse(DirectResponseAction.newBuilder().setStatus(421))
                .build();
        EnvoyRouter router = router(routes(host("h", List.of("*"), defaulted, internal, weighted, direct)), "held");
        assertEquals(
                new RoutingOutcome.ClusterNotHeld("defaulted", List.of("missing"), 503),
                router.route(PORT, HttpRequest.get("h", "/default")));
        assertEquals(
                new RoutingOutcome.ClusterNotHeld("internal", List.of("missing"), 500),
                router.route(PORT, HttpRequest.get("h", "/internal")));
        RoutingOutcome.Forward forward =
                assertInstanceOf(RoutingOutcome.Forward.class, router.route(PORT, HttpRequest.get("h", "/weighted")));
        assertEquals(List.of("held", "missing"), forward.clusters());
        assertEquals(
                List.of(true, false),
                forward.backends().stream().map(RoutingOutcome.Backend::held).toList());
        assertEquals(
                new RoutingOutcome.DirectResponse("direct", 421, ""), router.route(PORT, HttpRequest.get("h", "/x")));
    }

    @Test
    void aFieldTheRouterDoesNotModelFailsNamingIt() {
        Route grpc = forward(
                "grpc",
                RouteMatch.newBuilder().setPrefix("/").setGrpc(RouteMatch.GrpcRouteMatchOptions.getDefaultInstance()),
                "c");
        UnsupportedOperationException matchField = assertThrows(
                UnsupportedOperationException.class,
                () -> router(routes(host("h", List.of("*"), grpc)), "c").route(PORT, HttpRequest.get("h", "/")));
        assertTrue(matchField.getMessage().contains("RouteMatch.grpc"), matchField.getMessage());
        VirtualHost requireTls = host("h", List.of("*"), forward("r", prefix("/"), "c")).toBuilder()
                .setRequireTls(VirtualHost.TlsRequirementType.ALL)
                .build();
        UnsupportedOperationException hostField = assertThrows(
                UnsupportedOperationException.class,
                () -> router(routes(requireTls), "c").route(PORT, HttpRequest.get("h", "/")));
        assertTrue(hostField.getMessage().contains("VirtualHost.require_tls"), hostField.getMessage());
    }
}
