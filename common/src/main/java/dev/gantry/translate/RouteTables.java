package dev.gantry.translate;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.RouteIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.VirtualHostIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.RouteKind;
import dev.gantry.model.Routes;
import dev.gantry.translate.RouteRules.MatchedAction;
import dev.gantry.translate.RouteRules.RuleIr;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds route tables and layer-4 filter chains from the routes placed on listeners. Stateless; the caller
 * decides which tables to rebuild.
 *
 * <p>Layout, chosen so a Gateway with thousands of domains stays cheap to update: one socket per port; the plain
 * HTTP listeners of a port share one route table; every HTTPS listener gets its own SNI filter chain and its own
 * route table. A ListenerSet listener is typically one HTTPS hostname, so a route edit re-sends only the small
 * table of that hostname, never the routes of every other domain, and never the listener.
 */
final class RouteTables {

    /**
     * A route placed on a listener.
     *
     * @param route the translated route
     * @param hostnames effective hostnames on this listener (a single null: any host)
     * @param order precedence of the route among routes of its kind
     */
    record Placement(RouteRules route, List<String> hostnames, PlacementKey order) {}

    /** Route precedence across routes: oldest first, then kind, then {@code namespace/name}. */
    record PlacementKey(Instant created, int kind, ObjectKey key) implements Comparable<PlacementKey> {
        @Override
        public int compareTo(PlacementKey other) {
            int c = created.compareTo(other.created);
            if (c == 0) {
                c = Integer.compare(kind, other.kind);
            }
            return c != 0 ? c : key.compareTo(other.key);
        }
    }

    private RouteTables() {}

    static String httpTableName(int port) {
        return "http-" + port;
    }

    static String httpsTableName(ListenerState listener) {
        return "https-" + listener.port + "-" + (listener.hostname == null ? "*" : listener.hostname);
    }

    /**
     * The table of the plain HTTP listeners of one port. A hostname served by a more specific listener of the port
     * is left to that listener (listener isolation).
     *
     * @param clusters receives the names of the clusters the table uses
     */
    static RouteTableIr httpTable(
            String name,
            List<ListenerState> listeners,
            Function<ListenerState, Collection<Placement>> placements,
            Set<String> clusters) {
        Map<String, Map<String, OrderedRoute>> byDomain = new TreeMap<>();
        for (ListenerState listener : listeners) {
            for (Placement placement : placements.apply(listener)) {
                for (String hostname : placement.hostnames()) {
                    if (servedByMoreSpecificListener(listener, hostname, listeners)) {
                        continue;
                    }
                    addRoutes(
                            byDomain.computeIfAbsent(hostname == null ? "*" : hostname, k -> new LinkedHashMap<>()),
                            placement,
                            listener,
                            clusters);
                }
            }
        }
        return table(name, byDomain);
    }

    /** The table of one HTTPS listener: its routes, 404 for its other hosts, 421 for hosts of other listeners. */
    static RouteTableIr httpsTable(ListenerState listener, Collection<Placement> placements, Set<String> clusters) {
        Map<String, Map<String, OrderedRoute>> byDomain = new TreeMap<>();
        for (Placement placement : placements) {
            for (String hostname : placement.hostnames()) {
                addRoutes(
                        byDomain.computeIfAbsent(hostname == null ? "*" : hostname, k -> new LinkedHashMap<>()),
                        placement,
                        listener,
                        clusters);
            }
        }
        if (listener.hostname != null) {
            byDomain.computeIfAbsent(listener.hostname, k -> new LinkedHashMap<>());
            if (!byDomain.containsKey("*")) {
                Map<String, OrderedRoute> misdirected = new LinkedHashMap<>();
                RouteIr reject = new RouteIr(
                        "misdirected-request",
                        RouteRules.EVERY_REQUEST,
                        new ActionIr.DirectResponse(421, ""),
                        HeaderEditsIr.NONE,
                        HeaderEditsIr.NONE,
                        List.of(),
                        null,
                        null,
                        null);
                misdirected.put(reject.name(), new OrderedRoute(reject, OrderKey.LAST));
                byDomain.put("*", misdirected);
            }
        }
        return table(httpsTableName(listener), byDomain);
    }

