package dev.gantry.translate;

import dev.gantry.ir.MatchIr;
import dev.gantry.translate.RouteRules.MatchedAction;
import dev.gantry.translate.RouteRules.RuleIr;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Translates an HTTPRoute's rules into listener-independent {@link RuleIr}s, rejecting what Envoy could not
 * serve faithfully with {@code UnsupportedValue} or {@code IncompatibleFilters}.
 */
final class HttpRouteTranslator {

    private final BackendResolver backends;

    HttpRouteTranslator(BackendResolver backends) {
        this.backends = backends;
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
            matches.add(HttpRouteMatches.match(
                    Locations.match(index, j), specMatches.get(j) == null ? new HTTPRouteMatch() : specMatches.get(j)));
        }
        HttpRouteFilters filters = HttpRouteFilters.of(where, rule.getFilters(), namespace, backends, refs);
        List<MatchedAction> matched = filters.redirect() != null
                ? HttpRouteActions.redirect(where, filters.redirect(), matches)
                : HttpRouteActions.forward(
                        where,
                        HttpRouteBackendRefs.weightedClusters(where, rule.getBackendRefs(), namespace, backends, refs),
                        filters.rewrite(),
                        matches);
        return new RuleIr(
                index,
                matched,
                filters.requestHeaders(),
                filters.responseHeaders(),
                filters.mirrors(),
                filters.cors(),
                HttpRouteTimeoutsAndRetry.timeouts(where, rule.getTimeouts()),
                HttpRouteTimeoutsAndRetry.retry(where, rule.getRetry()));
    }
}
