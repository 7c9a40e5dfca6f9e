package dev.gantry.xds.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
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
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a listener or route configuration needs to be served by a proxy: the clusters its routes and TCP, TLS and
 * UDP proxy filters send to (weighted clusters and mirrors included), and the secrets its TLS filter chains name.
 * Worked out once per resource: a fleet sharing resources shares the answer.
 *
 * @param clusters cluster names
 * @param secrets SDS secret names
 */
record References(Set<String> clusters, Set<String> secrets) {

  static final References NONE = new References(Set.of(), Set.of());

  /** Keyed by the resource's identity: equal resources held by many simulated proxies are one object. */
  private static final Cache<Any, References> KNOWN = Caffeine.newBuilder().weakKeys().build();

  References {
    clusters = Set.copyOf(clusters);
    secrets = Set.copyOf(secrets);
  }

  private static final Cache<Any, Boolean> EDS = Caffeine.newBuilder().weakKeys().build();

  /** Whether a cluster takes its endpoints from EDS (and so warms until they arrive). */
  static boolean isEdsCluster(Any cluster) {
    return EDS.get(cluster, any -> unpack(any, io.envoyproxy.envoy.config.cluster.v3.Cluster.class).getType()
        == io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS);
  }

  static References of(String type, Any resource) {
    if (!type.equals(AdsClient.LISTENER) && !type.equals(AdsClient.ROUTE)) {
      return NONE;
    }
    return KNOWN.get(resource, any -> type.equals(AdsClient.LISTENER) ? ofListener(unpack(any, Listener.class))
        : ofRoutes(unpack(any, RouteConfiguration.class)));
  }

  private static References ofRoutes(RouteConfiguration table) {
    Set<String> clusters = new LinkedHashSet<>();
    for (VirtualHost host : table.getVirtualHostsList()) {
      for (Route route : host.getRoutesList()) {
        if (route.hasRoute()) {
          RouteAction action = route.getRoute();
          if (!action.getCluster().isEmpty()) {
            clusters.add(action.getCluster());
          }
          for (WeightedCluster.ClusterWeight weight : action.getWeightedClusters().getClustersList()) {
            clusters.add(weight.getName());
          }
          for (RouteAction.RequestMirrorPolicy mirror : action.getRequestMirrorPoliciesList()) {
            clusters.add(mirror.getCluster());
          }
        }
      }
    }
    return new References(clusters, Set.of());
  }

  private static References ofListener(Listener listener) {
    Set<String> clusters = new LinkedHashSet<>();
    Set<String> secrets = new LinkedHashSet<>();
    for (FilterChain chain : listener.getFilterChainsList()) {
      for (Filter filter : chain.getFiltersList()) {
        if (filter.getTypedConfig().is(TcpProxy.class)) {
          TcpProxy proxy = unpack(filter.getTypedConfig(), TcpProxy.class);
          if (!proxy.getCluster().isEmpty()) {
            clusters.add(proxy.getCluster());
          }
          proxy.getWeightedClusters().getClustersList().forEach(weight -> clusters.add(weight.getName()));
        } else if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
          HttpConnectionManager manager = unpack(filter.getTypedConfig(), HttpConnectionManager.class);
          if (manager.hasRouteConfig()) {
            clusters.addAll(ofRoutes(manager.getRouteConfig()).clusters());
          }
        }
      }
      if (chain.hasTransportSocket() && chain.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
        unpack(chain.getTransportSocket().getTypedConfig(), DownstreamTlsContext.class).getCommonTlsContext()
            .getTlsCertificateSdsSecretConfigsList().stream().map(SdsSecretConfig::getName).forEach(secrets::add);
      }
    }
    for (ListenerFilter filter : listener.getListenerFiltersList()) {
      if (filter.getTypedConfig().is(UdpProxyConfig.class)) {
        UdpProxyConfig udp = unpack(filter.getTypedConfig(), UdpProxyConfig.class);
        var action = udp.getMatcher().getOnNoMatch().getAction().getTypedConfig();
        if (action.is(io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route.class)) {
          clusters.add(unpack(action, io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route.class)
              .getCluster());
        }
      }
    }
    return new References(clusters, secrets);
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("malformed " + type.getSimpleName() + " from the server", e);
    }
  }
}
