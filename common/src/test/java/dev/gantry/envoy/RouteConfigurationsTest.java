package dev.gantry.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.gantry.ir.ActionIr;
import dev.gantry.ir.ActionIr.PathRewriteIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.RouteIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.VirtualHostIr;
import dev.gantry.ir.WeightedClusterIr;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteConfigurationsTest {

    private static final MatchIr ANY_PATH = new MatchIr(new PathMatchIr.Prefix("/"), List.of(), List.of(), null);
    private static final List<WeightedClusterIr> ONE_BACKEND = List.of(WeightedClusterIr.of("default/web/80", 1));

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                // kind | matched prefix | replacement | prefix rewrite | regex | substitution
                "prefix | /api | / | - | ^/api/* | /",
                "prefix | /a.b | / | - | ^/a\\.b/* | /",
                "prefix | / | / | / | - | -",
                "prefix | /api | /v2 | /v2 | - | -",
                "prefix | / | /v2 | /v2 | - | -",
                "full | - | /new | - | ^/.*$ | /new",
                "full | - | /a\\b | - | ^/.*$ | /a\\\\b"
            })
    void forwardPathRewrites(
            String kind, String matched, String replacement, String prefixRewrite, String regex, String substitution) {
        RouteAction action = RouteConfigurations.route(
                        route(new ActionIr.Forward(ONE_BACKEND, null, rewrite(kind, matched, replacement))))
                .getRoute();
        assertEquals(prefixRewrite == null ? "" : prefixRewrite, action.getPrefixRewrite());
        assertEquals(regex != null, action.hasRegexRewrite());
        if (regex != null) {
            assertEquals(regex, action.getRegexRewrite().getPattern().getRegex());
            assertEquals(substitution, action.getRegexRewrite().getSubstitution());
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                // kind | matched prefix | replacement | prefix rewrite | regex | path redirect
                "prefix | /old | / | - | ^/old/* | -",
                "prefix | / | / | / | - | -",
                "prefix | /old | /new | /new | - | -",
                "full | - | /new | - | - | /new",
                "full | - | /a\\b | - | - | /a\\b"
            })
    void redirectPaths(
            String kind, String matched, String replacement, String prefixRewrite, String regex, String pathRedirect) {
        RedirectAction redirect = RouteConfigurations.redirect(
                new ActionIr.Redirect(null, null, rewrite(kind, matched, replacement), null, 302));
        assertEquals(prefixRewrite == null ? "" : prefixRewrite, redirect.getPrefixRewrite());
        assertEquals(
                regex == null ? "" : regex,
                redirect.getRegexRewrite().getPattern().getRegex());
        assertEquals(regex == null ? "" : "/", redirect.getRegexRewrite().getSubstitution());
        assertEquals(pathRedirect == null ? "" : pathRedirect, redirect.getPathRedirect());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "301 | MOVED_PERMANENTLY",
                "302 | FOUND",
                "303 | SEE_OTHER",
                "307 | TEMPORARY_REDIRECT",
                "308 | PERMANENT_REDIRECT"
            })
    void redirectStatusCodes(int status, RedirectAction.RedirectResponseCode code) {
        assertEquals(
                code,
                RouteConfigurations.redirect(new ActionIr.Redirect(null, null, null, null, status))
                        .getResponseCode());
    }

    @Test
    void redirectKeepsOnlyWhatIsSet() {
        RedirectAction redirect =
                RouteConfigurations.redirect(new ActionIr.Redirect("https", "example.com", null, 8443, 301));
        assertEquals("https", redirect.getSchemeRedirect());
        assertEquals("example.com", redirect.getHostRedirect());
        assertEquals(8443, redirect.getPortRedirect());
        RedirectAction bare = RouteConfigurations.redirect(new ActionIr.Redirect(null, null, null, null, 302));
        assertEquals(
                RedirectAction.newBuilder()
                        .setResponseCode(RedirectAction.RedirectResponseCode.FOUND)
                        .build(),
                bare);
    }

    /** Gateway API prefixes match whole segments: only the root prefix is a plain Envoy prefix. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "exact | /a | PATH | /a",
                "prefix | / | PREFIX | /",
                "prefix | /foo | PATH_SEPARATED_PREFIX | /foo",
                "prefix | /foo/ | PATH_SEPARATED_PREFIX | /foo/",
                "regex | /[^/]+/Ping | SAFE_REGEX | /[^/]+/Ping"
            })
    void pathMatches(String kind, String value, RouteMatch.PathSpecifierCase specifier, String envoyValue) {
        PathMatchIr path = switch (kind) {
            case "exact" -> new PathMatchIr.Exact(value);
            case "prefix" -> new PathMatchIr.Prefix(value);
            default -> new PathMatchIr.Regex(value);
        };
        RouteMatch match = RouteConfigurations.match(new MatchIr(path, List.of(), List.of(), null));
        assertEquals(specifier, match.getPathSpecifierCase());
        assertEquals(
                envoyValue,
                switch (specifier) {
                    case PATH -> match.getPath();
                    case PREFIX -> match.getPrefix();
                    case PATH_SEPARATED_PREFIX -> match.getPathSeparatedPrefix();
                    case SAFE_REGEX -> match.getSafeRegex().getRegex();
                    default -> throw new AssertionError(specifier);
                });
    }

    @Test
    void headerNamesAreLowerCasedAndTheMethodMatchesAfterTheHeaders() {
        RouteMatch match = RouteConfigurations.match(new MatchIr(
                new PathMatchIr.Exact("/"),
                List.of(
                        new MatchIr.ValueMatchIr("X-Version", "v1", false),
                        new MatchIr.ValueMatchIr("Env", "c.*", true)),
                List.of(new MatchIr.ValueMatchIr("Debug", "1", false)),
                "POST"));
        assertEquals(
                List.of("x-version", "env", ":method"),
                match.getHeadersList().stream().map(HeaderMatcher::getName).toList());
        assertEquals("v1", match.getHeaders(0).getStringMatch().getExact());
        assertEquals("c.*", match.getHeaders(1).getStringMatch().getSafeRegex().getRegex());
        assertEquals("POST", match.getHeaders(2).getStringMatch().getExact());
        // Query parameter names are case-sensitive: kept as written.
        assertEquals("Debug", match.getQueryParameters(0).getName());
        assertEquals("1", match.getQueryParameters(0).getStringMatch().getExact());
    }

    /** Envoy takes the first route that matches: hosts and routes keep the order the IR gives. */
    @Test
    void virtualHostsAndRoutesKeepTheirOrder() {
        RouteConfiguration config = RouteConfigurations.routeConfiguration(new RouteTableIr(
                "http-80",
                List.of(
                        new VirtualHostIr("z.example.com", List.of("z.example.com"), List.of(answered("b"))),
                        new VirtualHostIr(
                                "a.example.com",
                                List.of("a.example.com", "a.example.com:*"),
                                List.of(answered("z"), answered("a"), answered("m"))))));
        assertEquals(
                List.of("z.example.com", "a.example.com"),
                config.getVirtualHostsList().stream().map(VirtualHost::getName).toList());
        assertEquals(
                List.of("z", "a", "m"),
                config.getVirtualHosts(1).getRoutesList().stream()
                        .map(Route::getName)
                        .toList());
        assertFalse(config.getValidateClusters().getValue());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "* | regex | .*",
                "https://*.example.com | regex | https://[^.]+\\.example\\.com",
                "https://*.*.example.com | regex | https://[^.]+\\.[^.]+\\.example\\.com",
                "https://app.example.org | exact | https://app.example.org"
            })
    void corsOrigins(String origin, String kind, String matcher) {
        CorsPolicy policy = RouteConfigurations.cors(
                new RouteIr.CorsIr(List.of(origin), List.of(), List.of(), List.of(), null, false));
        StringMatcher match = policy.getAllowOriginStringMatch(0);
        assertEquals(matcher, "regex".equals(kind) ? match.getSafeRegex().getRegex() : match.getExact());
    }

    /** Envoy takes a fraction of a million at most: rounded down, and left out when every request is mirrored. */
    @ParameterizedTest(name = "{0}/{1} -> {2} per million")
    @CsvSource({"1, 2, 500000", "1, 3, 333333", "2, 3, 666666", "1, 1000000, 1", "5, 5, -1"})
    void mirrorFractions(int numerator, int denominator, int perMillion) {
        RouteIr route = new RouteIr(
                "r",
                ANY_PATH,
                new ActionIr.Forward(ONE_BACKEND, null, null),
                HeaderEditsIr.NONE,
                HeaderEditsIr.NONE,
                List.of(new RouteIr.MirrorIr("default/shadow/80", numerator, denominator)),
                null,
                null,
                null);
        RouteAction.RequestMirrorPolicy mirror =
                RouteConfigurations.route(route).getRoute().getRequestMirrorPolicies(0);
        assertEquals("default/shadow/80", mirror.getCluster());
        assertEquals(perMillion >= 0, mirror.hasRuntimeFraction());
        if (perMillion >= 0) {
            assertEquals(
                    perMillion, mirror.getRuntimeFraction().getDefaultValue().getNumerator());
        }
    }

    @Test
    void retriesWithoutCodesRetryOnServerErrors() {
        RouteAction action = forward(new RouteIr.RetryIr(3, List.of(), null), null);
        assertEquals(3, action.getRetryPolicy().getNumRetries().getValue());
        assertEquals(
                "connect-failure,refused-stream,reset,5xx",
                action.getRetryPolicy().getRetryOn());
        assertFalse(action.getRetryPolicy().hasRetryBackOff());
        assertFalse(action.hasTimeout());
    }

    @Test
    void retriesWithCodesRetryOnThoseCodesWithTheirBackoff() {
        RetryPolicy retry = forward(new RouteIr.RetryIr(2, List.of(500, 503), java.time.Duration.ofMillis(250)), null)
                .getRetryPolicy();
        assertEquals("retriable-status-codes,connect-failure,refused-stream,reset", retry.getRetryOn());
        assertEquals(List.of(500, 503), retry.getRetriableStatusCodesList());
        assertEquals(
                Duration.newBuilder().setNanos(250_000_000).build(),
                retry.getRetryBackOff().getBaseInterval());
        assertFalse(
                forward(new RouteIr.RetryIr(2, List.of(), java.time.Duration.ZERO), null)
                        .getRetryPolicy()
                        .hasRetryBackOff(),
                "a zero backoff is Envoy's default");
    }

    /** A backend timeout beside a request timeout is a per-try timeout, carried by a retry policy of no retries. */
    @Test
    void timeouts() {
        RouteAction both = forward(
                null, new RouteIr.TimeoutsIr(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(2)));
        assertEquals(10, both.getTimeout().getSeconds());
        assertEquals(0, both.getRetryPolicy().getNumRetries().getValue());
        assertEquals(2, both.getRetryPolicy().getPerTryTimeout().getSeconds());

        RouteAction backendOnly = forward(null, new RouteIr.TimeoutsIr(null, java.time.Duration.ofSeconds(2)));
        assertEquals(2, backendOnly.getTimeout().getSeconds());
        assertFalse(backendOnly.hasRetryPolicy());

        RouteAction none = forward(null, null);
        assertFalse(none.hasTimeout());
        assertFalse(none.hasRetryPolicy());
    }

    @Test
    void oneBackendIsAClusterAndUnresolvedBackendsAnswer500() {
        assertEquals("default/web/80", forward(null, null).getCluster());
        RouteAction split = RouteConfigurations.route(route(new ActionIr.Forward(
                        List.of(WeightedClusterIr.of("default/web/80", 3), WeightedClusterIr.of(null, 1)), null, null)))
                .getRoute();
        assertTrue(split.hasWeightedClusters());
        assertEquals(
                List.of("default/web/80", EnvoyTranslator.UNRESOLVED_BACKEND),
                split.getWeightedClusters().getClustersList().stream()
                        .map(WeightedCluster.ClusterWeight::getName)
                        .toList());
        assertEquals(
                RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR, split.getClusterNotFoundResponseCode());
    }

    private static RouteAction forward(RouteIr.RetryIr retry, RouteIr.TimeoutsIr timeouts) {
        return RouteConfigurations.route(new RouteIr(
                        "r",
                        ANY_PATH,
                        new ActionIr.Forward(ONE_BACKEND, null, null),
                        HeaderEditsIr.NONE,
                        HeaderEditsIr.NONE,
                        List.of(),
                        null,
                        timeouts,
                        retry))
                .getRoute();
    }

    private static RouteIr route(ActionIr action) {
        return new RouteIr("r", ANY_PATH, action, HeaderEditsIr.NONE, HeaderEditsIr.NONE, List.of(), null, null, null);
    }

    private static PathRewriteIr rewrite(String kind, String matched, String replacement) {
        return "full".equals(kind)
                ? new PathRewriteIr.FullPath(replacement)
                : new PathRewriteIr.PrefixMatch(matched, replacement);
    }

    private static RouteIr answered(String name) {
        return new RouteIr(
                name,
                ANY_PATH,
                new ActionIr.DirectResponse(200, ""),
                HeaderEditsIr.NONE,
                HeaderEditsIr.NONE,
                List.of(),
                null,
                null,
                null);
    }
}
