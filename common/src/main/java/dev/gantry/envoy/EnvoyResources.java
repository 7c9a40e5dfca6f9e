package dev.gantry.envoy;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * The Envoy resources of one Gateway, each type ordered by name, every resource with a content-hash version.
 * Equal inputs give equal resources and versions, on every shard.
 *
 * @param listeners LDS resources
 * @param routes RDS resources
 * @param clusters CDS resources
 * @param endpoints EDS resources
 * @param secrets SDS resources
 */
public record EnvoyResources(List<Versioned<Listener>> listeners, List<Versioned<RouteConfiguration>> routes,
    List<Versioned<Cluster>> clusters, List<Versioned<ClusterLoadAssignment>> endpoints,
    List<Versioned<Secret>> secrets) {

  public EnvoyResources {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    secrets = List.copyOf(secrets);
  }

  /**
   * A resource and the hash of its serialized form.
   *
   * @param name resource name
   * @param resource the message
   * @param version content hash
   * @param size serialized size in bytes
   */
  public record Versioned<T extends Message>(String name, T resource, String version, int size) {
  }

  /** Version of one resource type: a hash of the names and versions of its resources. */
  public static String typeVersion(List<? extends Versioned<?>> resources) {
    ContentHash hash = new ContentHash();
    for (Versioned<?> resource : resources) {
      hash.add(resource.name()).add(resource.version());
    }
    return hash.hex();
  }

  /** A version covering every type. */
  public String version() {
    ContentHash hash = new ContentHash();
    hash.add(typeVersion(listeners)).add(typeVersion(routes)).add(typeVersion(clusters)).add(typeVersion(endpoints))
        .add(typeVersion(secrets));
    return hash.hex();
  }

  public int resourceCount() {
    return listeners.size() + routes.size() + clusters.size() + endpoints.size() + secrets.size();
  }

  /** Total serialized bytes of every resource. */
  public long totalBytes() {
    long total = 0;
    for (List<? extends Versioned<?>> type : List.of(listeners, routes, clusters, endpoints, secrets)) {
      for (Versioned<?> resource : type) {
        total += resource.size();
      }
    }
    return total;
  }

  /** Every resource message, for validation and dumps. */
  public List<Message> all() {
    List<Message> all = new ArrayList<>();
    for (List<? extends Versioned<?>> type : List.of(listeners, routes, clusters, endpoints, secrets)) {
      type.forEach(v -> all.add(v.resource()));
    }
    return all;
  }
}
