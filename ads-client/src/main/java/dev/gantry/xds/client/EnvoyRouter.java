package dev.gantry.xds.client;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
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
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Routes a request through the configuration a proxy holds, as Envoy would: the listener on the port, its filter
 * chain by SNI, the HTTP connection manager's route configuration, the virtual host by Envoy's domain rules, the first
 * route that matches, and what that route does.
 *
 * <p>It models the Envoy fields Gantry's translation emits and nothing more. A field set that it does not model, in
 * any message it reads on the way, is an {@link UnsupportedOperationException} naming the field, so that it never
 * silently decides otherwise than Envoy would. Fields that change nothing about where a request goes (stat prefixes,
 * timeouts, retries, mirrors, the codec) are read past.
 */
public final class EnvoyRouter {

    private static final String HCM = "envoy.filters.network.http_connection_manager";
    private static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
    private static final String CORS = "envoy.filters.http.cors";
    private static final String ROUTER = "envoy.filters.http.router";
    private static final Pattern DOUBLE_SLASHES = Pattern.compile("//+");

    /** The resources a proxy serves with: the listeners that serve, route configurations, warm clusters. */
    public interface Configuration {
        Collection<Listener> listeners();

        /** The route configuration of that name, or null when the proxy does not hold it. */
        RouteConfiguration routeConfiguration(String name);

        /** Whether the cluster is held and warm, so that a request can be sent to it. */
        boolean clusterWarm(String name);

        /** What an ADS client holds: the listeners' serving versions, its route configurations, warm clusters. */
        static Configuration of(AdsClient proxy) {
            return new Configuration() {
                @Override
                public Collection<Listener> listeners() {
                    List<Listener> listeners = new ArrayList<>();
                    for (String name : proxy.names(AdsClient.LISTENER)) {
                        Any serving = proxy.activeListener(name);
                        if (serving != null) {
                            listeners.add(unpack(serving, Listener.class));
                        }
                    }
                    return listeners;
                }

                @Override
                public RouteConfiguration routeConfiguration(String name) {
                    return proxy.resource(AdsClient.ROUTE, name, RouteConfiguration.class);
                }

                @Override
                public boolean clusterWarm(String name) {
                    return proxy.clusterWarm(name);
                }
            };
        }

        /** Fixed resources, for tests. */
        static Configuration of(
                Collection<Listener> listeners, Collection<RouteConfiguration> routes, Set<String> warmClusters) {
            List<Listener> listenerCopy = List.copyOf(listeners);
            Map<String, RouteConfiguration> byName =
                    routes.stream().collect(Collectors.toMap(RouteConfiguration::getName, Function.identity()));
            Set<String> clusters = Set.copyOf(warmClusters);
            return new Configuration() {
                @Override
                public Collection<Listener> listeners() {
                    return listenerCopy;
                }

                @Override
                public RouteConfiguration routeConfiguration(String name) {
                    return byName.get(name);
                }

                @Override
                public boolean clusterWarm(String name) {
                    return clusters.contains(name);
                }
            };
        }
    }

    private final Configuration configuration;

    private EnvoyRouter(Configuration configuration) {
        this.configuration = configuration;
    }

    public static EnvoyRouter of(Configuration configuration) {
        return new EnvoyRouter(configuration);
    }

    /** A router over what the ADS client holds at the time of each request. */
    public static EnvoyRouter of(AdsClient proxy) {
        return new EnvoyRouter(Configuration.of(proxy));
    }

    /** Routes a request that arrives on the TCP listener bound to {@code port}. */
    public RoutingOutcome route(int port, HttpRequest request) {
        List<Listener> onPort = configuration.listeners().stream()
                .filter(l -> l.getAddress().getSocketAddress().getPortValue() == port && !l.hasUdpListenerConfig())
                .toList();
        if (onPort.isEmpty()) {
            return new RoutingOutcome.ConnectionFailed("no listener serves port " + port);
        }
        if (onPort.size() > 1) {
            throw new IllegalStateException("several listeners bind port " + port + ": "
                    + onPort.stream().map(Listener::getName).toList());
        }
        return route(onPort.getFirst(), request);
    }

