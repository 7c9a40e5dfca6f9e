package dev.gantry.translate;

import com.google.re2j.PatternSyntaxException;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.MatchIr.ValueMatchIr;
import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An HTTPRoute match (path, headers, query parameters, method) as a {@link MatchIr}, rejecting a path Envoy would
 * not compare as written, a regular expression RE2 does not take and a name that is not a header name.
 */
final class HttpRouteMatches {

    static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$");
    /** The Gateway API's HTTPHeaderName maxLength; query parameter names share it. */
    private static final int MAX_HEADER_NAME_LENGTH = 256;

    private static final int MAX_REGEX_LENGTH = 1024;

    private HttpRouteMatches() {}

    /** One match of a rule; a repeated header or query parameter name counts at its first appearance only. */
    static MatchIr match(String at, HTTPRouteMatch match) throws InvalidRoute {
        PathMatchIr path = path(at, match.getPath());
        boolean anyHeaders = match.getHeaders() != null && !match.getHeaders().isEmpty();
        boolean anyQueryParams =
                match.getQueryParams() != null && !match.getQueryParams().isEmpty();
        String method = match.getMethod();
        if (!anyHeaders && !anyQueryParams && method == null) {
            return new MatchIr(path, List.of(), List.of(), null); // most matches: a path alone
        }
        List<ValueMatchIr> headers = new ArrayList<>();
        Set<String> headerNames = new HashSet<>();
        for (HTTPHeaderMatch header : match.getHeaders() == null ? List.<HTTPHeaderMatch>of() : match.getHeaders()) {
            String name = header.getName();
            checkHeaderName(at + ".headers", name);
            if (!headerNames.add(name.toLowerCase())) {
                continue; // The spec ignores repeated header names after the first.
            }
            headers.add(valueMatch(at + ".headers", name, header.getType(), header.getValue()));
        }
        List<ValueMatchIr> queryParams = new ArrayList<>();
        Set<String> queryNames = new HashSet<>();
        for (HTTPQueryParamMatch query :
                match.getQueryParams() == null ? List.<HTTPQueryParamMatch>of() : match.getQueryParams()) {
            if (query.getName() == null || query.getName().isEmpty()) {
                throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ".queryParams: name is required");
            }
            checkHeaderName(at + ".queryParams", query.getName());
            if (!queryNames.add(query.getName())) {
                continue;
            }
            queryParams.add(valueMatch(at + ".queryParams", query.getName(), query.getType(), query.getValue()));
        }
        if (method != null && !METHODS.contains(method)) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ".method: '" + method + "' is not an HTTP method");
        }
        return new MatchIr(path, headers, queryParams, method);
    }

    private static PathMatchIr path(String at, HTTPPathMatch path) throws InvalidRoute {
        String type = path == null || path.getType() == null ? "PathPrefix" : path.getType();
        String value = path == null || path.getValue() == null ? "/" : path.getValue();
        return switch (type) {
            case "Exact" -> new PathMatchIr.Exact(checkPath(at, value));
            case "PathPrefix" -> new PathMatchIr.Prefix(normalizePrefix(checkPath(at, value)));
            case "RegularExpression" -> new PathMatchIr.Regex(checkRegex(at + ".path", value));
            default ->
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        at + ".path.type: '" + type + "' is not Exact, PathPrefix or RegularExpression");
        };
    }

    private static String checkPath(String at, String value) throws InvalidRoute {
        if (isPlainPath(value)) {
            return value;
        }
        if (!value.startsWith("/")) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ".path.value: '" + value + "' must start with /");
        }
        if (value.contains("//")
                || value.contains("/./")
                || value.contains("/../")
                || value.endsWith("/..")
                || value.endsWith("/.")
                || value.contains("%2f")
                || value.contains("%2F")
                || value.contains("#")) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE, at + ".path.value: '" + value + "' is not a normalized path");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE, at + ".path.value contains a control character or space");
            }
        }
        if (!isPathChars(value)) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE,
                    at + ".path.value: '" + value
                            + "' has a character a path may not hold (such as ? or a non-ASCII letter): percent-encode it");
        }
        return value;
    }

    /**
     * Whether a path holds only letters, digits, {@code -_~} and single slashes, starting with one. Such a path
     * passes every check of {@link #checkPath} in one look at each character; most paths are like this.
     */
    private static boolean isPlainPath(String value) {
        if (value.isEmpty() || value.charAt(0) != '/') {
            return false;
        }
        char previous = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/'
                    ? previous == '/'
                    : !(c >= 'a' && c <= 'z'
                            || c >= 'A' && c <= 'Z'
                            || c >= '0' && c <= '9'
                            || c == '-'
                            || c == '_'
                            || c == '~')) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    /** RFC 3986 pchar and "/", with well-formed percent escapes (a loop: every route's paths pass through here). */
    static boolean isPathChars(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                if (i + 2 >= value.length() || !isHex(value.charAt(i + 1)) || !isHex(value.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (!(c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || "-/._~!$&'()*+,;=:@".indexOf(c) >= 0)) {
                return false;
            }
        }
        return !value.isEmpty();
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** "/abc/" matches like "/abc": a prefix is compared element by element. */
    private static String normalizePrefix(String prefix) {
        String trimmed = prefix;
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    /** Returns the regular expression once RE2 takes it and it is neither empty nor too long. */
    static String checkRegex(String at, String regex) throws InvalidRoute {
        if (regex.isEmpty()) {
            // Envoy rejects an empty RegexMatcher, and with it the whole route table.
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": empty regular expression");
        }
        if (regex.length() > MAX_REGEX_LENGTH) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE,
                    at + ": regular expression longer than " + MAX_REGEX_LENGTH + " characters");
        }
        try {
            com.google.re2j.Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE,
                    at + ": invalid RE2 regular expression '" + regex + "': " + e.getDescription());
        }
        return regex;
    }

    private static ValueMatchIr valueMatch(String at, String name, String type, String value) throws InvalidRoute {
        String matchType = type == null ? "Exact" : type;
        String v = value == null ? "" : value;
        return switch (matchType) {
            case "Exact" -> new ValueMatchIr(name, v, false);
            case "RegularExpression" -> new ValueMatchIr(name, checkRegex(at + "[" + name + "]", v), true);
            default ->
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        at + "[" + name + "].type: '" + matchType + "' is not Exact or RegularExpression");
        };
    }

    /** Header (and query parameter) names: an RFC 7230 token of at most 256 characters. */
    static void checkHeaderName(String at, String name) throws InvalidRoute {
        if (name == null
                || name.length() > MAX_HEADER_NAME_LENGTH
                || !HEADER_NAME.matcher(name).matches()) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": '" + name + "' is not a valid header name");
        }
    }
}
