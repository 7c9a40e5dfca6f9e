package dev.gantry.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import com.google.re2j.Pattern;
import dev.gantry.ir.ActionIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.RouteIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.VirtualHostIr;
import dev.gantry.ir.WeightedClusterIr;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.List;
import java.util.Locale;

/**
 * The RDS resource of a {@link RouteTableIr}: a RouteConfiguration with its virtual hosts in order and each
 * host's routes in the order the IR gives (Envoy takes the first route that matches). A route is a match on path,
 * headers, method and query parameters, and an action: forward to weighted clusters (with rewrites, mirrors,
 * timeouts and retries), redirect, or answer directly; header edits and a CORS policy go beside it.
 */
final class RouteConfigurations {

    private RouteConfigurations() {}

    static RouteConfiguration routeConfiguration(RouteTableIr table) {
        RouteConfiguration.Builder config =
                RouteConfiguration.newBuilder().setName(table.name()).setValidateClusters(BoolValue.of(false));
        for (VirtualHostIr host : table.virtualHosts()) {
            VirtualHost.Builder virtualHost =
                    VirtualHost.newBuilder().setName(host.name()).addAllDomains(host.domains());
            for (RouteIr route : host.routes()) {
                virtualHost.addRoutes(route(route));
            }
            config.addVirtualHosts(virtualHost);
        }
        return config.build();
    }

    static Route route(RouteIr ir) {
        Route.Builder route = Route.newBuilder().setName(ir.name()).setMatch(match(ir.match()));
        switch (ir.action()) {
            case ActionIr.Forward forward -> route.setRoute(routeAction(ir, forward));
            case ActionIr.Redirect redirect -> route.setRedirect(redirect(redirect));
            case ActionIr.DirectResponse direct -> {
                DirectResponseAction.Builder response =
                        DirectResponseAction.newBuilder().setStatus(direct.status());
                if (!direct.body().isEmpty()) {
                    response.setBody(DataSource.newBuilder().setInlineString(direct.body()));
                }
                route.setDirectResponse(response);
            }
        }
        addHeaderEdits(ir.requestHeaders(), route::addRequestHeadersToAdd, route::addRequestHeadersToRemove);
        addHeaderEdits(ir.responseHeaders(), route::addResponseHeadersToAdd, route::addResponseHeadersToRemove);
        if (ir.cors() != null) {
            route.putTypedPerFilterConfig("envoy.filters.http.cors", Any.pack(cors(ir.cors())));
        }
        return route.build();
    }

    static RouteMatch match(MatchIr match) {
        RouteMatch.Builder builder = RouteMatch.newBuilder();
        switch (match.path()) {
            case PathMatchIr.Exact exact -> builder.setPath(exact.value());
            case PathMatchIr.Prefix prefix -> {
                if ("/".equals(prefix.value())) {
                    builder.setPrefix("/");
                } else {
                    // Gateway API prefixes match whole path segments: "/foo" matches "/foo" and "/foo/x", not
                    // "/foobar".
                    builder.setPathSeparatedPrefix(prefix.value());
                }
            }
            case PathMatchIr.Regex regex ->
                builder.setSafeRegex(RegexMatcher.newBuilder().setRegex(regex.value()));
        }
        for (MatchIr.ValueMatchIr header : match.headers()) {
            builder.addHeaders(HeaderMatcher.newBuilder()
                    .setName(header.name().toLowerCase(Locale.ROOT))
                    .setStringMatch(stringMatch(header)));
        }
        if (match.method() != null) {
            builder.addHeaders(HeaderMatcher.newBuilder()
                    .setName(":method")
                    .setStringMatch(StringMatcher.newBuilder().setExact(match.method())));
        }
        for (MatchIr.ValueMatchIr query : match.queryParams()) {
            builder.addQueryParameters(
                    QueryParameterMatcher.newBuilder().setName(query.name()).setStringMatch(stringMatch(query)));
        }
        return builder.build();
    }

    private static StringMatcher stringMatch(MatchIr.ValueMatchIr match) {
        return match.regex()
                ? StringMatcher.newBuilder()
                        .setSafeRegex(RegexMatcher.newBuilder().setRegex(match.value()))
                        .build()
                : StringMatcher.newBuilder().setExact(match.value()).build();
    }