    private RoutingOutcome route(Listener listener, HttpRequest request) {
        understood(listener, "name", "stat_prefix", "address", "filter_chains", "listener_filters");
        understood(listener.getAddress().getSocketAddress(), "address", "port_value", "protocol");
        boolean inspectsTls = false;
        for (ListenerFilter filter : listener.getListenerFiltersList()) {
            if (!filter.getName().equals(TLS_INSPECTOR)) {
                throw unsupported("Listener.listener_filters", filter.getName());
            }
            inspectsTls = true;
        }
        // Without the TLS inspector Envoy never learns the SNI, and only chains without server names can match.
        String sni = inspectsTls && request.sni() != null ? request.sni().toLowerCase(Locale.ROOT) : null;
        FilterChain chain = filterChain(listener, sni);
        if (chain == null) {
            return new RoutingOutcome.ConnectionFailed(
                    "no filter chain of listener " + listener.getName() + " for SNI " + sni);
        }
        understood(chain, "name", "filter_chain_match", "transport_socket", "filters");
        boolean chainTls = chain.hasTransportSocket();
        if (chainTls != (request.sni() != null || request.scheme().equals("https"))) {
            return new RoutingOutcome.ConnectionFailed("filter chain " + chain.getName() + " of listener "
                    + listener.getName() + (chainTls ? " expects TLS" : " expects plain text"));
        }
        if (chain.getFiltersCount() != 1 || !chain.getFilters(0).getName().equals(HCM)) {
            throw unsupported(
                    "FilterChain.filters",
                    chain.getFiltersList().stream()
                            .map(Filter::getName)
                            .toList()
                            .toString());
        }
        HttpConnectionManager hcm = unpack(chain.getFilters(0).getTypedConfig(), HttpConnectionManager.class);
        understood(
                hcm,
                "stat_prefix",
                "codec_type",
                "rds",
                "upgrade_configs",
                "normalize_path",
                "merge_slashes",
                "strip_any_host_port",
                "use_remote_address",
                "http_filters");
        boolean cors = false;
        for (HttpFilter filter : hcm.getHttpFiltersList()) {
            switch (filter.getName()) {
                case CORS -> cors = true;
                case ROUTER -> {}
                default -> throw unsupported("HttpConnectionManager.http_filters", filter.getName());
            }
        }
        RouteConfiguration routes =
                configuration.routeConfiguration(hcm.getRds().getRouteConfigName());
        if (routes == null) {
            // A listener serves only once its route configuration arrived.
            throw new IllegalStateException("listener " + listener.getName()
                    + " serves without its route configuration " + hcm.getRds().getRouteConfigName());
        }
        String path = request.pathOnly();
        if (hcm.hasNormalizePath() && hcm.getNormalizePath().getValue()) {
            path = normalize(path);
        }
        if (hcm.getMergeSlashes()) {
            path = DOUBLE_SLASHES.matcher(path).replaceAll("/");
        }
        String query = request.query();
        String fullPath = query == null ? path : path + "?" + query;
        String authority = hcm.getStripAnyHostPort() ? withoutPort(request.authority()) : request.authority();
        HttpRequest seen = new HttpRequest(
                request.scheme(), authority, request.method(), fullPath, request.headers(), request.sni());
        return route(routes, seen, cors);
    }

    /** Envoy's filter chain match on server names: exact, then the longest wildcard suffix, then none. */
    private static FilterChain filterChain(Listener listener, String sni) {
        FilterChain catchAll = null;
        FilterChain best = null;
        int bestLength = -1;
        for (FilterChain chain : listener.getFilterChainsList()) {
            understood(chain.getFilterChainMatch(), "server_names");
            List<String> names = chain.getFilterChainMatch().getServerNamesList();
            if (names.isEmpty()) {
                if (catchAll == null) {
                    catchAll = chain;
                }
                continue;
            }
            if (sni == null) {
                continue;
            }
            for (String name : names) {
                String lower = name.toLowerCase(Locale.ROOT);
                int length;
                if (lower.equals(sni)) {
                    length = Integer.MAX_VALUE;
                } else if (lower.startsWith("*.") && sni.endsWith(lower.substring(1))) {
                    length = lower.length();
                } else {
                    continue;
                }
                if (length > bestLength) {
                    best = chain;
                    bestLength = length;
                }
            }
        }
        return best != null ? best : catchAll;
    }

