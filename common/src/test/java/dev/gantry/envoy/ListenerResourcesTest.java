package dev.gantry.envoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.WeightedClusterIr;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenerResourcesTest {

    /**
     * Backends as {@code cluster:weight}, {@code -} for one that did not resolve; weighted clusters likewise.
     * Unresolved backends go to {@link EnvoyTranslator#UNRESOLVED_BACKEND}, which never exists.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a:1 | a",
                "a:5 | a",
                "-:1 | gantry-unresolved-backend",
                "-:1,-:2 | gantry-unresolved-backend",
                "a:1,-:1 | a:1,gantry-unresolved-backend:1",
                "a:3,b:1 | a:3,b:1"
            })
    void tcpProxyClusters(String backends, String expected) throws Exception {
        PortIr port = new PortIr(
                9000,
                PortIr.Transport.TCP,
                List.of(new FilterChainIr.TcpProxy("tcp", List.of(), List.of(), backends(backends))));
        TcpProxy proxy = ListenerResources.listener(port)
                .getFilterChains(0)
                .getFilters(0)
                .getTypedConfig()
                .unpack(TcpProxy.class);
        List<String> weighted = new ArrayList<>();
        proxy.getWeightedClusters().getClustersList().forEach(c -> weighted.add(c.getName() + ":" + c.getWeight()));
        assertEquals(expected, proxy.hasWeightedClusters() ? String.join(",", weighted) : proxy.getCluster());
    }

    /** Envoy's UDP proxy sends a session to one cluster: the heaviest resolved backend, the first of equals. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {"a:1 | a", "a:1,b:3 | b", "a:2,b:2 | a", "-:5,a:1 | a", "-:1 | gantry-unresolved-backend"})
    void udpProxyCluster(String backends, String expected) throws Exception {
        Listener listener = ListenerResources.listener(
                new PortIr(5353, PortIr.Transport.UDP, List.of(new FilterChainIr.UdpProxy("dns", backends(backends)))));
        assertEquals(0, listener.getFilterChainsCount());
        String cluster = listener.getListenerFilters(0)
                .getTypedConfig()
                .unpack(UdpProxyConfig.class)
                .getMatcher()
                .getOnNoMatch()
                .getAction()
                .getTypedConfig()
                .unpack(Route.class)
                .getCluster();
        assertEquals(expected, cluster);
    }

    /** A port with thousands of chains on one wildcard certificate packs its TLS context once. */
    @Test
    void chainsServingTheSameCertificatesShareOneTlsContext() {
        Listener listener = ListenerResources.listener(new PortIr(
                443,
                PortIr.Transport.TCP,
                List.of(
                        new FilterChainIr.Http("a", List.of("a.example.com"), List.of("wildcard"), "https-443"),
                        new FilterChainIr.Http("b", List.of("b.example.com"), List.of("wildcard"), "https-443"),
                        new FilterChainIr.Http("c", List.of("c.example.org"), List.of("other"), "https-443"),
                        new FilterChainIr.Http(
                                "d",
                                List.of("d.example.com"),
                                List.of("wildcard"),
                                "https-443",
                                new FilterChainIr.ClientValidationIr("ca", false)))));
        assertSame(
                listener.getFilterChains(0).getTransportSocket(),
                listener.getFilterChains(1).getTransportSocket());
        assertNotSame(
                listener.getFilterChains(0).getTransportSocket(),
                listener.getFilterChains(2).getTransportSocket());
        assertNotSame(
                listener.getFilterChains(0).getTransportSocket(),
                listener.getFilterChains(3).getTransportSocket());
        assertEquals(
                List.of("envoy.filters.listener.tls_inspector"),
                listener.getListenerFiltersList().stream()
                        .map(ListenerFilter::getName)
                        .toList());
    }

    @Test
    void aPlainHttpPortNeedsNoTlsInspector() {
        Listener listener = ListenerResources.listener(new PortIr(
                80, PortIr.Transport.TCP, List.of(new FilterChainIr.Http("http", List.of(), List.of(), "http-80"))));
        assertEquals(0, listener.getListenerFiltersCount());
        assertFalse(listener.getFilterChains(0).hasTransportSocket());
    }

    /** Required client certificates are verified; the insecure fallback asks for one and lets any through. */
    @ParameterizedTest(name = "insecureFallback={0}")
    @CsvSource({"false, true, VERIFY_TRUST_CHAIN", "true, false, ACCEPT_UNTRUSTED"})
    void clientValidation(
            boolean insecureFallback, boolean required, CertificateValidationContext.TrustChainVerification trust)
            throws Exception {
        Listener listener = ListenerResources.listener(new PortIr(
                443,
                PortIr.Transport.TCP,
                List.of(new FilterChainIr.Http(
                        "a",
                        List.of("a.example.com"),
                        List.of("cert"),
                        "https-443",
                        new FilterChainIr.ClientValidationIr("ca", insecureFallback)))));
        DownstreamTlsContext tls = listener.getFilterChains(0)
                .getTransportSocket()
                .getTypedConfig()
                .unpack(DownstreamTlsContext.class);
        assertEquals(required, tls.getRequireClientCertificate().getValue());
        assertEquals(
                "ca",
                tls.getCommonTlsContext()
                        .getCombinedValidationContext()
                        .getValidationContextSdsSecretConfig()
                        .getName());
        assertEquals(
                trust,
                tls.getCommonTlsContext()
                        .getCombinedValidationContext()
                        .getDefaultValidationContext()
                        .getTrustChainVerification());
        assertEquals(List.of("h2", "http/1.1"), tls.getCommonTlsContext().getAlpnProtocolsList());
    }

    private static List<WeightedClusterIr> backends(String spec) {
        List<WeightedClusterIr> backends = new ArrayList<>();
        for (String backend : spec.split(",")) {
            String[] parts = backend.split(":");
            backends.add(WeightedClusterIr.of("-".equals(parts[0]) ? null : parts[0], Integer.parseInt(parts[1])));
        }
        return backends;
    }
}