    private static RouteAction routeAction(RouteIr ir, ActionIr.Forward forward) {
        RouteAction.Builder action = RouteAction.newBuilder()
                .setClusterNotFoundResponseCode(RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR);
        List<WeightedClusterIr> backends = forward.backends();
        if (backends.size() == 1
                && backends.getFirst().requestHeaders().isEmpty()
                && backends.getFirst().responseHeaders().isEmpty()) {
            WeightedClusterIr only = backends.getFirst();
            action.setCluster(only.resolved() ? only.cluster() : EnvoyTranslator.UNRESOLVED_BACKEND);
        } else {
            WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
            for (WeightedClusterIr backend : backends) {
                WeightedCluster.ClusterWeight.Builder weight = WeightedCluster.ClusterWeight.newBuilder()
                        .setName(backend.resolved() ? backend.cluster() : EnvoyTranslator.UNRESOLVED_BACKEND)
                        .setWeight(UInt32Value.of(backend.weight()));
                addHeaderEdits(
                        backend.requestHeaders(), weight::addRequestHeadersToAdd, weight::addRequestHeadersToRemove);
                addHeaderEdits(
                        backend.responseHeaders(), weight::addResponseHeadersToAdd, weight::addResponseHeadersToRemove);
                weighted.addClusters(weight);
            }
            action.setWeightedClusters(weighted);
        }
        if (forward.hostRewrite() != null) {
            action.setHostRewriteLiteral(forward.hostRewrite());
        }
        if (forward.pathRewrite() != null) {
            applyPathRewrite(forward.pathRewrite(), action);
        }
        for (RouteIr.MirrorIr mirror : ir.mirrors()) {
            RouteAction.RequestMirrorPolicy.Builder policy =
                    RouteAction.RequestMirrorPolicy.newBuilder().setCluster(mirror.cluster());
            if (mirror.numerator() != mirror.denominator()) {
                policy.setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(fraction(mirror)));
            }
            action.addRequestMirrorPolicies(policy);
        }
        if (ir.timeouts() != null) {
            RouteIr.TimeoutsIr timeouts = ir.timeouts();
            if (timeouts.request() != null) {
                action.setTimeout(duration(timeouts.request()));
            } else if (timeouts.backendRequest() != null) {
                action.setTimeout(duration(timeouts.backendRequest()));
            }
        }
        RetryPolicy retry = retryPolicy(ir);
        if (retry != null) {
            action.setRetryPolicy(retry);
        }
        return action.build();
    }

    private static RetryPolicy retryPolicy(RouteIr ir) {
        RouteIr.TimeoutsIr timeouts = ir.timeouts();
        boolean perTry = timeouts != null && timeouts.request() != null && timeouts.backendRequest() != null;
        if (ir.retry() == null && !perTry) {
            return null;
        }
        RetryPolicy.Builder policy = RetryPolicy.newBuilder();
        if (ir.retry() != null) {
            policy.setNumRetries(UInt32Value.of(ir.retry().attempts()));
            if (ir.retry().codes().isEmpty()) {
                policy.setRetryOn("connect-failure,refused-stream,reset,5xx");
            } else {
                policy.setRetryOn("retriable-status-codes,connect-failure,refused-stream,reset");
                ir.retry().codes().forEach(policy::addRetriableStatusCodes);
            }
            if (ir.retry().backoff() != null && !ir.retry().backoff().isZero()) {
                policy.setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
                        .setBaseInterval(duration(ir.retry().backoff())));
            }
        } else {
            policy.setNumRetries(UInt32Value.of(0));
        }
        if (perTry) {
            policy.setPerTryTimeout(duration(timeouts.backendRequest()));
        }
        return policy.build();
    }

    private static void applyPathRewrite(ActionIr.PathRewriteIr rewrite, RouteAction.Builder action) {
        switch (rewrite) {
            case ActionIr.PathRewriteIr.FullPath full ->
                action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
                        .setPattern(RegexMatcher.newBuilder().setRegex("^/.*$"))
                        .setSubstitution(full.path().replace("\\", "\\\\")));
            case ActionIr.PathRewriteIr.PrefixMatch prefix -> {
                if (replacesPrefixWithRoot(prefix)) {
                    action.setRegexRewrite(prefixToRoot(prefix));
                } else {
                    action.setPrefixRewrite(prefix.replacement());
                }
            }
        }
    }

    /**
     * ReplacePrefixMatch "/" must turn "/prefix/rest" into "/rest", not "//rest": a plain prefix rewrite would keep
     * the separator, so that case, in a forward and a redirect alike, takes {@link #prefixToRoot}.
     */
    private static boolean replacesPrefixWithRoot(ActionIr.PathRewriteIr.PrefixMatch prefix) {
        return "/".equals(prefix.replacement()) && !"/".equals(prefix.matchedPrefix());
    }

    /** A regular expression that replaces the matched prefix and the separators after it with one "/". */
    private static RegexMatchAndSubstitute.Builder prefixToRoot(ActionIr.PathRewriteIr.PrefixMatch prefix) {
        return RegexMatchAndSubstitute.newBuilder()
                .setPattern(RegexMatcher.newBuilder().setRegex("^" + Pattern.quote(prefix.matchedPrefix()) + "/*"))
                .setSubstitution("/");
    }

    static RedirectAction redirect(ActionIr.Redirect redirect) {
        RedirectAction.Builder action = RedirectAction.newBuilder()
                .setResponseCode(
                        switch (redirect.statusCode()) {
                            case 301 -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
                            case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
                            case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
                            case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
                            default -> RedirectAction.RedirectResponseCode.FOUND;
                        });
        if (redirect.scheme() != null) {
            action.setSchemeRedirect(redirect.scheme());
        }
        if (redirect.hostname() != null) {
            action.setHostRedirect(redirect.hostname());
        }
        if (redirect.port() != null) {
            action.setPortRedirect(redirect.port());
        }
        if (redirect.path() != null) {
            switch (redirect.path()) {
                case ActionIr.PathRewriteIr.FullPath full -> action.setPathRedirect(full.path());
                case ActionIr.PathRewriteIr.PrefixMatch prefix -> {
                    if (replacesPrefixWithRoot(prefix)) {
                        action.setRegexRewrite(prefixToRoot(prefix));
                    } else {
                        action.setPrefixRewrite(prefix.replacement());
                    }
                }
            }
        }
        return action.build();
    }

    static CorsPolicy cors(RouteIr.CorsIr cors) {
        CorsPolicy.Builder policy = CorsPolicy.newBuilder();
        for (String origin : cors.allowOrigins()) {
            if ("*".equals(origin)) {
                policy.addAllowOriginStringMatch(StringMatcher.newBuilder()
                        .setSafeRegex(RegexMatcher.newBuilder().setRegex(".*")));
            } else if (origin.contains("*")) {
                StringBuilder regex = new StringBuilder();
                for (String part : origin.split("\\*", -1)) {
                    if (!regex.isEmpty()) {
                        regex.append("[^.]+");
                    }
                    regex.append(Pattern.quote(part));
                }
                policy.addAllowOriginStringMatch(StringMatcher.newBuilder()
                        .setSafeRegex(RegexMatcher.newBuilder().setRegex(regex.toString())));
            } else {
                policy.addAllowOriginStringMatch(StringMatcher.newBuilder().setExact(origin));
            }
        }
        if (!cors.allowMethods().isEmpty()) {
            policy.setAllowMethods(String.join(",", cors.allowMethods()));
        }
        if (!cors.allowHeaders().isEmpty()) {
            policy.setAllowHeaders(String.join(",", cors.allowHeaders()));
        }
        if (!cors.exposeHeaders().isEmpty()) {
            policy.setExposeHeaders(String.join(",", cors.exposeHeaders()));
        }
        if (cors.maxAgeSeconds() != null) {
            policy.setMaxAge(Integer.toString(cors.maxAgeSeconds()));
        }
        policy.setAllowCredentials(BoolValue.of(cors.allowCredentials()));
        return policy.build();
    }

    private interface HeaderAdder {
        void add(HeaderValueOption option);
    }

    private interface HeaderRemover {
        void remove(String name);
    }

    private static void addHeaderEdits(HeaderEditsIr edits, HeaderAdder adder, HeaderRemover remover) {
        for (HeaderEditsIr.HeaderIr header : edits.set()) {
            adder.add(HeaderValueOption.newBuilder()
                    .setHeader(HeaderValue.newBuilder().setKey(header.name()).setValue(header.value()))
                    .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
                    .build());
        }
        for (HeaderEditsIr.HeaderIr header : edits.add()) {
            adder.add(HeaderValueOption.newBuilder()
                    .setHeader(HeaderValue.newBuilder().setKey(header.name()).setValue(header.value()))
                    .setAppendAction(HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)
                    .build());
        }
        edits.remove().forEach(remover::remove);
    }

    private static FractionalPercent fraction(RouteIr.MirrorIr mirror) {
        // Envoy takes a fraction of 100, 10,000 or 1,000,000: scale to a million and round down.
        long perMillion = (long) mirror.numerator() * 1_000_000L / mirror.denominator();
        return FractionalPercent.newBuilder()
                .setNumerator((int) perMillion)
                .setDenominator(FractionalPercent.DenominatorType.MILLION)
                .build();
    }

    private static Duration duration(java.time.Duration duration) {
        return Duration.newBuilder()
                .setSeconds(duration.getSeconds())
                .setNanos(duration.getNano())
                .build();
    }
}
