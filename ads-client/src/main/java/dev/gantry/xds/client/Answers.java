package dev.gantry.xds.client;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * How the client answers a response, as Envoy does: whether it is rejected (the reject predicate sees the resources a
 * response adds or replaces), the ACK or NACK sent back, and which held resources an accepted state-of-the-world
 * response removes. Nothing here touches a stream or what the client holds: the stream applies what these decide.
 */
final class Answers {

    /** The error of every NACK: what Envoy sends for a resource it cannot use. */
    private static final com.google.rpc.Status REJECTED = com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.INVALID_ARGUMENT.value())
            .setMessage("rejected by test client")
            .build();

    private Answers() {}

    /** Whether a state-of-the-world response is NACKed: the predicate rejects its type and resources. */
    static boolean rejects(BiPredicate<String, List<Any>> reject, DiscoveryResponse response) {
        return reject.test(response.getTypeUrl(), response.getResourcesList());
    }

    /** Whether a delta response is NACKed: the predicate rejects its type and the resources it adds or replaces. */
    static boolean rejects(BiPredicate<String, List<Any>> reject, DeltaDiscoveryResponse response) {
        List<Any> added =
                response.getResourcesList().stream().map(Resource::getResource).toList();
        return reject.test(response.getTypeUrl(), added);
    }

    /** The ACK of a state-of-the-world response: its version and nonce, with what the client subscribes to. */
    static DiscoveryRequest ack(Node node, DiscoveryResponse response, Set<String> subscribed) {
        return DiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(response.getTypeUrl())
                .setVersionInfo(response.getVersionInfo())
                .setResponseNonce(response.getNonce())
                .addAllResourceNames(subscribed)
                .build();
    }

    /**
     * The NACK of a state-of-the-world response: the response's nonce with the version still held (the one before
     * it), and an error.
     *
     * @param heldVersion the version of the last accepted response of the type, or "" for none
     */
    static DiscoveryRequest nack(Node node, DiscoveryResponse response, String heldVersion, Set<String> subscribed) {
        return DiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(response.getTypeUrl())
                .setVersionInfo(heldVersion)
                .setResponseNonce(response.getNonce())
                .addAllResourceNames(subscribed)
                .setErrorDetail(REJECTED)
                .build();
    }

    /** The ACK of a delta response: its nonce. */
    static DeltaDiscoveryRequest ack(Node node, DeltaDiscoveryResponse response) {
        return DeltaDiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(response.getTypeUrl())
                .setResponseNonce(response.getNonce())
                .build();
    }

    /** The NACK of a delta response: its nonce and an error. */
    static DeltaDiscoveryRequest nack(Node node, DeltaDiscoveryResponse response) {
        return DeltaDiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(response.getTypeUrl())
                .setResponseNonce(response.getNonce())
                .setErrorDetail(REJECTED)
                .build();
    }

    /**
     * The held resources an accepted state-of-the-world response removes. A listener or cluster response is the whole
     * set, so one it leaves out is gone; of other types a response may carry only what changed, so one left out is
     * kept, as Envoy keeps it: only a parent no longer naming it removes it.
     *
     * @param held names of the type held before the response
     * @param received names the response carries
     */
    static List<String> removedBy(String type, Collection<String> held, Set<String> received) {
        List<String> gone = new ArrayList<>();
        if (type.equals(AdsClient.LISTENER) || type.equals(AdsClient.CLUSTER)) {
            for (String name : held) {
                if (!received.contains(name)) {
                    gone.add(name);
                }
            }
        }
        return gone;
    }
}
