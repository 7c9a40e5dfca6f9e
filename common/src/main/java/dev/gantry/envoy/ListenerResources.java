package dev.gantry.envoy;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.Matcher;
import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.WeightedClusterIr;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.UdpListenerConfig;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The LDS resource of a {@link PortIr}: a Listener with one filter chain per {@link FilterChainIr}, told apart by
 * SNI. An HTTP chain ends in an HTTP connection manager whose routes come over RDS, a TCP or TLS chain in a TCP
 * proxy, and a UDP port's chain in a UDP proxy listener filter; served certificates and client validation are a
 * downstream TLS context over SDS.
 */
final class ListenerResources {

    // The same in every HTTP filter chain: packed once rather than once per chain of a port with thousands.
    private static final HttpFilter CORS_FILTER = HttpFilter.newBuilder()
            .setName("envoy.filters.http.cors")
            .setTypedConfig(Any.pack(Cors.getDefaultInstance()))
            .build();
    private static final HttpFilter ROUTER_FILTER = HttpFilter.newBuilder()
            .setName("envoy.filters.http.router")
            .setTypedConfig(Any.pack(Router.getDefaultInstance()))
            .build();

    private ListenerResources() {}

    static Listener listener(PortIr port) {
        Listener.Builder listener = Listener.newBuilder()
                .setName(port.name())
                .setStatPrefix(port.name())
                .setAddress(Address.newBuilder()
                        .setSocketAddress(SocketAddress.newBuilder()
                                .setAddress("0.0.0.0")
                                .setPortValue(port.port())
                                .setProtocol(
                                        port.transport() == PortIr.Transport.UDP
                                                ? SocketAddress.Protocol.UDP
                                                : SocketAddress.Protocol.TCP)));
        if (port.transport() == PortIr.Transport.UDP) {
            listener.setUdpListenerConfig(UdpListenerConfig.getDefaultInstance());
            for (FilterChainIr chain : port.filterChains()) {
                if (chain instanceof FilterChainIr.UdpProxy udp) {
                    listener.addListenerFilters(ListenerFilter.newBuilder()
                            .setName("envoy.filters.udp_listener.udp_proxy")
                            .setTypedConfig(Any.pack(udpProxy(port, udp))));
                }
            }
            return listener.build();
        }
        boolean sni = port.filterChains().stream()
                .anyMatch(c -> !c.serverNames().isEmpty()
                        || c instanceof FilterChainIr.Http http
                                && !http.certificateSecrets().isEmpty()
                        || c instanceof FilterChainIr.TcpProxy tcp
                                && !tcp.certificateSecrets().isEmpty());
        if (sni) {
            listener.addListenerFilters(ListenerFilter.newBuilder()
                    .setName("envoy.filters.listener.tls_inspector")
                    .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())));
        }
        // Chains that serve the same certificates (a shared wildcard certificate: thousands of them) share one TLS
        // context, packed once.
        Map<TlsKey, TransportSocket> tlsBySecrets = new HashMap<>();
        for (FilterChainIr chain : port.filterChains()) {
            listener.addFilterChains(filterChain(port, chain, tlsBySecrets));
        }
        return listener.build();
    }

    /** What makes two chains' TLS contexts the same: the certificates served and how clients are validated. */
    private record TlsKey(List<String> secrets, FilterChainIr.ClientValidationIr clientValidation) {}

    private static FilterChain filterChain(
            PortIr port, FilterChainIr chain, Map<TlsKey, TransportSocket> tlsBySecrets) {
        FilterChain.Builder builder = FilterChain.newBuilder().setName(chain.name());
        if (!chain.serverNames().isEmpty()) {
            builder.setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(chain.serverNames()));
        }
        switch (chain) {
            case FilterChainIr.Http http -> {
                if (!http.certificateSecrets().isEmpty()) {
                    builder.setTransportSocket(tlsBySecrets.computeIfAbsent(
                            new TlsKey(http.certificateSecrets(), http.clientValidation()),
                            key -> downstreamTls(key.secrets(), List.of("h2", "http/1.1"), key.clientValidation())));
                }
                builder.addFilters(Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(httpConnectionManager(port, http))));
            }
            case FilterChainIr.TcpProxy tcp -> {
                if (!tcp.certificateSecrets().isEmpty()) {
                    builder.setTransportSocket(downstreamTls(tcp.certificateSecrets(), List.of(), null));
                }
                builder.addFilters(Filter.newBuilder()
                        .setName("envoy.filters.network.tcp_proxy")
                        .setTypedConfig(Any.pack(tcpProxy(port, tcp))));
            }
            case FilterChainIr.UdpProxy udp -> throw new IllegalArgumentException("UDP chains live on UDP listeners");
        }
        return builder.build();
    }

    /**
     * Downstream TLS with the given certificates and, when asked for, client certificate validation against a CA
     * served over SDS: required and verified (AllowValidOnly), or asked for but let through when missing or
     * untrusted (AllowInsecureFallback).
     */
    private static TransportSocket downstreamTls(
            List<String> secrets, List<String> alpn, FilterChainIr.ClientValidationIr clientValidation) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder().addAllAlpnProtocols(alpn);
        for (String secret : secrets) {
            common.addTlsCertificateSdsSecretConfigs(
                    SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(EnvoyTranslator.ADS));
        }
        DownstreamTlsContext.Builder context = DownstreamTlsContext.newBuilder();
        if (clientValidation != null) {
            CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
            if (clientValidation.insecureFallback()) {
                validation.setTrustChainVerification(
                        CertificateValidationContext.TrustChainVerification.ACCEPT_UNTRUSTED);
            }
            common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                    .setDefaultValidationContext(validation)
                    .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder()
                            .setName(clientValidation.caSecret())
                            .setSdsConfig(EnvoyTranslator.ADS)));
            context.setRequireClientCertificate(BoolValue.of(!clientValidation.insecureFallback()));
        }
        return TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(context.setCommonTlsContext(common).build()))
                .build();
    }

    private static HttpConnectionManager httpConnectionManager(PortIr port, FilterChainIr.Http http) {
        return HttpConnectionManager.newBuilder()
                .setStatPrefix(port.name() + "." + http.name())
                .setCodecType(HttpConnectionManager.CodecType.AUTO)
                .setRds(Rds.newBuilder().setConfigSource(EnvoyTranslator.ADS).setRouteConfigName(http.routeTable()))
                .addUpgradeConfigs(
                        HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
                .setNormalizePath(BoolValue.of(true))
                .setMergeSlashes(true)
                .setStripAnyHostPort(true)
                .setUseRemoteAddress(BoolValue.of(true))
                .addHttpFilters(CORS_FILTER)
                .addHttpFilters(ROUTER_FILTER)
                .build();
    }

    private static TcpProxy tcpProxy(PortIr port, FilterChainIr.TcpProxy tcp) {
        TcpProxy.Builder proxy = TcpProxy.newBuilder().setStatPrefix(port.name() + "." + tcp.name());
        List<WeightedClusterIr> resolved =
                tcp.backends().stream().filter(WeightedClusterIr::resolved).toList();
        int unresolvedWeight = tcp.backends().stream()
                .filter(b -> !b.resolved())
                .mapToInt(WeightedClusterIr::weight)
                .sum();
        if (resolved.size() == 1 && unresolvedWeight == 0) {
            proxy.setCluster(resolved.getFirst().cluster());
        } else if (resolved.isEmpty()) {
            // Nothing to forward to: connections are closed at once, as for an unknown cluster.
            proxy.setCluster(EnvoyTranslator.UNRESOLVED_BACKEND);
        } else {
            TcpProxy.WeightedCluster.Builder weighted = TcpProxy.WeightedCluster.newBuilder();
            for (WeightedClusterIr backend : tcp.backends()) {
                weighted.addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                        .setName(backend.resolved() ? backend.cluster() : EnvoyTranslator.UNRESOLVED_BACKEND)
                        .setWeight(backend.weight()));
            }
            proxy.setWeightedClusters(weighted);
        }
        return proxy.build();
    }

    /** Envoy's UDP proxy routes a session to one cluster: the heaviest resolved backend. */
    private static UdpProxyConfig udpProxy(PortIr port, FilterChainIr.UdpProxy udp) {
        String cluster = udp.backends().stream()
                .filter(WeightedClusterIr::resolved)
                .max(Comparator.comparingInt(WeightedClusterIr::weight))
                .map(WeightedClusterIr::cluster)
                .orElse(EnvoyTranslator.UNRESOLVED_BACKEND);
        var route = Route.newBuilder().setCluster(cluster).build();
        var matcher = Matcher.newBuilder()
                .setOnNoMatch(Matcher.OnMatch.newBuilder()
                        .setAction(TypedExtensionConfig.newBuilder()
                                .setName("route")
                                .setTypedConfig(Any.pack(route))))
                .build();
        return UdpProxyConfig.newBuilder()
                .setStatPrefix(port.name() + "." + udp.name())
                .setMatcher(matcher)
                .build();
    }
}
