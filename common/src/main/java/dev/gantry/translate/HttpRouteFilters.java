package dev.gantry.translate;

import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.HeaderEditsIr.HeaderIr;
import dev.gantry.ir.RouteIr.CorsIr;
import dev.gantry.ir.RouteIr.MirrorIr;
import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPCORSFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The filters of an HTTPRoute rule, checked: its header modifiers, mirrors and CORS policy as the IR has them, and
 * its RequestRedirect and URLRewrite as written, which {@link HttpRouteActions} turns into the rule's actions.
 *
 * @param requestHeaders request header edits
 * @param responseHeaders response header edits
 * @param mirrors mirrors whose backend resolved
 * @param cors CORS policy or null
 * @param redirect the RequestRedirect, or null
 * @param rewrite the URLRewrite, or null (never set with a redirect)
 */
record HttpRouteFilters(
        HeaderEditsIr requestHeaders,
        HeaderEditsIr responseHeaders,
        List<MirrorIr> mirrors,
        CorsIr cors,
        HTTPRequestRedirectFilter redirect,
        HTTPURLRewriteFilter rewrite) {

    HttpRouteFilters {
        mirrors = List.copyOf(mirrors);
    }

    /**
     * Checks a rule's filters: each type but RequestMirror at most once, RequestRedirect and URLRewrite not
     * together, no filter Gantry does not implement.
     *
     * @param where the rule's location
     */
    static HttpRouteFilters of(
            String where,
            List<HTTPRouteFilter> specFilters,
            String namespace,
            BackendResolver backends,
            RefsTracker refs)
            throws InvalidRoute {
        HeaderEditsIr requestHeaders = HeaderEditsIr.NONE;
        HeaderEditsIr responseHeaders = HeaderEditsIr.NONE;
        List<MirrorIr> mirrors = new ArrayList<>(0);
        CorsIr cors = null;
        HTTPRequestRedirectFilter redirect = null;
        HTTPURLRewriteFilter rewrite = null;
        List<HTTPRouteFilter> filters = specFilters == null ? List.of() : specFilters;
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
                    MirrorIr mirror = mirror(
                            at, required(at, filter.getRequestMirror(), "requestMirror"), namespace, backends, refs);
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
        return new HttpRouteFilters(requestHeaders, responseHeaders, mirrors, cors, redirect, rewrite);
    }

    private static <T> T required(String at, T value, String field) throws InvalidRoute {
        if (value == null) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": " + field + " must be set for this filter type");
        }
        return value;
    }

    /** A RequestHeaderModifier or ResponseHeaderModifier; a name set or added twice is rejected. */
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
            HttpRouteMatches.checkHeaderName(at, header.getName());
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
            HttpRouteMatches.checkHeaderName(at, name);
            result.add(name);
        }
        return result;
    }

    private static MirrorIr mirror(
            String at, HTTPRequestMirrorFilter mirror, String namespace, BackendResolver backends, RefsTracker refs)
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
            if (!"*".equals(method) && !HttpRouteMatches.METHODS.contains(method)) {
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
}
