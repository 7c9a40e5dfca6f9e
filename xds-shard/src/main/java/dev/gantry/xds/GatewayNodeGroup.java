package dev.gantry.xds;

import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;

/** Groups proxies by the Gateway named in their node metadata: one snapshot per Gateway. */
final class GatewayNodeGroup implements NodeGroup<String> {

  /** Node metadata key naming the proxy's Gateway as {@code namespace/name}. */
  static final String GATEWAY_KEY = "gantry.dev/gateway";

  @Override
  public String hash(Node node) {
    String gateway = gatewayOf(node);
    return gateway == null ? "" : gateway;
  }

  /** The Gateway a node belongs to, or null when its metadata does not say. */
  static String gatewayOf(Node node) {
    if (node == null || !node.hasMetadata()) {
      return null;
    }
    Value value = node.getMetadata().getFieldsMap().get(GATEWAY_KEY);
    if (value == null || value.getKindCase() != Value.KindCase.STRING_VALUE || value.getStringValue().isBlank()) {
      return null;
    }
    return value.getStringValue().trim();
  }
}
