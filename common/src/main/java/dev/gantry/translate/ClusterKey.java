package dev.gantry.translate;

import dev.gantry.model.ObjectKey;

/**
 * Identifies an upstream cluster: a Service port, and whether a route forces HTTP/2 on it (gRPC).
 *
 * @param service the Service
 * @param port the Service port number
 * @param forceHttp2 whether the cluster speaks HTTP/2 although the Service port does not say so
 */
record ClusterKey(ObjectKey service, int port, boolean forceHttp2) implements Comparable<ClusterKey> {

  String name() {
    return "svc/" + service + "/" + port + (forceHttp2 ? "/h2" : "");
  }

  @Override
  public int compareTo(ClusterKey other) {
    return name().compareTo(other.name());
  }
}
