package dev.gantry.translate;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.MatchIr.ValueMatchIr;
import dev.gantry.ir.RouteIr.MirrorIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.status.Reasons;
import dev.gantry.translate.RouteRules.MatchedAction;
import dev.gantry.translate.RouteRules.RuleIr;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates a GRPCRoute into HTTP/2 routing rules: a gRPC method is the path {@code /service/method}, so
 * service and method matches become path matches; backends always speak HTTP/2.
 */
final class GrpcRouteTranslator {

    private static final Pattern SERVICE = Pattern.compile("^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$");
    private static final Pattern METHOD = Pattern.compile("^[A-Za-z_][A-Za-z_0-9]*$");

    private final BackendResolver backends;

    GrpcRouteTranslator(BackendResolver backends) {
        this.backends = backends;
    }

    RouteRules translate(GRPCRoute route) {
        String namespace = Metadata.namespace(route);
        return HttpRouteTranslator.eachRule(
                route,
                route.getSpec().getRules(),
                GRPCRouteRule::new,
                GRPCRouteRule::getName,
                backends,
                (i, rule, refs) -> rule(i, rule, namespace, refs));
    }

    private RuleIr rule(int index, GRPCRouteRule rule, String namespace, RefsTracker refs) throws InvalidRoute {
        String where = "rules[" + index + "]";
        List<MatchIr> matches = new ArrayList<>();
        List<GRPCRouteMatch> specMatches =
                rule.getMatches() == null || rule.getMatches().isEmpty()
                        ? List.of(new GRPCRouteMatch())
                        : rule.getMatches();
        for (int j = 0; j < specMatches.size(); j++) {
            matches.add(match(where + ".matches[" + j + "]", specMatches.get(j)));
        }
        HeaderEditsIr requestHeaders = HeaderEditsIr.NONE;
        HeaderEditsIr responseHeaders = HeaderEditsIr.NONE;
        List<MirrorIr> mirrors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<GRPCRouteFilter> filters = rule.getFilters() == null ? List.of() : rule.getFilters();
        for (int f = 0; f < filters.size(); f++) {
            GRPCRouteFilter filter = filters.get(f);
            String at = where + ".filters[" + f + "]";
            String type = filter.getType() == null ? "" : filter.getType();
            if (!"RequestMirror".equals(type) && !seen.add(type)) {
                throw new InvalidRoute(
                        Reasons.INCOMPATIBLE_FILTERS, at + ": filter " + type + " appears more than once");
            }
            switch (type) {
                case "RequestHeaderModifier" ->
                    requestHeaders = HttpRouteFilters.headerEdits(at, filter.getRequestHeaderModifier());
                case "ResponseHeaderModifier" ->
                    responseHeaders = HttpRouteFilters.headerEdits(at, filter.getResponseHeaderModifier());
                case "RequestMirror" -> {
                    if (filter.getRequestMirror() == null
                            || filter.getRequestMirror().getBackendRef() == null) {
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE, at + ": requestMirror.backendRef is required");
                    }
                    BackendRefIr ref = BackendRefIr.of(filter.getRequestMirror().getBackendRef(), namespace);
                    switch (backends.resolve("GRPCRoute", namespace, ref, true)) {
                        case BackendResolver.Backend.Resolved resolved ->
                            mirrors.add(new MirrorIr(resolved.cluster().name(), 100, 100));
                        case BackendResolver.Backend.Unresolved unresolved ->
                            refs.fail(unresolved.refsReason(), unresolved.message());
                        case BackendResolver.Backend.Unusable unusable -> {}
                    }
                }
                case "ExtensionRef" ->
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE, at + ": ExtensionRef filters are not supported by Gantry");
                default ->
                    throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": unknown filter type '" + type + "'");
            }
        }
        List<WeightedClusterIr> weighted = new ArrayList<>();
        List<GRPCBackendRef> backendRefs = rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
        for (int b = 0; b < backendRefs.size(); b++) {
            GRPCBackendRef backendRef = backendRefs.get(b);
            String at = where + ".backendRefs[" + b + "]";
            BackendRefIr ref = BackendRefIr.of(backendRef, namespace);
            if (ref.weight() < 0) {
                throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ": weight must not be negative");
            }
            HeaderEditsIr backendRequest = HeaderEditsIr.NONE;
            HeaderEditsIr backendResponse = HeaderEditsIr.NONE;
            for (GRPCRouteFilter filter :
                    backendRef.getFilters() == null ? List.<GRPCRouteFilter>of() : backendRef.getFilters()) {
                switch (filter.getType() == null ? "" : filter.getType()) {
                    case "RequestHeaderModifier" ->
                        backendRequest = HttpRouteFilters.headerEdits(at, filter.getRequestHeaderModifier());
                    case "ResponseHeaderModifier" ->
                        backendResponse = HttpRouteFilters.headerEdits(at, filter.getResponseHeaderModifier());
                    default ->
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE,
                                at + ": filter type '" + filter.getType() + "' is not supported on a backendRef");
                }
            }
            if (ref.weight() == 0) {
                continue;
            }
            String cluster = switch (backends.resolve("GRPCRoute", namespace, ref, true)) {
                case BackendResolver.Backend.Resolved resolved ->
                    resolved.cluster().name();
                case BackendResolver.Backend.Unresolved unresolved -> {
                    refs.fail(unresolved.refsReason(), unresolved.message());
                    yield null;
                }
                case BackendResolver.Backend.Unusable unusable -> null;
            };
            weighted.add(new WeightedClusterIr(cluster, ref.weight(), backendRequest, backendResponse));
        }
        ActionIr action =
                weighted.isEmpty() ? new ActionIr.DirectResponse(500, "") : new ActionIr.Forward(weighted, null, null);
        List<MatchedAction> matched = new ArrayList<>(matches.size());
        for (MatchIr match : matches) {
            matched.add(new MatchedAction(match, action));
        }
        return new RuleIr(index, matched, requestHeaders, responseHeaders, mirrors, null, null, null);
    }

    private static MatchIr match(String at, GRPCRouteMatch match) throws InvalidRoute {
        PathMatchIr path = new PathMatchIr.Prefix("/");
        MatchIr.GrpcMethodIr rank = null;
        GRPCMethodMatch method = match == null ? null : match.getMethod();
        if (method != null) {
            String type = method.getType() == null ? "Exact" : method.getType();
            String service = method.getService();
            String name = method.getMethod();
            if (service == null && name == null) {
                throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + ".method: service or method must be set");
            }
            switch (type) {
                case "Exact" -> {
                    if (service != null && !SERVICE.matcher(service).matches()) {
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE,
                                at + ".method.service: '" + service + "' is not a gRPC service name");
                    }
                    if (name != null && !METHOD.matcher(name).matches()) {
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE,
                                at + ".method.method: '" + name + "' is not a gRPC method name");
                    }
                    if (service != null && name != null) {
                        path = new PathMatchIr.Exact("/" + service + "/" + name);
                    } else if (service != null) {
                        path = new PathMatchIr.Prefix("/" + service);
                    } else {
                        path = new PathMatchIr.Regex("/[^/]+/" + com.google.re2j.Pattern.quote(name));
                    }
                }
                case "RegularExpression" -> {
                    String servicePattern =
                            service == null ? "[^/]+" : HttpRouteMatches.checkRegex(at + ".method.service", service);
                    String methodPattern =
                            name == null ? "[^/]+" : HttpRouteMatches.checkRegex(at + ".method.method", name);
                    path = new PathMatchIr.Regex("/" + servicePattern + "/" + methodPattern);
                }
                default ->
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE,
                            at + ".method.type: '" + type + "' is not Exact or RegularExpression");
            }
            rank = new MatchIr.GrpcMethodIr(service == null ? 0 : service.length(), name == null ? 0 : name.length());
        }
        List<ValueMatchIr> headers = new ArrayList<>();
        for (GRPCHeaderMatch header :
                match == null || match.getHeaders() == null ? List.<GRPCHeaderMatch>of() : match.getHeaders()) {
            HttpRouteMatches.checkHeaderName(at + ".headers", header.getName());
            String type = header.getType() == null ? "Exact" : header.getType();
            String value = header.getValue() == null ? "" : header.getValue();
            switch (type) {
                case "Exact" -> headers.add(new ValueMatchIr(header.getName(), value, false));
                case "RegularExpression" ->
                    headers.add(new ValueMatchIr(
                            header.getName(), HttpRouteMatches.checkRegex(at + ".headers", value), true));
                default ->
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE,
                            at + ".headers.type: '" + type + "' is not Exact or RegularExpression");
            }
        }
        return new MatchIr(path, headers, List.of(), null, rank);
    }
}
