package dev.gantry.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.StringValue;
import dev.gantry.envoy.EnvoyValidator.Violation;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.ratelimit.v3.RateLimitServiceConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envoy's own field rules catch broken resources, at the right path, through nested messages and Any. */
class EnvoyValidatorTest {

    private static final ConfigSource ADS = ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .build();

    private final EnvoyValidator validator = new EnvoyValidator();

    private static Cluster cluster(String name) {
        return Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.EDS)
                .setConnectTimeout(Duration.newBuilder().setSeconds(5))
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
                .build();
    }

    private static HttpConnectionManager.Builder httpConnectionManager(String statPrefix) {
        return HttpConnectionManager.newBuilder()
                .setStatPrefix(statPrefix)
                .setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName("routes"))
                .addHttpFilters(HttpFilter.newBuilder()
                        .setName("envoy.filters.http.router")
                        .setTypedConfig(Any.pack(Router.getDefaultInstance())));
    }

    private static Listener listener(HttpConnectionManager manager) {
        return Listener.newBuilder()
                .setName("http-8080")
                .setAddress(Address.newBuilder()
                        .setSocketAddress(
                                SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(8080)))
                .addFilterChains(FilterChain.newBuilder()
                        .setName("chain")
                        .addFilters(Filter.newBuilder()
                                .setName("envoy.filters.network.http_connection_manager")
                                .setTypedConfig(Any.pack(manager))))
                .build();
    }

    private static Route.Builder route(String cluster) {
        return Route.newBuilder()
                .setName("r")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster));
    }

    private static RouteConfiguration routes(Route... routes) {
        return RouteConfiguration.newBuilder()
                .setName("http-8080")
                .addVirtualHosts(
                        VirtualHost.newBuilder().setName("vh").addDomains("*").addAllRoutes(List.of(routes)))
                .build();
    }

    @Test
    void validResourcesPass() {
        assertEquals(List.of(), validator.validate(cluster("default/web/80")));
        assertEquals(
                List.of(),
                validator.validate(listener(httpConnectionManager("http").build())));
        assertEquals(
                List.of(), validator.validate(routes(route("default/web/80").build())));
    }

    @Test
    void clusterWithEmptyNameIsCaught() {
        List<Violation> violations = validator.validate(cluster(""));
        assertEquals(1, violations.size(), violations.toString());
        Violation violation = violations.getFirst();
        assertEquals("Cluster", violation.resourceType());
        assertEquals("", violation.resourceName());
        assertEquals("name", violation.path());
        assertEquals("length must be at least 1 but got: 0 (got \"\")", violation.message());
    }

    @Test
    void emptyClusterOfANestedRouteActionIsCaught() {
        List<Violation> violations = validator.validate(
                routes(route("default/web/80").build(), route("").build()));
        assertEquals(
                List.of(new Violation(
                        "RouteConfiguration",
                        "http-8080",
                        "virtual_hosts[0].routes[1].route.cluster",
                        violations.isEmpty() ? "" : violations.getFirst().message())),
                violations);
    }

    @Test
    void invalidMessageInsideAnAnyIsCaught() {
        List<Violation> violations =
                validator.validate(listener(httpConnectionManager("").build()));
        assertEquals(1, violations.size(), violations.toString());
        assertEquals(
                "filter_chains[0].filters[0].typed_config(HttpConnectionManager).stat_prefix",
                violations.getFirst().path());
        assertEquals("http-8080", violations.getFirst().resourceName());
    }

    @Test
    void anyInsideAnAnyIsWalked() {
        // A route's CORS policy in a map of Any; an empty regex breaks a rule of a message without rules of its own
        // file's parent: RouteConfiguration > VirtualHost > Route > map<string, Any> > CorsPolicy > StringMatcher.
        Route withCors = route("default/web/80")
                .putTypedPerFilterConfig(
                        "envoy.filters.http.cors",
                        Any.pack(CorsPolicy.newBuilder()
                                .addAllowOriginStringMatch(StringMatcher.newBuilder()
                                        .setSafeRegex(RegexMatcher.newBuilder().setRegex("")))
                                .build()))
                .build();
        List<Violation> violations = validator.validate(routes(withCors));
        assertEquals(
                List.of("virtual_hosts[0].routes[0].typed_per_filter_config[envoy.filters.http.cors](CorsPolicy)"
                        + ".allow_origin_string_match[0].safe_regex.regex"),
                violations.stream().map(Violation::path).toList());

        DownstreamTlsContext tls = DownstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .addTlsCertificateSdsSecretConfigs(
                                SdsSecretConfig.newBuilder().setName("").setSdsConfig(ADS)))
                .build();
        Listener listener = listener(httpConnectionManager("http").build()).toBuilder()
                .setFilterChains(
                        0,
                        listener(httpConnectionManager("http").build()).getFilterChains(0).toBuilder()
                                .setTransportSocket(TransportSocket.newBuilder()
                                        .setName("envoy.transport_sockets.tls")
                                        .setTypedConfig(Any.pack(tls))))
                .build();
        assertEquals(
                List.of("filter_chains[0].transport_socket.typed_config(DownstreamTlsContext).common_tls_context"
                        + ".tls_certificate_sds_secret_configs[0].name"),
                validator.validate(listener).stream().map(Violation::path).toList());
    }

    @Test
    void unknownAnyTypesAreViolations() {
        HttpConnectionManager manager = httpConnectionManager("http")
                .addHttpFilters(
                        0, HttpFilter.newBuilder().setName("mystery").setTypedConfig(Any.pack(StringValue.of("x"))))
                .build();
        List<Violation> violations = validator.validate(listener(manager));
        assertEquals(1, violations.size(), violations.toString());
        assertEquals(
                "filter_chains[0].filters[0].typed_config(HttpConnectionManager).http_filters[0].typed_config",
                violations.getFirst().path());
        assertTrue(violations.getFirst().message().contains("google.protobuf.StringValue"), violations.toString());
    }

    @Test
    void aTypeWithRulesButNoGeneratedValidatorIsReportedNotSkipped() {
        // Gantry emits no rate limit configuration, so the build generates no validators for its file.
        List<Violation> violations = validator.validate(RateLimitServiceConfig.getDefaultInstance());
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.getFirst().message().contains("generated no validator"), violations.toString());
    }

    @Test
    void everyResourceOfASetIsValidatedUnderItsName() {
        ClusterLoadAssignment endpoints = ClusterLoadAssignment.newBuilder()
                .setClusterName("default/web/80")
                .addEndpoints(LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(LbEndpoint.newBuilder()
                                .setEndpoint(Endpoint.newBuilder()
                                        .setAddress(Address.newBuilder()
                                                .setSocketAddress(SocketAddress.newBuilder()
                                                        .setAddress("10.0.0.1")
                                                        .setPortValue(70_000))))))
                .build();
        EnvoyResources resources = new EnvoyResources(
                List.of(EnvoyTranslator.versioned(
                        "http-8080", listener(httpConnectionManager("http").build()))),
                List.of(EnvoyTranslator.versioned("http-8080", routes(route("").build()))),
                List.of(EnvoyTranslator.versioned("default/web/80", cluster("default/web/80"))),
                List.of(EnvoyTranslator.versioned("default/web/80", endpoints)),
                List.of());
        List<Violation> violations = validator.validate(resources);
        assertEquals(
                List.of(
                        "RouteConfiguration \"http-8080\" virtual_hosts[0].routes[0].route.cluster",
                        "ClusterLoadAssignment \"default/web/80\" endpoints[0].lb_endpoints[0].endpoint.address.socket_address"
                                + ".port_value"),
                violations.stream()
                        .map(v -> v.resourceType() + " \"" + v.resourceName() + "\" " + v.path())
                        .toList());
    }
}
