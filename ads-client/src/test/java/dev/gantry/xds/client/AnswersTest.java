package dev.gantry.xds.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the client answers responses, fed hand-made ones: what it rejects, its ACKs and NACKs, and what it removes. */
class AnswersTest {

    private static final Node NODE = Node.newBuilder().setId("envoy").build();

    private static Any cluster(String name) {
        return Any.pack(Cluster.newBuilder().setName(name).build());
    }

    private static Any route(String name) {
        return Any.pack(RouteConfiguration.newBuilder().setName(name).build());
    }

    private static DiscoveryResponse sotw(String type, String version, String nonce, Any... resources) {
        return DiscoveryResponse.newBuilder()
                .setTypeUrl(type)
                .setVersionInfo(version)
                .setNonce(nonce)
                .addAllResources(List.of(resources))
                .build();
    }

    @Test
    void theRejectPredicateSeesAStateOfTheWorldResponsesTypeAndResources() {
        List<String> seen = new ArrayList<>();
        DiscoveryResponse response = sotw(AdsClient.CLUSTER, "v2", "n2", cluster("a"), cluster("b"));

        boolean rejected = Answers.rejects(
                (type, resources) -> {
                    seen.add(type + " " + resources.size());
                    return resources.contains(cluster("b"));
                },
                response);

        assertTrue(rejected);
        assertEquals(List.of(AdsClient.CLUSTER + " 2"), seen);
        assertFalse(Answers.rejects((type, resources) -> resources.contains(cluster("c")), response));
    }

    @Test
    void theRejectPredicateSeesTheResourcesADeltaResponseAddsNotThoseItRemoves() {
        List<List<Any>> seen = new ArrayList<>();
        DeltaDiscoveryResponse response = DeltaDiscoveryResponse.newBuilder()
                .setTypeUrl(AdsClient.ROUTE)
                .setNonce("n1")
                .addResources(
                        Resource.newBuilder().setName("r1").setVersion("1").setResource(route("r1")))
                .addRemovedResources("r0")
                .build();

        boolean rejected = Answers.rejects(
                (type, resources) -> {
                    seen.add(resources);
                    return type.equals(AdsClient.ROUTE);
                },
                response);

        assertTrue(rejected);
        assertEquals(List.of(List.of(route("r1"))), seen);
    }

    @Test
    void aStateOfTheWorldNackKeepsTheVersionHeldAndNamesTheRejectedResponsesNonce() {
        DiscoveryRequest nack = Answers.nack(NODE, sotw(AdsClient.ROUTE, "v3", "n3", route("r1")), "v2", Set.of("r1"));

        assertEquals("v2", nack.getVersionInfo());
        assertEquals("n3", nack.getResponseNonce());
        assertEquals(AdsClient.ROUTE, nack.getTypeUrl());
        assertEquals(List.of("r1"), nack.getResourceNamesList());
        assertEquals(NODE, nack.getNode());
        assertTrue(nack.hasErrorDetail());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), nack.getErrorDetail().getCode());
    }

    @Test
    void aStateOfTheWorldAckTakesTheResponsesVersionAndNonceWithoutAnError() {
        DiscoveryRequest ack = Answers.ack(NODE, sotw(AdsClient.LISTENER, "v3", "n3"), Set.of());

        assertEquals("v3", ack.getVersionInfo());
        assertEquals("n3", ack.getResponseNonce());
        assertEquals(AdsClient.LISTENER, ack.getTypeUrl());
        assertEquals(List.of(), ack.getResourceNamesList());
        assertFalse(ack.hasErrorDetail());
    }

    @Test
    void aDeltaAckAndNackNameTheResponsesNonceOnlyTheNackWithAnError() {
        DeltaDiscoveryResponse response = DeltaDiscoveryResponse.newBuilder()
                .setTypeUrl(AdsClient.SECRET)
                .setSystemVersionInfo("7")
                .setNonce("n7")
                .build();

        DeltaDiscoveryRequest ack = Answers.ack(NODE, response);
        DeltaDiscoveryRequest nack = Answers.nack(NODE, response);

        assertEquals("n7", ack.getResponseNonce());
        assertEquals(AdsClient.SECRET, ack.getTypeUrl());
        assertFalse(ack.hasErrorDetail());
        assertEquals("n7", nack.getResponseNonce());
        assertEquals(AdsClient.SECRET, nack.getTypeUrl());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), nack.getErrorDetail().getCode());
    }

    @Test
    void aListenerOrClusterResponseRemovesWhatItLeavesOut() {
        assertEquals(
                List.of("old"), Answers.removedBy(AdsClient.CLUSTER, List.of("kept", "old"), Set.of("kept", "new")));
        assertEquals(List.of("l1"), Answers.removedBy(AdsClient.LISTENER, List.of("l1"), Set.of()));
    }

    @Test
    void aResponseOfAnotherTypeRemovesNothingItLeavesOut() {
        for (String type : List.of(AdsClient.ROUTE, AdsClient.ENDPOINT, AdsClient.SECRET)) {
            assertEquals(List.of(), Answers.removedBy(type, List.of("a", "b"), Set.of("c")), type);
        }
    }
}