    private RoutingOutcome route(RouteConfiguration routes, HttpRequest request, boolean corsFilter) {
        understood(routes, "name", "virtual_hosts", "validate_clusters");
        VirtualHost host = virtualHost(routes, request.authority());
        if (host == null) {
            return new RoutingOutcome.NoRoute(
                    "no virtual host of " + routes.getName() + " for host " + request.authority());
        }
        understood(host, "name", "domains", "routes");
        for (Route route : host.getRoutesList()) {
            understood(
                    route,
                    "name",
                    "match",
                    "route",
                    "redirect",
                    "direct_response",
                    "request_headers_to_add",
                    "request_headers_to_remove",
                    "response_headers_to_add",
                    "response_headers_to_remove",
                    "typed_per_filter_config");
            String matched = matches(route.getMatch(), request);
            if (matched == null) {
                continue;
            }
            for (String filter : route.getTypedPerFilterConfigMap().keySet()) {
                if (!filter.equals(CORS)) {
                    throw unsupported("Route.typed_per_filter_config", filter);
                }
                if (corsFilter && isPreflight(request)) {
                    throw new UnsupportedOperationException(
                            "a CORS preflight request is answered by the CORS filter, which is not modelled");
                }
            }
            return act(route, request, matched);
        }
        return new RoutingOutcome.NoRoute(
                "no route of virtual host " + host.getName() + " matches " + request.method() + " " + request.path());
    }

    private static boolean isPreflight(HttpRequest request) {
        return request.method().equals("OPTIONS")
                && request.headers().containsKey("origin")
                && request.headers().containsKey("access-control-request-method");
    }

    /**
     * Envoy's virtual host selection on the lower-cased host: an exact domain, then the longest suffix wildcard
     * ({@code *.example.com}, {@code *-bar.example.com}), then the longest prefix wildcard ({@code foo.*}), then
     * {@code *}. A wildcard stands for at least one character.
     */
    static VirtualHost virtualHost(RouteConfiguration routes, String authority) {
        String host = authority.toLowerCase(Locale.ROOT);
        VirtualHost suffix = null;
        int suffixLength = -1;
        VirtualHost prefix = null;
        int prefixLength = -1;
        VirtualHost any = null;
        for (VirtualHost candidate : routes.getVirtualHostsList()) {
            for (String domain : candidate.getDomainsList()) {
                String lower = domain.toLowerCase(Locale.ROOT);
                if (lower.equals("*")) {
                    if (any == null) {
                        any = candidate;
                    }
                } else if (lower.startsWith("*")) {
                    String rest = lower.substring(1);
                    if (host.length() > rest.length() && host.endsWith(rest) && rest.length() > suffixLength) {
                        suffix = candidate;
                        suffixLength = rest.length();
                    }
                } else if (lower.endsWith("*")) {
                    String rest = lower.substring(0, lower.length() - 1);
                    if (host.length() > rest.length() && host.startsWith(rest) && rest.length() > prefixLength) {
                        prefix = candidate;
                        prefixLength = rest.length();
                    }
                } else if (lower.equals(host)) {
                    return candidate;
                }
            }
        }
        if (suffix != null) {
            return suffix;
        }
        return prefix != null ? prefix : any;
    }

