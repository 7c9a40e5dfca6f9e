package dev.gantry.envoy;

import com.google.protobuf.Message;
import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.SecretIr;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * Builds one Gateway's Envoy resources again and again, reusing every resource whose IR is the same instance as
 * last time. An incremental translation keeps unchanged IR parts as the same instances, so after a route edit
 * only the changed route table is turned into a proto, serialized and hashed; the rest costs a map lookup each.
 * Not thread-safe: one per Gateway, used by the translation thread.
 */
public final class EnvoyResourcesBuilder {

  private final EnvoyTranslator translator;
  private IdentityHashMap<PortIr, EnvoyResources.Versioned<Listener>> listeners = new IdentityHashMap<>();
  private IdentityHashMap<RouteTableIr, EnvoyResources.Versioned<RouteConfiguration>> routes = new IdentityHashMap<>();
  private IdentityHashMap<ClusterIr, EnvoyResources.Versioned<Cluster>> clusters = new IdentityHashMap<>();
  private IdentityHashMap<ClusterIr, EnvoyResources.Versioned<ClusterLoadAssignment>> endpoints =
      new IdentityHashMap<>();
  private IdentityHashMap<SecretIr, EnvoyResources.Versioned<Secret>> secrets = new IdentityHashMap<>();

  public EnvoyResourcesBuilder(EnvoyTranslator translator) {
    this.translator = translator;
  }

  public EnvoyResources build(GatewayIr ir) {
    IdentityHashMap<PortIr, EnvoyResources.Versioned<Listener>> nextListeners = new IdentityHashMap<>();
    IdentityHashMap<RouteTableIr, EnvoyResources.Versioned<RouteConfiguration>> nextRoutes = new IdentityHashMap<>();
    IdentityHashMap<ClusterIr, EnvoyResources.Versioned<Cluster>> nextClusters = new IdentityHashMap<>();
    IdentityHashMap<ClusterIr, EnvoyResources.Versioned<ClusterLoadAssignment>> nextEndpoints =
        new IdentityHashMap<>();
    IdentityHashMap<SecretIr, EnvoyResources.Versioned<Secret>> nextSecrets = new IdentityHashMap<>();
    List<EnvoyResources.Versioned<Listener>> listenerList = reuse(ir.ports(), listeners, nextListeners,
        translator::versionedListener);
    List<EnvoyResources.Versioned<RouteConfiguration>> routeList = reuse(ir.routeTables(), routes, nextRoutes,
        translator::versionedRoutes);
    List<EnvoyResources.Versioned<Cluster>> clusterList = reuse(ir.clusters(), clusters, nextClusters,
        translator::versionedCluster);
    List<ClusterIr> withEndpoints = new ArrayList<>(ir.clusters().size());
    for (ClusterIr cluster : ir.clusters()) {
      if (cluster.discovery() == ClusterIr.Discovery.ENDPOINTS) {
        withEndpoints.add(cluster);
      }
    }
    List<EnvoyResources.Versioned<ClusterLoadAssignment>> endpointList = reuse(withEndpoints, endpoints,
        nextEndpoints, translator::versionedEndpoints);
    List<EnvoyResources.Versioned<Secret>> secretList = reuse(ir.secrets(), secrets, nextSecrets,
        translator::versionedSecret);
    listeners = nextListeners;
    routes = nextRoutes;
    clusters = nextClusters;
    endpoints = nextEndpoints;
    secrets = nextSecrets;
    return new EnvoyResources(listenerList, routeList, clusterList, endpointList, secretList);
  }

  private static <K, T extends Message> List<EnvoyResources.Versioned<T>> reuse(List<K> parts,
      IdentityHashMap<K, EnvoyResources.Versioned<T>> previous, IdentityHashMap<K, EnvoyResources.Versioned<T>> next,
      Function<K, EnvoyResources.Versioned<T>> build) {
    List<EnvoyResources.Versioned<T>> result = new ArrayList<>(parts.size());
    for (K part : parts) {
      EnvoyResources.Versioned<T> built = previous.get(part);
      if (built == null) {
        built = build.apply(part);
      }
      next.put(part, built);
      result.add(built);
    }
    return result;
  }
}
