package dev.gantry.envoy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What an Envoy resource needs a proxy to hold before it can serve: the clusters its routes and TCP and UDP proxy
 * filters send to (weighted clusters and mirrors included), the route configurations its HTTP connection managers
 * load by RDS, and the secrets its TLS contexts load by SDS. Worked out once per resource object: the resources of a
 * snapshot are shared by every stream that serves them, and unchanged ones by the snapshots that follow.
 *
 * @param clusters cluster names
 * @param routeConfigurations RDS route configuration names
 * @param secrets SDS secret names
 */
public record EnvoyReferences(Set<String> clusters, Set<String> routeConfigurations, Set<String> secrets) {

    /** A resource that names nothing. */
    public static final EnvoyReferences NONE = new EnvoyReferences(Set.of(), Set.of(), Set.of());

    private static final Cache<Message, EnvoyReferences> KNOWN =
            Caffeine.newBuilder().weakKeys().build();

    public EnvoyReferences {
        clusters = Set.copyOf(clusters);
        routeConfigurations = Set.copyOf(routeConfigurations);
        secrets = Set.copyOf(secrets);
    }

    /** What a Listener, RouteConfiguration or Cluster names; {@link #NONE} for other types. */
    public static EnvoyReferences of(Message resource) {
        if (!(resource instanceof Listener)
                && !(resource instanceof RouteConfiguration)
                && !(resource instanceof Cluster)) {
            return NONE;
        }
        return KNOWN.get(resource, EnvoyReferences::extract);
    }

    private static EnvoyReferences extract(Message resource) {
        return switch (resource) {
            case Listener listener -> ofListener(listener);
            case RouteConfiguration table -> new EnvoyReferences(clustersOf(table), Set.of(), Set.of());
            case Cluster cluster -> ofCluster(cluster);
            default -> NONE;
        };
    }

    private static Set<String> clustersOf(RouteConfiguration table) {
        Set<String> clusters = new LinkedHashSet<>();
        for (VirtualHost host : table.getVirtualHostsList()) {
            for (Route route : host.getRoutesList()) {
                if (route.hasRoute()) {
                    RouteAction action = route.getRoute();
                    if (!action.getCluster().isEmpty()) {
                        clusters.add(action.getCluster());
                    }
                    for (WeightedCluster.ClusterWeight weight :
                            action.getWeightedClusters().getClustersList()) {
                        clusters.add(weight.getName());
                    }
                    for (RouteAction.RequestMirrorPolicy mirror : action.getRequestMirrorPoliciesList()) {
                        clusters.add(mirror.getCluster());
                    }
                }
            }
        }
        return clusters;
    }

    private static EnvoyReferences ofListener(Listener listener) {
        Set<String> clusters = new LinkedHashSet<>();
        Set<String> tables = new LinkedHashSet<>();
        Set<String> secrets = new LinkedHashSet<>();
        for (FilterChain chain : listener.getFilterChainsList()) {
            for (Filter filter : chain.getFiltersList()) {
                Any config = filter.getTypedConfig();
                if (config.is(TcpProxy.class)) {
                    TcpProxy proxy = unpack(config, TcpProxy.class);
                    if (!proxy.getCluster().isEmpty()) {
                        clusters.add(proxy.getCluster());
                    }
                    proxy.getWeightedClusters().getClustersList().forEach(weight -> clusters.add(weight.getName()));
                } else if (config.is(HttpConnectionManager.class)) {
                    HttpConnectionManager manager = unpack(config, HttpConnectionManager.class);
                    if (manager.hasRds()) {
                        tables.add(manager.getRds().getRouteConfigName());
                    } else if (manager.hasRouteConfig()) {
                        clusters.addAll(clustersOf(manager.getRouteConfig()));
                    }
                }
            }
            if (chain.hasTransportSocket()
                    && chain.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
                secretsOf(
                        unpack(chain.getTransportSocket().getTypedConfig(), DownstreamTlsContext.class)
                                .getCommonTlsContext(),
                        secrets);
            }
        }
        for (ListenerFilter filter : listener.getListenerFiltersList()) {
            if (filter.getTypedConfig().is(UdpProxyConfig.class)) {
                Any action = unpack(filter.getTypedConfig(), UdpProxyConfig.class)
                        .getMatcher()
                        .getOnNoMatch()
                        .getAction()
                        .getTypedConfig();
                if (action.is(io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route.class)) {
                    clusters.add(unpack(action, io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route.class)
                            .getCluster());
                }
            }
        }
        return new EnvoyReferences(clusters, tables, secrets);
    }

    private static EnvoyReferences ofCluster(Cluster cluster) {
        Set<String> secrets = new LinkedHashSet<>();
        if (cluster.hasTransportSocket()
                && cluster.getTransportSocket().getTypedConfig().is(UpstreamTlsContext.class)) {
            secretsOf(
                    unpack(cluster.getTransportSocket().getTypedConfig(), UpstreamTlsContext.class)
                            .getCommonTlsContext(),
                    secrets);
        }
        return new EnvoyReferences(Set.of(), Set.of(), secrets);
    }

    private static void secretsOf(CommonTlsContext tls, Set<String> secrets) {
        tls.getTlsCertificateSdsSecretConfigsList().stream()
                .map(SdsSecretConfig::getName)
                .forEach(secrets::add);
        if (tls.hasValidationContextSdsSecretConfig()) {
            secrets.add(tls.getValidationContextSdsSecretConfig().getName());
        }
        if (tls.hasCombinedValidationContext()
                && tls.getCombinedValidationContext().hasValidationContextSdsSecretConfig()) {
            secrets.add(tls.getCombinedValidationContext()
                    .getValidationContextSdsSecretConfig()
                    .getName());
        }
    }

    private static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("malformed " + type.getSimpleName(), e);
        }
    }
}
