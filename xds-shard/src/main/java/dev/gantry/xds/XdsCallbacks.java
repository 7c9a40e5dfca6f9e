package dev.gantry.xds;

import dev.gantry.model.ObjectKey;
import dev.gantry.pki.ProxyCertificateVerifier;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a stream only for the Gateway its credential speaks for ({@code PERMISSION_DENIED} otherwise) and only
 * when this shard owns it ({@code FAILED_PRECONDITION} naming the owner otherwise), counts proxies, pushes and
 * NACKs, and logs every NACK with Envoy's error detail.
 */
final class XdsCallbacks implements DiscoveryServerCallbacks {

    private static final Logger LOG = LoggerFactory.getLogger(XdsCallbacks.class);

    private final boolean requireCredential;
    private final ShardOwnership ownership;
    private final ShardMetrics.ForShard metrics;
    private final GatewayXdsCache cache;
    private final Map<Long, String> gatewayByStream = new ConcurrentHashMap<>();

    /**
     * @param requireCredential whether every stream must carry an authenticated proxy (false only with the unsafe
     *     plaintext opt-out)
     */
    XdsCallbacks(
            ShardOwnership ownership, ShardMetrics.ForShard metrics, GatewayXdsCache cache, boolean requireCredential) {
        this.requireCredential = requireCredential;
        this.ownership = ownership;
        this.metrics = metrics;
        this.cache = cache;
    }

    int connectedProxies(String gateway) {
        return (int) gatewayByStream.values().stream().filter(gateway::equals).count();
    }

    @Override
    public void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
        admit(streamId, request.getNode());
        String rejected = cache.requestArrived(
                streamId, request.getTypeUrl(), request.getResponseNonce(), request.hasErrorDetail());
        NackAwareWatcher.REJECTED_VERSION.remove();
        if (request.hasErrorDetail()) {
            if (rejected != null) {
                NackAwareWatcher.REJECTED_VERSION.set(rejected);
            }
            nack(
                    streamId,
                    request.getNode(),
                    request.getTypeUrl(),
                    rejected == null ? request.getVersionInfo() : rejected,
                    request.getErrorDetail().getMessage());
        }
    }

    @Override
    public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) throws RequestException {
        admit(streamId, request.getNode());
        cache.requestArrived(streamId, request.getTypeUrl(), request.getResponseNonce(), request.hasErrorDetail());
        if (request.hasErrorDetail()) {
            nack(
                    streamId,
                    request.getNode(),
                    request.getTypeUrl(),
                    request.getResponseNonce(),
                    request.getErrorDetail().getMessage());
        }
    }

    @Override
    public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
        cache.responseSent(streamId, response.getTypeUrl(), response.getNonce(), response.getVersionInfo());
        metrics.pushed(shortType(response.getTypeUrl()));
    }

    @Override
    public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
        cache.responseSent(streamId, response.getTypeUrl(), response.getNonce(), response.getSystemVersionInfo());
        metrics.pushed(shortType(response.getTypeUrl()));
    }

    @Override
    public void onStreamClose(long streamId, String typeUrl) {
        release(streamId);
    }

    @Override
    public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
        release(streamId);
    }

    /**
     * Holds a stream to one Gateway: on its first request the Gateway named in the node metadata must be the one its
     * credential speaks for ({@code PERMISSION_DENIED} otherwise) and one this shard owns ({@code FAILED_PRECONDITION}
     * naming the owner otherwise); a later request may not name another. Every request then reads the snapshot of
     * the admitted Gateway.
     */
    private void admit(long streamId, Node node) throws RequestException {
        GatewayNodeGroup.ADMITTED.remove();
        ProxyCertificateVerifier.Verdict.Accepted proxy = ProxyAuthenticator.PROXY.get();
        if (requireCredential && proxy == null) {
            // Unreachable behind the authenticator; refuse rather than serve should it ever be bypassed.
            metrics.authFailure("no_certificate");
            throw new RequestException(Status.UNAUTHENTICATED.withDescription("no authenticated proxy credential"));
        }
        String admitted = gatewayByStream.get(streamId);
        String claimed = GatewayNodeGroup.gatewayOf(node);
        if (admitted != null) {
            if (claimed != null && !claimed.equals(admitted)) {
                metrics.authFailure("gateway_mismatch");
                throw new RequestException((proxy != null ? Status.PERMISSION_DENIED : Status.FAILED_PRECONDITION)
                        .withDescription("this stream serves Gateway " + admitted + "; a request may not name Gateway '"
                                + claimed + "' in its node metadata"));
            }
            GatewayNodeGroup.ADMITTED.set(admitted);
            return;
        }
        if (claimed == null) {
            metrics.refused("missing_metadata");
            throw refuse("node metadata '" + GatewayNodeGroup.GATEWAY_KEY + "' is missing: set it to <namespace>/<name>"
                    + " of the proxy's Gateway");
        }
        ObjectKey key;
        try {
            key = ObjectKey.parse(claimed);
        } catch (IllegalArgumentException e) {
            key = null;
        }
        if (key == null || key.namespace().isEmpty()) {
            metrics.refused("bad_metadata");
            throw refuse("node metadata '" + GatewayNodeGroup.GATEWAY_KEY + "' must be <namespace>/<name>, got '"
                    + claimed + "'");
        }
        if (proxy != null && !proxy.identity().gateway().equals(key)) {
            metrics.authFailure("gateway_mismatch");
            throw new RequestException(Status.PERMISSION_DENIED.withDescription("the credential of Gateway "
                    + proxy.identity().gateway() + " cannot ask for Gateway " + key + " (node metadata '"
                    + GatewayNodeGroup.GATEWAY_KEY + "')"));
        }
        if (!ownership.owns(key)) {
            metrics.refused("not_owner");
            int owner = ownership.ownerOf(key);
            throw refuse("Gateway " + key + " is served by " + ownership.describeShard(owner) + "; this is shard "
                    + ownership.index());
        }
        if (gatewayByStream.putIfAbsent(streamId, key.toString()) == null) {
            metrics.proxyConnected(key.toString());
        }
        GatewayNodeGroup.ADMITTED.set(key.toString());
    }

    private void release(long streamId) {
        cache.streamClosed(streamId);
        String gateway = gatewayByStream.remove(streamId);
        if (gateway != null) {
            metrics.proxyDisconnected(gateway);
        }
    }

    private void nack(long streamId, Node node, String typeUrl, String version, String detail) {
        metrics.nacked(shortType(typeUrl));
        LOG.warn(
                "NACK from proxy '{}' of Gateway {} for {} ({}): {}",
                node.getId(),
                gatewayByStream.get(streamId),
                shortType(typeUrl),
                version,
                detail);
    }

    private static RequestException refuse(String message) {
        return new RequestException(Status.FAILED_PRECONDITION.withDescription(message));
    }

    static String shortType(String typeUrl) {
        int dot = typeUrl.lastIndexOf('.');
        return dot < 0 ? typeUrl : typeUrl.substring(dot + 1);
    }
}
