package dev.gantry.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.ir.ClusterIr;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterResourcesTest {

    @Test
    void aServiceIsAnEdsClusterWithItsEndpointsApart() {
        ClusterIr ir = new ClusterIr(
                "default/web/80",
                ClusterIr.Discovery.ENDPOINTS,
                List.of(new ClusterIr.EndpointIr("10.0.0.1", 8080), new ClusterIr.EndpointIr("10.0.0.2", 8080)),
                null,
                0,
                ClusterIr.UpstreamProtocol.HTTP1,
                null);
        Cluster cluster = ClusterResources.cluster(ir);
        assertEquals(Cluster.DiscoveryType.EDS, cluster.getType());
        assertEquals(EnvoyTranslator.ADS, cluster.getEdsClusterConfig().getEdsConfig());
        assertFalse(cluster.hasLoadAssignment());
        assertTrue(cluster.getTypedExtensionProtocolOptionsMap().isEmpty());
        ClusterLoadAssignment endpoints = ClusterResources.loadAssignment(ir);
        assertEquals("default/web/80", endpoints.getClusterName());
        assertEquals(
                List.of("10.0.0.1", "10.0.0.2"),
                endpoints.getEndpoints(0).getLbEndpointsList().stream()
                        .map(e ->
                                e.getEndpoint().getAddress().getSocketAddress().getAddress())
                        .toList());
    }

    @Test
    void aServiceWithoutEndpointsHasNoLocality() {
        ClusterIr ir = new ClusterIr(
                "default/web/80",
                ClusterIr.Discovery.ENDPOINTS,
                List.of(),
                null,
                0,
                ClusterIr.UpstreamProtocol.HTTP1,
                null);
        assertEquals(0, ClusterResources.loadAssignment(ir).getEndpointsCount());
    }

    @Test
    void anExternalNameIsAStrictDnsClusterOverHttp2() {
        Cluster cluster = ClusterResources.cluster(new ClusterIr(
                "default/ext/443",
                ClusterIr.Discovery.DNS,
                List.of(),
                "api.example.com",
                443,
                ClusterIr.UpstreamProtocol.HTTP2,
                null));
        assertEquals(Cluster.DiscoveryType.STRICT_DNS, cluster.getType());
        LbEndpoint endpoint = cluster.getLoadAssignment().getEndpoints(0).getLbEndpoints(0);
        assertEquals(
                "api.example.com",
                endpoint.getEndpoint().getAddress().getSocketAddress().getAddress());
        assertEquals(443, endpoint.getEndpoint().getAddress().getSocketAddress().getPortValue());
        assertTrue(cluster.containsTypedExtensionProtocolOptions(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"));
    }

    /** Without subject alt names the certificate must name the SNI; without a CA Secret the system bundle is used. */
    @Test
    void upstreamTlsChecksTheSniAgainstTheSystemBundle() throws Exception {
        CommonTlsContext common = upstreamTls(new ClusterIr.UpstreamTlsIr("web.example.com", List.of(), null, true));
        CertificateValidationContext validation = common.getValidationContext();
        assertEquals(
                "/etc/ssl/certs/ca-certificates.crt", validation.getTrustedCa().getFilename());
        assertEquals(
                List.of("DNS web.example.com"),
                validation.getMatchTypedSubjectAltNamesList().stream()
                        .map(ClusterResourcesTest::san)
                        .toList());
    }

    @Test
    void upstreamTlsChecksTheNamedSansAgainstTheCaSecret() throws Exception {
        CommonTlsContext common = upstreamTls(new ClusterIr.UpstreamTlsIr(
                "web.example.com",
                List.of(new ClusterIr.SanIr(false, "web.internal"), new ClusterIr.SanIr(true, "spiffe://td/web")),
                "default/web-ca",
                false));
        assertFalse(common.hasValidationContext());
        CommonTlsContext.CombinedCertificateValidationContext combined = common.getCombinedValidationContext();
        assertEquals(
                "default/web-ca", combined.getValidationContextSdsSecretConfig().getName());
        assertEquals(
                List.of("DNS web.internal", "URI spiffe://td/web"),
                combined.getDefaultValidationContext().getMatchTypedSubjectAltNamesList().stream()
                        .map(ClusterResourcesTest::san)
                        .toList());
    }

    private static CommonTlsContext upstreamTls(ClusterIr.UpstreamTlsIr tls) throws Exception {
        Cluster cluster = ClusterResources.cluster(new ClusterIr(
                "default/web/443",
                ClusterIr.Discovery.ENDPOINTS,
                List.of(),
                null,
                0,
                ClusterIr.UpstreamProtocol.HTTP1,
                tls));
        UpstreamTlsContext context =
                cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        assertEquals(tls.sni(), context.getSni());
        return context.getCommonTlsContext();
    }

    private static String san(SubjectAltNameMatcher matcher) {
        return matcher.getSanType() + " " + matcher.getMatcher().getExact();
    }
}
