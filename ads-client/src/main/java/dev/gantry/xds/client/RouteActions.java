package dev.gantry.xds.client;

import static dev.gantry.xds.client.ModelledFields.understood;
import static dev.gantry.xds.client.ModelledFields.unsupported;

import com.google.re2j.Matcher;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import java.util.ArrayList;
import java.util.List;

/**
 * What a matched route does with a request in {@link EnvoyRouter}: forward it to its clusters (with the path and host
 * rewrites and the header edits), redirect it, or answer it directly.
 */
final class RouteActions {

    private final EnvoyRouter.Configuration configuration;

    RouteActions(EnvoyRouter.Configuration configuration) {
        this.configuration = configuration;
    }

    RoutingOutcome act(Route route, HttpRequest request, String matched) {
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
        int colon = RequestNormalization.portColon(host);
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

    /** RE2's global replace on the path without its query, which is kept; {@code \N} in the substitution is group N. */
    private static String regexRewrite(RegexMatchAndSubstitute rewrite, HttpRequest request) {
        understood(rewrite, "pattern", "substitution");
        String pathOnly = request.pathOnly();
        Matcher matcher = RouteMatching.regex(rewrite.getPattern()).matcher(pathOnly);
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
}
