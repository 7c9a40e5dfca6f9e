package dev.gantry.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Service may declare one port number for TCP and for UDP, each with its own target port (DNS does). A TCPRoute and
 * a UDPRoute to that number reach each its own protocol's endpoints, as separate clusters.
 */
class ServicePortProtocolXdsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private ShardHarness harness;

    @BeforeEach
    void start() {
        harness = new ShardHarness();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private static List<Integer> ports(AdsClient proxy, String cluster) {
        ClusterLoadAssignment assignment = proxy.resource(AdsClient.ENDPOINT, cluster, ClusterLoadAssignment.class);
        return assignment == null
                ? List.of()
                : assignment.getEndpointsList().stream()
                        .flatMap(e -> e.getLbEndpointsList().stream())
                        .map(LbEndpoint::getEndpoint)
                        .map(e -> e.getAddress().getSocketAddress().getPortValue())
                        .toList();
    }

    @Test
    void oneServicePortNumberForTcpAndUdpIsTwoClusters() {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.apply(new NamespaceBuilder()
                .withNewMetadata()
                .withName("dns")
                .endMetadata()
                .build());
        harness.apply(new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("dns")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewListener()
                .withName("tcp")
                .withPort(53)
                .withProtocol("TCP")
                .endListener()
                .addNewListener()
                .withName("udp")
                .withPort(53)
                .withProtocol("UDP")
                .endListener()
                .endSpec()
                .build());
        harness.apply(new ServiceBuilder()
                .withNewMetadata()
                .withName("coredns")
                .withNamespace("dns")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("dns-tcp")
                .withPort(53)
                .withProtocol("TCP")
                .endPort()
                .addNewPort()
                .withName("dns")
                .withPort(53)
                .withProtocol("UDP")
                .endPort()
                .endSpec()
                .build());
        harness.apply(new EndpointSliceBuilder()
                .withNewMetadata()
                .withName("coredns-1")
                .withNamespace("dns")
                .addToLabels("kubernetes.io/service-name", "coredns")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("dns-tcp")
                .withPort(5353)
                .withProtocol("TCP")
                .endPort()
                .addNewPort()
                .withName("dns")
                .withPort(5354)
                .withProtocol("UDP")
                .endPort()
                .addNewEndpoint()
                .withAddresses("10.1.0.53")
                .endEndpoint()
                .build());
        harness.apply(new TCPRouteBuilder()
                .withNewMetadata()
                .withName("dns-tcp")
                .withNamespace("dns")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withSectionName("tcp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("coredns")
                .withPort(53)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        harness.apply(new UDPRouteBuilder()
                .withNewMetadata()
                .withName("dns-udp")
                .withNamespace("dns")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .withSectionName("udp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("coredns")
                .withPort(53)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());

        AdsClient proxy = AdsClient.connect(
                "127.0.0.1", shard.xdsPort(), harness.transport("dns/gw"), "p", "dns/gw", AdsClient.Protocol.DELTA);
        harness.track(proxy);
        Eventually.await(
                TIMEOUT,
                "both clusters with their endpoints",
                () -> !ports(proxy, "svc/dns/coredns/53").isEmpty()
                        && !ports(proxy, "svc/dns/coredns/53/udp").isEmpty(),
                () -> proxy.names().toString());
        assertEquals(List.of(5353), ports(proxy, "svc/dns/coredns/53"));
        assertEquals(List.of(5354), ports(proxy, "svc/dns/coredns/53/udp"));
        assertEquals(0, proxy.nacksSent());
        assertEquals(0, proxy.makeBeforeBreakViolations());
    }
}