    /**
     * Whether the route matches, and if so the part of the path a prefix rewrite replaces (the whole path for an
     * exact or regular-expression match); null when it does not match.
     */
    static String matches(RouteMatch match, HttpRequest request) {
        understood(
                match,
                "prefix",
                "path",
                "safe_regex",
                "path_separated_prefix",
                "case_sensitive",
                "headers",
                "query_parameters");
        boolean caseSensitive =
                !match.hasCaseSensitive() || match.getCaseSensitive().getValue();
        String pathOnly = request.pathOnly();
        String matched = switch (match.getPathSpecifierCase()) {
            // Envoy compares a prefix with the whole :path, query string included.
            case PREFIX ->
                startsWith(request.path(), match.getPrefix(), caseSensitive)
                        ? request.path().substring(0, match.getPrefix().length())
                        : null;
            case PATH ->
                (caseSensitive ? pathOnly.equals(match.getPath()) : pathOnly.equalsIgnoreCase(match.getPath()))
                        ? pathOnly
                        : null;
            case SAFE_REGEX -> regex(match.getSafeRegex()).matches(pathOnly) ? pathOnly : null;
            case PATH_SEPARATED_PREFIX -> {
                String prefix = match.getPathSeparatedPrefix();
                boolean matches = startsWith(pathOnly, prefix, caseSensitive)
                        && (pathOnly.length() == prefix.length() || pathOnly.charAt(prefix.length()) == '/');
                yield matches ? pathOnly.substring(0, prefix.length()) : null;
            }
            default ->
                throw unsupported(
                        "RouteMatch.path_specifier",
                        match.getPathSpecifierCase().name());
        };
        if (matched == null) {
            return null;
        }
        for (HeaderMatcher header : match.getHeadersList()) {
            if (!headerMatches(header, request)) {
                return null;
            }
        }
        for (QueryParameterMatcher parameter : match.getQueryParametersList()) {
            if (!queryMatches(parameter, request)) {
                return null;
            }
        }
        return matched;
    }

    private static boolean startsWith(String value, String prefix, boolean caseSensitive) {
        return value.regionMatches(!caseSensitive, 0, prefix, 0, prefix.length());
    }

    /**
     * Envoy's header match: every value of the header joined by commas; a missing header matches nothing (inverted or
     * not) unless the matcher treats it as empty; {@code present_match} is about presence alone.
     */
    private static boolean headerMatches(HeaderMatcher matcher, HttpRequest request) {
        understood(matcher, "name", "string_match", "present_match", "invert_match", "treat_missing_header_as_empty");
        String value = headerValue(matcher.getName().toLowerCase(Locale.ROOT), request);
        return switch (matcher.getHeaderMatchSpecifierCase()) {
            case PRESENT_MATCH -> (value != null) == matcher.getPresentMatch() != matcher.getInvertMatch();
            case STRING_MATCH -> {
                if (value == null && !matcher.getTreatMissingHeaderAsEmpty()) {
                    yield false;
                }
                yield stringMatches(matcher.getStringMatch(), value == null ? "" : value) != matcher.getInvertMatch();
            }
            default ->
                throw unsupported(
                        "HeaderMatcher.header_match_specifier",
                        matcher.getHeaderMatchSpecifierCase().name());
        };
    }

    private static String headerValue(String name, HttpRequest request) {
        return switch (name) {
            case ":method" -> request.method();
            case ":authority", "host" -> request.authority();
            case ":path" -> request.path();
            case ":scheme" -> request.scheme();
            default -> {
                List<String> values = request.headers().get(name);
                yield values == null || values.isEmpty() ? null : String.join(",", values);
            }
        };
    }

    /** Envoy's query parameter match: names as sent (case-sensitive), against the first value, not decoded. */
    private static boolean queryMatches(QueryParameterMatcher matcher, HttpRequest request) {
        understood(matcher, "name", "string_match", "present_match");
        String value = null;
        boolean present = false;
        String query = request.query();
        if (query != null) {
            for (String parameter : query.split("&")) {
                int equals = parameter.indexOf('=');
                String name = equals < 0 ? parameter : parameter.substring(0, equals);
                if (name.equals(matcher.getName())) {
                    present = true;
                    value = equals < 0 ? "" : parameter.substring(equals + 1);
                    break;
                }
            }
        }
        return switch (matcher.getQueryParameterMatchSpecifierCase()) {
            case PRESENT_MATCH -> present == matcher.getPresentMatch();
            case STRING_MATCH -> present && stringMatches(matcher.getStringMatch(), value);
            default ->
                throw unsupported(
                        "QueryParameterMatcher.query_parameter_match_specifier",
                        matcher.getQueryParameterMatchSpecifierCase().name());
        };
    }

