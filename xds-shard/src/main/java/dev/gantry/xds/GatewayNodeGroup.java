package dev.gantry.xds;

import com.google.protobuf.Value;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Groups proxies by Gateway: one snapshot per Gateway. The group is the Gateway the stream was admitted for
 * (authenticated by its credential), never what a request's node says: a later request may carry no node, or
 * another one.
 */
final class GatewayNodeGroup implements NodeGroup<String> {

    /** Node metadata key naming the proxy's Gateway as {@code namespace/name}. */
    static final String GATEWAY_KEY = "gantry.dev/gateway";

    /**
     * The Gateway the request being handled on this thread was admitted for; set by the callbacks on every request,
     * just before the server opens the request's watch on the same thread.
     */
    static final ThreadLocal<String> ADMITTED = new ThreadLocal<>();

    /** The admitted Gateway, or the empty group (which has no snapshot) when none was admitted. */
    @Override
    public String hash(Node node) {
        String gateway = ADMITTED.get();
        return gateway == null ? "" : gateway;
    }

    /** The Gateway a node's metadata names, or null when it does not say. */
    static String gatewayOf(Node node) {
        if (node == null || !node.hasMetadata()) {
            return null;
        }
        Value value = node.getMetadata().getFieldsMap().get(GATEWAY_KEY);
        if (value == null
                || value.getKindCase() != Value.KindCase.STRING_VALUE
                || value.getStringValue().isBlank()) {
            return null;
        }
        return value.getStringValue().trim();
    }
}
