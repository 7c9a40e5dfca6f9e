package dev.gantry.xds.client;

import static dev.gantry.xds.client.ModelledFields.understood;
import static dev.gantry.xds.client.ModelledFields.unsupported;

import com.google.re2j.Pattern;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Locale;

/**
 * The route configuration's half of {@link EnvoyRouter}: the virtual host a request's host selects, and whether a
 * route's match (its path, headers and query parameters) takes the request, as Envoy decides both.
 */
final class RouteMatching {

    private RouteMatching() {}

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
    static Pattern regex(RegexMatcher matcher) {
        understood(matcher, "regex");
        return Pattern.compile(matcher.getRegex());
    }
}
