package dev.gantry.xds.client;

import static dev.gantry.xds.client.ModelledFields.understood;
import static dev.gantry.xds.client.ModelledFields.unpack;
import static dev.gantry.xds.client.ModelledFields.unsupported;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
    private final RouteActions actions;

    private EnvoyRouter(Configuration configuration) {
        this.configuration = configuration;
        this.actions = new RouteActions(configuration);
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
        return switch (FilterChainSelection.select(listener, request)) {
            case FilterChainSelection.Refused refused -> refused.outcome();
            case FilterChainSelection.Served served -> {
                HttpConnectionManager hcm = served.connectionManager();
                RouteConfiguration routes =
                        configuration.routeConfiguration(hcm.getRds().getRouteConfigName());
                if (routes == null) {
                    // A listener serves only once its route configuration arrived.
                    throw new IllegalStateException(
                            "listener " + listener.getName() + " serves without its route configuration "
                                    + hcm.getRds().getRouteConfigName());
                }
                yield route(routes, RequestNormalization.asRouted(hcm, request), served.corsFilter());
            }
        };
    }

    private RoutingOutcome route(RouteConfiguration routes, HttpRequest request, boolean corsFilter) {
        understood(routes, "name", "virtual_hosts", "validate_clusters");
        VirtualHost host = RouteMatching.virtualHost(routes, request.authority());
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
            String matched = RouteMatching.matches(route.getMatch(), request);
            if (matched == null) {
                continue;
            }
            for (String filter : route.getTypedPerFilterConfigMap().keySet()) {
                if (!filter.equals(FilterChainSelection.CORS)) {
                    throw unsupported("Route.typed_per_filter_config", filter);
                }
                if (corsFilter && isPreflight(request)) {
                    throw new UnsupportedOperationException(
                            "a CORS preflight request is answered by the CORS filter, which is not modelled");
                }
            }
            return actions.act(route, request, matched);
        }
        return new RoutingOutcome.NoRoute(
                "no route of virtual host " + host.getName() + " matches " + request.method() + " " + request.path());
    }

    private static boolean isPreflight(HttpRequest request) {
        return request.method().equals("OPTIONS")
                && request.headers().containsKey("origin")
                && request.headers().containsKey("access-control-request-method");
    }
}