    static boolean stringMatches(StringMatcher matcher, String value) {
        understood(matcher, "exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case");
        boolean ignoreCase = matcher.getIgnoreCase();
        return switch (matcher.getMatchPatternCase()) {
            case EXACT -> ignoreCase ? value.equalsIgnoreCase(matcher.getExact()) : value.equals(matcher.getExact());
            case PREFIX -> startsWith(value, matcher.getPrefix(), !ignoreCase);
            case SUFFIX ->
                value.regionMatches(
                        ignoreCase,
                        value.length() - matcher.getSuffix().length(),
                        matcher.getSuffix(),
                        0,
                        matcher.getSuffix().length());
            case CONTAINS ->
                ignoreCase
                        ? value.toLowerCase(Locale.ROOT)
                                .contains(matcher.getContains().toLowerCase(Locale.ROOT))
                        : value.contains(matcher.getContains());
            // ignore_case has no effect on a regular expression in Envoy.
            case SAFE_REGEX -> regex(matcher.getSafeRegex()).matches(value);
            default ->
                throw unsupported(
                        "StringMatcher.match_pattern",
                        matcher.getMatchPatternCase().name());
        };
    }

    /** RE2, as Envoy's safe_regex; a match must cover the whole input. */
    private static Pattern regex(RegexMatcher matcher) {
        understood(matcher, "regex");
        return Pattern.compile(matcher.getRegex());
    }

    private RoutingOutcome act(Route route, HttpRequest request, String matched) {
        return switch (route.getActionCase()) {
            case ROUTE -> forward(route, request, matched);
            case REDIRECT -> redirect(route, route.getRedirect(), request, matched);
            case DIRECT_RESPONSE -> {
                DirectResponseAction direct = route.getDirectResponse();
                understood(direct, "status", "body");
                understood(direct.getBody(), "inline_string");
                yield new RoutingOutcome.DirectResponse(
                        route.getName(), direct.getStatus(), direct.getBody().getInlineString());
            }
            default -> throw unsupported("Route.action", route.getActionCase().name());
        };
    }

    private RoutingOutcome forward(Route route, HttpRequest request, String matched) {
        RouteAction action = route.getRoute();
        understood(
                action,
                "cluster",
                "weighted_clusters",
                "cluster_not_found_response_code",
                "host_rewrite_literal",
                "prefix_rewrite",
                "regex_rewrite",
                "request_mirror_policies",
                "timeout",
                "retry_policy");
        List<RoutingOutcome.Backend> backends = new ArrayList<>();
        switch (action.getClusterSpecifierCase()) {
            case CLUSTER ->
                backends.add(new RoutingOutcome.Backend(
                        action.getCluster(),
                        1,
                        configuration.clusterWarm(action.getCluster()),
                        RoutingOutcome.HeaderEdits.NONE,
                        RoutingOutcome.HeaderEdits.NONE));
            case WEIGHTED_CLUSTERS -> {
                WeightedCluster weighted = action.getWeightedClusters();
                understood(weighted, "clusters");
                for (WeightedCluster.ClusterWeight weight : weighted.getClustersList()) {
                    understood(
                            weight,
                            "name",
                            "weight",
                            "request_headers_to_add",
                            "request_headers_to_remove",
                            "response_headers_to_add",
                            "response_headers_to_remove");
                    backends.add(new RoutingOutcome.Backend(
                            weight.getName(),
                            weight.getWeight().getValue(),
                            configuration.clusterWarm(weight.getName()),
                            edits(weight.getRequestHeadersToAddList(), weight.getRequestHeadersToRemoveList()),
                            edits(weight.getResponseHeadersToAddList(), weight.getResponseHeadersToRemoveList())));
                }
            }
            default ->
                throw unsupported(
                        "RouteAction.cluster_specifier",
                        action.getClusterSpecifierCase().name());
        }
        List<String> pickable = backends.stream()
                .filter(b -> b.weight() > 0)
                .map(RoutingOutcome.Backend::cluster)
                .toList();
        if (backends.stream().filter(b -> b.weight() > 0).noneMatch(RoutingOutcome.Backend::held)) {
            int status = switch (action.getClusterNotFoundResponseCode()) {
                case SERVICE_UNAVAILABLE -> 503;
                case NOT_FOUND -> 404;
                case INTERNAL_SERVER_ERROR -> 500;
                default ->
                    throw unsupported(
                            "RouteAction.cluster_not_found_response_code",
                            action.getClusterNotFoundResponseCode().name());
            };
            return new RoutingOutcome.ClusterNotHeld(route.getName(), pickable, status);
        }
        String path = request.path();
        if (!action.getPrefixRewrite().isEmpty()) {
            path = action.getPrefixRewrite() + path.substring(matched.length());
        } else if (action.hasRegexRewrite()) {
            path = regexRewrite(action.getRegexRewrite(), request);
        }
        String authority =
                action.getHostRewriteLiteral().isEmpty() ? request.authority() : action.getHostRewriteLiteral();
        return new RoutingOutcome.Forward(
                route.getName(),
                backends,
                path,
                authority,
                edits(route.getRequestHeadersToAddList(), route.getRequestHeadersToRemoveList()),
                edits(route.getResponseHeadersToAddList(), route.getResponseHeadersToRemoveList()));
    }

