package dev.gantry.translate;

import com.google.re2j.PatternSyntaxException;
import dev.gantry.ir.ActionIr;
import dev.gantry.ir.ActionIr.PathRewriteIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.HeaderEditsIr.HeaderIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.MatchIr.ValueMatchIr;
import dev.gantry.ir.RouteIr.CorsIr;
import dev.gantry.ir.RouteIr.MirrorIr;
import dev.gantry.ir.RouteIr.RetryIr;
import dev.gantry.ir.RouteIr.TimeoutsIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.status.Reasons;
import dev.gantry.translate.RouteRules.MatchedAction;
import dev.gantry.translate.RouteRules.RuleIr;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPCORSFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Translates an HTTPRoute's rules into listener-independent {@link RuleIr}s, rejecting what Envoy could not
 * serve faithfully with {@code UnsupportedValue} or {@code IncompatibleFilters}.
 */
final class HttpRouteTranslator {

    static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    private static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);
    private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$");
    /** The Gateway API's HTTPHeaderName maxLength; query parameter names share it. */
    private static final int MAX_HEADER_NAME_LENGTH = 256;

    private static final int MAX_REGEX_LENGTH = 1024;

    private final BackendResolver backends;

    HttpRouteTranslator(BackendResolver backends) {
        this.backends = backends;
    }

    /** Signals a rule the route cannot be accepted with. */
    static final class InvalidRoute extends Exception {
        final String reason;

        InvalidRoute(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    RouteRules translate(HTTPRoute route) {
        String namespace = Metadata.namespace(route);
        return eachRule(
                route,
                route.getSpec().getRules(),
                HTTPRouteRule::new,
                HTTPRouteRule::getName,
                backends,
                (i, rule, refs) -> rule(i, rule, namespace, refs));
    }

    /** Translates one rule; throws when it cannot be served. */
    @FunctionalInterface
    interface RuleTranslation<R> {
        RuleIr translate(int index, R rule, RefsTracker refs) throws InvalidRoute;
    }

    /**
     * Translates a route's rules one by one: a rule that cannot be served is dropped (its references and backends
     * forgotten: it serves nothing) and named, the others kept. A route without rules gets the one empty rule, which
     * sends every request to 500 as a rule without backends would.
     */
    static <R> RouteRules eachRule(
            HasMetadata route,
            List<R> specRules,
            Supplier<R> empty,
            Function<R, String> name,
            BackendResolver backends,
            RuleTranslation<R> translation) {
        RefsTracker refs = new RefsTracker();
        List<RuleIr> rules = new ArrayList<>();
        List<RouteRules.DroppedRule> dropped = List.of();
        List<R> specs = specRules == null ? List.of() : specRules;
        for (int i = 0; i < specs.size(); i++) {
            R spec = specs.get(i) == null ? empty.get() : specs.get(i);
            RefsTracker ruleRefs = new RefsTracker();
            BackendResolver.Mark mark = backends.mark();
            try {
                rules.add(translation.translate(i, spec, ruleRefs));
                refs.fail(ruleRefs.reason, ruleRefs.message);
            } catch (InvalidRoute e) {
                backends.dropSince(mark);
                dropped = dropped.isEmpty() ? new ArrayList<>() : dropped;
                dropped.add(new RouteRules.DroppedRule(i, name.apply(spec), e.reason, e.getMessage()));
            }
        }
        if (specs.isEmpty()) {
            try {
                rules.add(translation.translate(0, empty.get(), refs));
            } catch (InvalidRoute e) {
                throw new IllegalStateException("an empty rule is valid", e);
            }
        }
        return RouteRules.ofRules(route, rules, dropped, refs.reason, refs.message);
    }

    private RuleIr rule(int index, HTTPRouteRule rule, String namespace, RefsTracker refs) throws InvalidRoute {
        String where = Locations.rule(index);
        List<MatchIr> matches = new ArrayList<>();
        List<HTTPRouteMatch> specMatches =
                rule.getMatches() == null || rule.getMatches().isEmpty()
                        ? List.of(new HTTPRouteMatch())
                        : rule.getMatches();
        for (int j = 0; j < specMatches.size(); j++) {
            matches.add(match(
                    Locations.match(index, j), specMatches.get(j) == null ? new HTTPRouteMatch() : specMatches.get(j)));
        }

        HeaderEditsIr requestHeaders = HeaderEditsIr.NONE;
        HeaderEditsIr responseHeaders = HeaderEditsIr.NONE;
        List<MirrorIr> mirrors = new ArrayList<>(0);
        CorsIr cors = null;
        HTTPRequestRedirectFilter redirect = null;
        HTTPURLRewriteFilter rewrite = null;
        List<HTTPRouteFilter> filters = rule.getFilters() == null ? List.of() : rule.getFilters();
        Set<String> seen = filters.isEmpty() ? Set.of() : new HashSet<>();
        for (int f = 0; f < filters.size(); f++) {
            HTTPRouteFilter filter = filters.get(f);
            String at = where + ".filters[" + f + "]";
            String type = filter == null || filter.getType() == null ? "" : filter.getType();
            if (!"RequestMirror".equals(type) && !seen.add(type)) {
                throw new InvalidRoute(
                        Reasons.INCOMPATIBLE_FILTERS, at + ": filter " + type + " appears more than once");
            }
            switch (type) {
                case "RequestHeaderModifier" -> requestHeaders = headerEdits(at, filter.getRequestHeaderModifier());
                case "ResponseHeaderModifier" -> responseHeaders = headerEdits(at, filter.getResponseHeaderModifier());
                case "RequestRedirect" -> redirect = required(at, filter.getRequestRedirect(), "requestRedirect");
                case "URLRewrite" -> rewrite = required(at, filter.getUrlRewrite(), "urlRewrite");
                case "RequestMirror" -> {
                    MirrorIr mirror =
                            mirror(at, required(at, filter.getRequestMirror(), "requestMirror"), namespace, refs);
                    if (mirror != null) {
                        mirrors.add(mirror);
                    }
                }
                case "CORS" -> cors = cors(at, required(at, filter.getCors(), "cors"));
                case "ExtensionRef" ->
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE, at + ": ExtensionRef filters are not supported by Gantry");
                case "ExternalAuth" ->
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE, at + ": ExternalAuth filters are not supported by Gantry");
                default ->
                    throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": unknown filter type '" + type + "'");
            }
        }
        if (redirect != null && rewrite != null) {
            throw new InvalidRoute(
                    Reasons.INCOMPATIBLE_FILTERS,
                    where + ": RequestRedirect and URLRewrite cannot be used in the same rule");
        }

        List<MatchedAction> matched;
        if (redirect != null) {
            matched = redirect(where, redirect, matches);
        } else {
            List<WeightedClusterIr> weighted = forwardBackends(where, rule.getBackendRefs(), namespace, refs);
            if (weighted.isEmpty()) {
                matched = eachMatch(matches, null, path -> new ActionIr.DirectResponse(500, ""));
            } else {
                String hostRewrite = null;
                HTTPPathModifier pathRewrite = null;
                if (rewrite != null) {
                    if (rewrite.getHostname() != null) {
                        String problem = Hostnames.problem(rewrite.getHostname(), false);
                        if (problem != null) {
                            throw new InvalidRoute(
                                    Reasons.UNSUPPORTED_VALUE, where + ": urlRewrite.hostname: " + problem);
                        }
                        hostRewrite = rewrite.getHostname();
                    }
                    pathRewrite = checkPathModifier(where + ".urlRewrite.path", rewrite.getPath(), matches);
                }
                String host = hostRewrite;
                matched = eachMatch(matches, pathRewrite, path -> new ActionIr.Forward(weighted, host, path));
            }
        }
        return new RuleIr(
                index,
                matched,
                requestHeaders,
                responseHeaders,
                mirrors,
                cors,
                timeouts(where, rule.getTimeouts()),
                retry(where, rule.getRetry()));
    }

    private static <T> T required(String at, T value, String field) throws InvalidRoute {
        if (value == null) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": " + field + " must be set for this filter type");
        }
        return value;
    }

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

    static void checkHeaderName(String at, String name) throws InvalidRoute {
        if (name == null
                || name.length() > MAX_HEADER_NAME_LENGTH
                || !HEADER_NAME.matcher(name).matches()) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": '" + name + "' is not a valid header name");
        }
    }

    static HeaderEditsIr headerEdits(String at, HTTPHeaderFilter filter) throws InvalidRoute {
        if (filter == null) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": header modifier settings are missing");
        }
        return new HeaderEditsIr(
                headers(at + ".set", filter.getSet()),
                headers(at + ".add", filter.getAdd()),
                removals(at + ".remove", filter.getRemove()));
    }

    private static List<HeaderIr> headers(String at, List<HTTPHeader> headers) throws InvalidRoute {
        List<HeaderIr> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (HTTPHeader header : headers == null ? List.<HTTPHeader>of() : headers) {
            checkHeaderName(at, header.getName());
            if (!names.add(header.getName().toLowerCase())) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE, at + ": header '" + header.getName() + "' appears twice");
            }
            String value = header.getValue() == null ? "" : header.getValue();
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        at + ": value of header '" + header.getName() + "' contains CR, LF or NUL");
            }
            result.add(new HeaderIr(header.getName(), value));
        }
        return result;
    }

    private static List<String> removals(String at, List<String> names) throws InvalidRoute {
        List<String> result = new ArrayList<>();
        for (String name : names == null ? List.<String>of() : names) {
            checkHeaderName(at, name);
            result.add(name);
        }
        return result;
    }

    private MirrorIr mirror(String at, HTTPRequestMirrorFilter mirror, String namespace, RefsTracker refs)
            throws InvalidRoute {
        if (mirror.getBackendRef() == null) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": requestMirror.backendRef is required");
        }
        int numerator = 100;
        int denominator = 100;
        if (mirror.getPercent() != null && mirror.getFraction() != null) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": set percent or fraction, not both");
        }
        if (mirror.getPercent() != null) {
            numerator = mirror.getPercent();
            if (numerator < 0 || numerator > 100) {
                throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": percent must be within 0-100");
            }
        } else if (mirror.getFraction() != null) {
            numerator = mirror.getFraction().getNumerator() == null
                    ? 0
                    : mirror.getFraction().getNumerator();
            denominator = mirror.getFraction().getDenominator() == null
                    ? 100
                    : mirror.getFraction().getDenominator();
            if (numerator < 0 || denominator < 1 || numerator > denominator) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        at + ": fraction must satisfy 0 <= numerator <= denominator" + " and denominator >= 1");
            }
        }
        BackendRefIr ref = BackendRefIr.of(mirror.getBackendRef(), namespace);
        return switch (backends.resolve("HTTPRoute", namespace, ref, false)) {
            case BackendResolver.Backend.Resolved resolved ->
                new MirrorIr(resolved.cluster().name(), numerator, denominator);
            case BackendResolver.Backend.Unresolved unresolved -> {
                refs.fail(unresolved.refsReason(), unresolved.message());
                yield null;
            }
            case BackendResolver.Backend.Unusable unusable -> null;
        };
    }

    private List<WeightedClusterIr> forwardBackends(
            String where, List<HTTPBackendRef> refs, String namespace, RefsTracker tracker) throws InvalidRoute {
        List<WeightedClusterIr> result = new ArrayList<>();
        List<HTTPBackendRef> list = refs == null ? List.of() : refs;
        for (int b = 0; b < list.size(); b++) {
            HTTPBackendRef backendRef = list.get(b);
            BackendRefIr ref = BackendRefIr.of(backendRef, namespace);
            if (ref.weight() < 0) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE, where + ".backendRefs[" + b + "]: weight must not be negative");
            }
            HeaderEditsIr requestHeaders = HeaderEditsIr.NONE;
            HeaderEditsIr responseHeaders = HeaderEditsIr.NONE;
            List<HTTPRouteFilter> filters = backendRef.getFilters() == null ? List.of() : backendRef.getFilters();
            String at = filters.isEmpty() ? null : where + ".backendRefs[" + b + "]";
            Set<String> seen = filters.isEmpty() ? Set.of() : new HashSet<>();
            for (HTTPRouteFilter filter : filters) {
                String type = filter.getType() == null ? "" : filter.getType();
                if (!seen.add(type)) {
                    throw new InvalidRoute(
                            Reasons.INCOMPATIBLE_FILTERS, at + ": filter " + type + " appears more than once");
                }
                switch (type) {
                    case "RequestHeaderModifier" -> requestHeaders = headerEdits(at, filter.getRequestHeaderModifier());
                    case "ResponseHeaderModifier" ->
                        responseHeaders = headerEdits(at, filter.getResponseHeaderModifier());
                    default ->
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE,
                                at + ": filter type '" + type + "' is not supported on a backendRef");
                }
            }
            if (ref.weight() == 0) {
                continue;
            }
            String cluster = switch (backends.resolve("HTTPRoute", namespace, ref, false)) {
                case BackendResolver.Backend.Resolved resolved ->
                    resolved.cluster().name();
                case BackendResolver.Backend.Unresolved unresolved -> {
                    tracker.fail(unresolved.refsReason(), unresolved.message());
                    yield null;
                }
                case BackendResolver.Backend.Unusable unusable -> null;
            };
            result.add(new WeightedClusterIr(cluster, ref.weight(), requestHeaders, responseHeaders));
        }
        return result;
    }

    private static List<MatchedAction> redirect(String where, HTTPRequestRedirectFilter redirect, List<MatchIr> matches)
            throws InvalidRoute {
        int status = redirect.getStatusCode() == null ? 302 : redirect.getStatusCode();
        if (!REDIRECT_CODES.contains(status)) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE,
                    where + ".requestRedirect.statusCode: " + status + " is not 301, 302, 303, 307 or 308");
        }
        String scheme = redirect.getScheme();
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE,
                    where + ".requestRedirect.scheme: '" + scheme + "' is not http or https");
        }
        Integer port = redirect.getPort();
        if (port != null && (port < 1 || port > 65535)) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE, where + ".requestRedirect.port: " + port + " is outside 1-65535");
        }
        if (redirect.getHostname() != null) {
            String problem = Hostnames.problem(redirect.getHostname(), false);
            if (problem != null) {
                throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, where + ".requestRedirect.hostname: " + problem);
            }
        }
        HTTPPathModifier path = checkPathModifier(where + ".requestRedirect.path", redirect.getPath(), matches);
        // Gateway API port defaulting: an explicit port wins, else a changed scheme brings its well-known port;
        // else the listener's port, which only the route table knows.
        Integer defaulted = port != null ? port : scheme == null ? null : "https".equals(scheme) ? 443 : 80;
        String hostname = redirect.getHostname();
        return eachMatch(matches, path, rewrite -> new ActionIr.Redirect(scheme, hostname, rewrite, defaulted, status));
    }

    /**
     * Each match with its action. The matches share one action unless a ReplacePrefixMatch names each match's own
     * prefix.
     *
     * @param path a checked path modifier, or null
     * @param action the action with a given path rewrite (null when there is none)
     */
    private static List<MatchedAction> eachMatch(
            List<MatchIr> matches, HTTPPathModifier path, Function<PathRewriteIr, ActionIr> action) {
        List<MatchedAction> result = new ArrayList<>(matches.size());
        if (path != null && "ReplacePrefixMatch".equals(path.getType())) {
            for (MatchIr match : matches) {
                PathRewriteIr rewrite =
                        new PathRewriteIr.PrefixMatch(match.path().value(), path.getReplacePrefixMatch());
                result.add(new MatchedAction(match, action.apply(rewrite)));
            }
            return result;
        }
        ActionIr shared = action.apply(path == null ? null : new PathRewriteIr.FullPath(path.getReplaceFullPath()));
        for (MatchIr match : matches) {
            result.add(new MatchedAction(match, shared));
        }
        return result;
    }

    /** Returns the modifier once it is known to be one Envoy can apply to every match of the rule. */
    private static HTTPPathModifier checkPathModifier(String at, HTTPPathModifier modifier, List<MatchIr> matches)
            throws InvalidRoute {
        if (modifier == null) {
            return null;
        }
        String type = modifier.getType() == null ? "" : modifier.getType();
        switch (type) {
            case "ReplaceFullPath" -> {
                String value = modifier.getReplaceFullPath();
                if (value == null || !value.startsWith("/")) {
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE, at + ".replaceFullPath must be set and start with /");
                }
                checkNoLineBreak(at + ".replaceFullPath", value);
            }
            case "ReplacePrefixMatch" -> {
                String value = modifier.getReplacePrefixMatch();
                if (value == null || !value.startsWith("/")) {
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE, at + ".replacePrefixMatch must be set and start with /");
                }
                checkNoLineBreak(at + ".replacePrefixMatch", value);
                for (MatchIr match : matches) {
                    if (!(match.path() instanceof PathMatchIr.Prefix)) {
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE,
                                at + ": ReplacePrefixMatch needs every match of the rule to be a PathPrefix match");
                    }
                }
            }
            default ->
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        at + ".type: '" + type + "' is not ReplaceFullPath or ReplacePrefixMatch");
        }
        return modifier;
    }

    /** The CRD bounds only the length of a path modifier; Envoy takes no CR, LF or NUL in a path it writes. */
    private static void checkNoLineBreak(String at, String value) throws InvalidRoute {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + " contains CR, LF or NUL");
        }
    }

    private static CorsIr cors(String at, HTTPCORSFilter cors) throws InvalidRoute {
        List<String> origins = cors.getAllowOrigins() == null ? List.of() : cors.getAllowOrigins();
        for (String origin : origins) {
            if (origin == null || origin.isEmpty() || origin.indexOf(' ') >= 0) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE, at + ": allowOrigins entry '" + origin + "' is invalid");
            }
        }
        List<String> methods = cors.getAllowMethods() == null ? List.of() : cors.getAllowMethods();
        for (String method : methods) {
            if (!"*".equals(method) && !METHODS.contains(method)) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE, at + ": allowMethods entry '" + method + "' is not an HTTP method");
            }
        }
        Integer maxAge = cors.getMaxAge();
        if (maxAge != null && maxAge < 0) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": maxAge must not be negative");
        }
        boolean credentials = Boolean.TRUE.equals(cors.getAllowCredentials());
        return new CorsIr(
                origins,
                methods,
                nonNull(cors.getAllowHeaders()),
                nonNull(cors.getExposeHeaders()),
                maxAge == null ? 5 : maxAge,
                credentials);
    }

    private static List<String> nonNull(List<String> list) {
        return list == null ? List.of() : list;
    }

    static TimeoutsIr timeouts(String where, HTTPRouteTimeouts timeouts) throws InvalidRoute {
        if (timeouts == null || (timeouts.getRequest() == null && timeouts.getBackendRequest() == null)) {
            return null;
        }
        Duration request = duration(where + ".timeouts.request", timeouts.getRequest());
        Duration backend = duration(where + ".timeouts.backendRequest", timeouts.getBackendRequest());
        if (request != null
                && backend != null
                && !request.isZero()
                && (backend.isZero() || backend.compareTo(request) > 0)) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE, where + ".timeouts: backendRequest must not be longer than request");
        }
        return new TimeoutsIr(request, backend);
    }

    private static Duration duration(String at, String text) throws InvalidRoute {
        if (text == null) {
            return null;
        }
        Duration parsed = Durations.parse(text);
        if (parsed == null) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE, at + ": '" + text + "' is not a duration like 10s or 1m30s");
        }
        return parsed;
    }

    static RetryIr retry(String where, HTTPRouteRetry retry) throws InvalidRoute {
        if (retry == null) {
            return null;
        }
        int attempts = retry.getAttempts() == null ? 1 : retry.getAttempts();
        if (attempts < 0) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, where + ".retry.attempts must not be negative");
        }
        List<Integer> codes = retry.getCodes() == null ? List.of() : retry.getCodes();
        Set<Integer> unique = new HashSet<>();
        for (Integer code : codes) {
            if (code == null || code < 400 || code > 599 || !unique.add(code)) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        where + ".retry.codes: " + code + " is not a unique status code within 400-599");
            }
        }
        return new RetryIr(attempts, codes, duration(where + ".retry.backoff", retry.getBackoff()));
    }

    /** Remembers the first reference that failed to resolve, for the route's ResolvedRefs condition. */
    static final class RefsTracker {
        String reason;
        String message;

        void fail(String failReason, String failMessage) {
            if (reason == null && failReason != null) {
                reason = failReason;
                message = failMessage;
            }
        }
    }
}