    private static RouteTableIr table(String name, Map<String, Map<String, OrderedRoute>> byDomain) {
        List<VirtualHostIr> virtualHosts = new ArrayList<>(byDomain.size());
        for (var entry : byDomain.entrySet()) {
            List<OrderedRoute> ordered = new ArrayList<>(entry.getValue().values());
            ordered.sort((a, b) -> a.order().compareTo(b.order()));
            List<RouteIr> routes = new ArrayList<>(ordered.size());
            for (OrderedRoute route : ordered) {
                routes.add(route.route());
            }
            virtualHosts.add(new VirtualHostIr(entry.getKey(), List.of(entry.getKey()), routes));
        }
        return new RouteTableIr(name, virtualHosts);
    }

    private static void addRoutes(
            Map<String, OrderedRoute> routes, Placement placement, ListenerState listener, Set<String> clusters) {
        for (RuleIr rule : placement.route().rules()) {
            for (int m = 0; m < rule.matches().size(); m++) {
                OrderedRoute ordered = instantiate(placement, rule, m, listener, clusters);
                routes.putIfAbsent(ordered.route().name(), ordered);
            }
        }
    }

    private static boolean servedByMoreSpecificListener(
            ListenerState listener, String hostname, List<ListenerState> onPort) {
        for (ListenerState other : onPort) {
            if (other != listener
                    && !Objects.equals(other.hostname, listener.hostname)
                    && Hostnames.covers(listener.hostname, other.hostname)
                    && Hostnames.covers(other.hostname, hostname)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Filter chains of TLS listeners (passthrough or terminate) on a port: one per route hostname, first claim in
     * listener and route precedence wins (Envoy rejects two chains with the same server names). HTTPS listeners of
     * the same port claim their hostnames first, in {@code claimed}.
     */
    static List<FilterChainIr> tlsRouteChains(
            List<ListenerState> tlsListeners,
            Function<ListenerState, Collection<Placement>> placements,
            Set<String> claimed,
            Set<String> clusters,
            Set<String> secrets) {
        List<FilterChainIr> chains = new ArrayList<>();
        for (ListenerState listener : tlsListeners) {
            boolean terminate = listener.mode == ListenerState.Mode.TLS_TERMINATE;
            for (Placement placement : placements.apply(listener)) {
                for (String hostname : placement.hostnames()) {
                    if (!claimed.add(hostname == null ? "" : hostname)) {
                        continue;
                    }
                    List<WeightedClusterIr> backends = l4Backends(placement.route(), clusters);
                    if (terminate) {
                        secrets.addAll(listener.certificateSecrets);
                    }
                    chains.add(new FilterChainIr.TcpProxy(
                            "tls-" + (hostname == null ? "*" : hostname),
                            hostname == null ? List.of() : List.of(hostname),
                            terminate ? listener.certificateSecrets : List.of(),
                            backends));
                }
            }
        }
        return chains;
    }

    /** A TCP or UDP listener forwards to its oldest route; later routes wait for it to go away. */
    static FilterChainIr l4Chain(ListenerState listener, Collection<Placement> placements, Set<String> clusters) {
        if (placements.isEmpty()) {
            return null;
        }
        List<WeightedClusterIr> backends =
                l4Backends(placements.iterator().next().route(), clusters);
        return listener.isUdp()
                ? new FilterChainIr.UdpProxy("udp", backends)
                : new FilterChainIr.TcpProxy("tcp", List.of(), List.of(), backends);
    }

    private static List<WeightedClusterIr> l4Backends(RouteRules route, Set<String> clusters) {
        if (route.rules().isEmpty()
                || !(route.rules().getFirst().matches().getFirst().action() instanceof ActionIr.Forward forward)) {
            return List.of();
        }
        for (WeightedClusterIr backend : forward.backends()) {
            if (backend.cluster() != null) {
                clusters.add(backend.cluster());
            }
        }
        return forward.backends();
    }

    private static OrderedRoute instantiate(
            Placement placement, RuleIr rule, int matchIndex, ListenerState listener, Set<String> clusters) {
        MatchedAction matched = rule.matches().get(matchIndex);
        MatchIr match = matched.match();
        RouteRules route = placement.route();
        ObjectKey key = placement.order().key();
        String kind = lowerKind(Routes.kindOf(route.route()));
        String routeRef = kind + "/" + key;
        String name = routeRef + "/rule/" + rule.index() + "/match/" + matchIndex;
        ActionIr action = switch (matched.action()) {
            case ActionIr.Forward forward -> {
                for (WeightedClusterIr backend : forward.backends()) {
                    if (backend.cluster() != null) {
                        clusters.add(backend.cluster());
                    }
                }
                yield forward;
            }
            case ActionIr.Redirect redirect -> redirect.port() == null ? toListenerPort(redirect, listener) : redirect;
            case ActionIr.DirectResponse direct -> direct;
        };
        rule.mirrors().forEach(mirror -> clusters.add(mirror.cluster()));
        RouteIr routeIr = new RouteIr(
                name,
                match,
                action,
                rule.requestHeaders(),
                rule.responseHeaders(),
                rule.mirrors(),
                rule.cors(),
                rule.timeouts(),
                rule.retry());
        return new OrderedRoute(
                routeIr, OrderKey.of(match, placement.order().created(), routeRef, rule.index(), matchIndex));
    }

    private static String lowerKind(Kind<?> kind) {
        return RouteKind.of(kind)
                .map(RouteKind::envoyName)
                .orElseGet(() -> kind.kind().toLowerCase(Locale.ROOT));
    }

    /**
     * Gateway API port defaulting, last step: a redirect that sets neither port nor scheme goes to the listener's
     * port. (Envoy omits 80 for http and 443 for https from the Location header.)
     */
    private static ActionIr.Redirect toListenerPort(ActionIr.Redirect redirect, ListenerState listener) {
        return new ActionIr.Redirect(
                redirect.scheme(), redirect.hostname(), redirect.path(), listener.port, redirect.statusCode());
    }

    private record OrderedRoute(RouteIr route, OrderKey order) {}

    /**
     * Gateway API route precedence within one host: exact paths, then regular expressions and gRPC method matches
     * (more service, then method characters first), then prefixes (longest first); then method, header and query
     * matches (more first); then the oldest route, its {@code kind/namespace/name}, and rule and match order within it.
     */
    private record OrderKey(
            int pathRank,
            int serviceLength,
            int methodLength,
            int pathLength,
            int method,
            int headers,
            int queryParams,
            Instant created,
            String route,
            int rule,
            int match)
            implements Comparable<OrderKey> {

        static final OrderKey LAST = new OrderKey(9, 0, 0, 0, 1, 0, 0, Instant.MAX, "", 0, 0);

        @Override
        public int compareTo(OrderKey o) {
            // Written out rather than a Comparator chain: every virtual host sorts its routes with it.
            int c = Integer.compare(pathRank, o.pathRank);
            if (c == 0) {
                c = Integer.compare(o.serviceLength, serviceLength);
            }
            if (c == 0) {
                c = Integer.compare(o.methodLength, methodLength);
            }
            if (c == 0) {
                c = Integer.compare(o.pathLength, pathLength);
            }
            if (c == 0) {
                c = Integer.compare(method, o.method);
            }
            if (c == 0) {
                c = Integer.compare(o.headers, headers);
            }
            if (c == 0) {
                c = Integer.compare(o.queryParams, queryParams);
            }
            if (c == 0) {
                c = created.compareTo(o.created);
            }
            if (c == 0) {
                c = route.compareTo(o.route);
            }
            if (c == 0) {
                c = Integer.compare(rule, o.rule);
            }
            return c != 0 ? c : Integer.compare(match, o.match);
        }

        static OrderKey of(MatchIr match, Instant created, String route, int rule, int matchIndex) {
            MatchIr.GrpcMethodIr grpc = match.grpcMethod();
            // A gRPC method match ranks by its service and method, whatever path form it became.
            int rank = grpc != null
                    ? 1
                    : switch (match.path()) {
                        case PathMatchIr.Exact exact -> 0;
                        case PathMatchIr.Regex regex -> 1;
                        case PathMatchIr.Prefix prefix -> 2;
                    };
            return new OrderKey(
                    rank,
                    grpc == null ? 0 : grpc.serviceLength(),
                    grpc == null ? 0 : grpc.methodLength(),
                    match.path().value().length(),
                    match.method() == null ? 1 : 0,
                    match.headers().size(),
                    match.queryParams().size(),
                    created,
                    route,
                    rule,
                    matchIndex);
        }
    }
}