    /**
     * The Location Envoy builds: the path after the redirect's prefix or regex rewrite, or its path_redirect (keeping
     * the request's query unless that path has one); the scheme, host and port redirects; a port of the request's
     * host is dropped when a port is given, or when the scheme changes away from that port's default.
     */
    private static RoutingOutcome redirect(Route route, RedirectAction redirect, HttpRequest request, String matched) {
        understood(
                redirect,
                "scheme_redirect",
                "https_redirect",
                "host_redirect",
                "port_redirect",
                "path_redirect",
                "prefix_rewrite",
                "regex_rewrite",
                "response_code",
                "strip_query");
        String path = request.path();
        if (!redirect.getPrefixRewrite().isEmpty()) {
            path = redirect.getPrefixRewrite() + path.substring(matched.length());
        } else if (redirect.hasRegexRewrite()) {
            path = regexRewrite(redirect.getRegexRewrite(), request);
        }
        String scheme = !redirect.getSchemeRedirect().isEmpty()
                ? redirect.getSchemeRedirect()
                : redirect.getHttpsRedirect() ? "https" : request.scheme();
        String port = redirect.getPortRedirect() == 0 ? "" : ":" + redirect.getPortRedirect();
        String host =
                !redirect.getHostRedirect().isEmpty() ? redirect.getHostRedirect() : requestHost(request, scheme, port);
        if (!redirect.getPathRedirect().isEmpty()) {
            String pathRedirect = redirect.getPathRedirect();
            int query = path.indexOf('?');
            path = pathRedirect.contains("?") || query < 0 ? pathRedirect : pathRedirect + path.substring(query);
        }
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        if (redirect.getStripQuery() && !redirect.getPathRedirect().contains("?") && path.indexOf('?') >= 0) {
            path = path.substring(0, path.indexOf('?'));
        }
        int status = switch (redirect.getResponseCode()) {
            case MOVED_PERMANENTLY -> 301;
            case FOUND -> 302;
            case SEE_OTHER -> 303;
            case TEMPORARY_REDIRECT -> 307;
            case PERMANENT_REDIRECT -> 308;
            default ->
                throw unsupported(
                        "RedirectAction.response_code",
                        redirect.getResponseCode().name());
        };
        return new RoutingOutcome.Redirect(route.getName(), status, scheme + "://" + host + port + path);
    }

    private static String requestHost(HttpRequest request, String newScheme, String newPort) {
        String host = request.authority();
        int colon = portColon(host);
        if (colon < 0) {
            return host;
        }
        String requestPort = host.substring(colon);
        boolean remove = !newPort.isEmpty();
        if (!newScheme.equals(request.scheme())) {
            remove |= request.scheme().equals("https") && requestPort.equals(":443");
            remove |= request.scheme().equals("http") && requestPort.equals(":80");
        }
        return remove ? host.substring(0, colon) : host;
    }

    /** Where the port of a host begins (its colon), or -1; an IPv6 literal keeps its own colons. */
    private static int portColon(String host) {
        if (host.startsWith("[")) {
            int end = host.lastIndexOf("]:");
            return end < 0 ? -1 : end + 1;
        }
        return host.lastIndexOf(':');
    }

    private static String withoutPort(String host) {
        int colon = portColon(host);
        return colon < 0 ? host : host.substring(0, colon);
    }

    /** RE2's global replace on the path without its query, which is kept; {@code \N} in the substitution is group N. */
    private static String regexRewrite(RegexMatchAndSubstitute rewrite, HttpRequest request) {
        understood(rewrite, "pattern", "substitution");
        String pathOnly = request.pathOnly();
        Matcher matcher = regex(rewrite.getPattern()).matcher(pathOnly);
        StringBuilder result = new StringBuilder();
        int last = 0;
        while (matcher.find()) {
            if (matcher.end() == matcher.start()) {
                throw new UnsupportedOperationException(
                        "a regex rewrite whose pattern matches the empty string is not modelled: "
                                + rewrite.getPattern().getRegex());
            }
            result.append(pathOnly, last, matcher.start());
            String substitution = rewrite.getSubstitution();
            for (int i = 0; i < substitution.length(); i++) {
                char c = substitution.charAt(i);
                if (c == '\\' && i + 1 < substitution.length()) {
                    char next = substitution.charAt(++i);
                    if (Character.isDigit(next)) {
                        String group = matcher.group(next - '0');
                        result.append(group == null ? "" : group);
                    } else {
                        result.append(next);
                    }
                } else {
                    result.append(c);
                }
            }
            last = matcher.end();
        }
        result.append(pathOnly.substring(last));
        String query = request.query();
        return query == null ? result.toString() : result + "?" + query;
    }

    private static RoutingOutcome.HeaderEdits edits(List<HeaderValueOption> add, List<String> remove) {
        List<RoutingOutcome.Header> headers = new ArrayList<>();
        for (HeaderValueOption option : add) {
            understood(option, "header", "append_action");
            understood(option.getHeader(), "key", "value");
            RoutingOutcome.Append action = switch (option.getAppendAction()) {
                case APPEND_IF_EXISTS_OR_ADD -> RoutingOutcome.Append.APPEND;
                case ADD_IF_ABSENT -> RoutingOutcome.Append.ADD_IF_ABSENT;
                case OVERWRITE_IF_EXISTS_OR_ADD -> RoutingOutcome.Append.OVERWRITE_OR_ADD;
                case OVERWRITE_IF_EXISTS -> RoutingOutcome.Append.OVERWRITE_IF_EXISTS;
                default ->
                    throw unsupported(
                            "HeaderValueOption.append_action",
                            option.getAppendAction().name());
            };
            headers.add(new RoutingOutcome.Header(
                    option.getHeader().getKey(), option.getHeader().getValue(), action));
        }
        return new RoutingOutcome.HeaderEdits(headers, remove);
    }

    /**
     * The path as Envoy's {@code normalize_path} leaves it (RFC 3986 section 6): percent-encoded unreserved characters
     * decoded, then dot segments removed. A backslash, which Envoy's canonicalizer may treat as a separator, is not
     * modelled.
     */
    static String normalize(String path) {
        if (path.indexOf('\\') >= 0) {
            throw new UnsupportedOperationException(
                    "normalize_path of a path with a backslash is not modelled: " + path);
        }
        StringBuilder decoded = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length() && isHex(path.charAt(i + 1)) && isHex(path.charAt(i + 2))) {
                char value = (char) Integer.parseInt(path.substring(i + 1, i + 3), 16);
                if (isUnreserved(value)) {
                    decoded.append((char) value);
                    i += 2;
                    continue;
                }
            }
            decoded.append(c);
        }
        List<String> output = new ArrayList<>();
        String[] segments = decoded.toString().substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                if (last) {
                    output.add("");
                }
            } else if (segment.equals("..")) {
                if (!output.isEmpty()) {
                    output.removeLast();
                }
                if (last) {
                    output.add("");
                }
            } else {
                output.add(segment);
            }
        }
        return "/" + String.join("/", output);
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0;
    }

    /**
     * Fails on a field set in the message that is not among the named ones: what the router does not know, it must
     * not guess.
     */
    private static void understood(Message message, String... fields) {
        Set<String> known = new HashSet<>(List.of(fields));
        for (FieldDescriptor field : message.getAllFields().keySet()) {
            if (!known.contains(field.getName())) {
                throw new UnsupportedOperationException(message.getDescriptorForType()
                                .getName() + "." + field.getName() + " is set; the router does not model it");
            }
        }
    }

    private static UnsupportedOperationException unsupported(String field, String value) {
        return new UnsupportedOperationException(field + " " + value + " is not modelled by the router");
    }

    private static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("not a " + type.getSimpleName() + ": " + any.getTypeUrl(), e);
        }
    }
}
