package dev.gantry.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import dev.gantry.ir.ClusterIr;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/**
 * The CDS and EDS resources of a {@link ClusterIr}: an EDS cluster for a Service (its endpoints in a
 * ClusterLoadAssignment of their own), a STRICT_DNS cluster for an ExternalName Service, with HTTP/2 and upstream
 * TLS when the backend asks for them.
 */
final class ClusterResources {

    private static final Duration CONNECT_TIMEOUT =
            Duration.newBuilder().setSeconds(5).build();
    private static final String SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

    private ClusterResources() {}

    static Cluster cluster(ClusterIr ir) {
        Cluster.Builder cluster = Cluster.newBuilder().setName(ir.name()).setConnectTimeout(CONNECT_TIMEOUT);
        if (ir.discovery() == ClusterIr.Discovery.ENDPOINTS) {
            cluster.setType(Cluster.DiscoveryType.EDS)
                    .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(EnvoyTranslator.ADS));
        } else {
            cluster.setType(Cluster.DiscoveryType.STRICT_DNS)
                    .setLoadAssignment(ClusterLoadAssignment.newBuilder()
                            .setClusterName(ir.name())
                            .addEndpoints(LocalityLbEndpoints.newBuilder()
                                    .addLbEndpoints(lbEndpoint(ir.dnsName(), ir.dnsPort()))));
        }
        if (ir.protocol() == ClusterIr.UpstreamProtocol.HTTP2) {
            HttpProtocolOptions options = HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build();
            cluster.putTypedExtensionProtocolOptions(
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Any.pack(options));
        }
        if (ir.tls() != null) {
            cluster.setTransportSocket(upstreamTls(ir.tls()));
        }
        return cluster.build();
    }

    private static TransportSocket upstreamTls(ClusterIr.UpstreamTlsIr tls) {
        CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
        if (tls.subjectAltNames().isEmpty()) {
            validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.DNS)
                    .setMatcher(StringMatcher.newBuilder().setExact(tls.sni())));
        }
        for (ClusterIr.SanIr san : tls.subjectAltNames()) {
            validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                    .setSanType(san.uri() ? SubjectAltNameMatcher.SanType.URI : SubjectAltNameMatcher.SanType.DNS)
                    .setMatcher(StringMatcher.newBuilder().setExact(san.value())));
        }
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
        if (tls.caSecret() != null) {
            common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                    .setDefaultValidationContext(validation)
                    .setValidationContextSdsSecretConfig(
                            SdsSecretConfig.newBuilder().setName(tls.caSecret()).setSdsConfig(EnvoyTranslator.ADS)));
        } else {
            validation.setTrustedCa(DataSource.newBuilder().setFilename(SYSTEM_CA_BUNDLE));
            common.setValidationContext(validation);
        }
        return TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(UpstreamTlsContext.newBuilder()
                        .setSni(tls.sni())
                        .setCommonTlsContext(common)
                        .build()))
                .build();
    }

    static ClusterLoadAssignment loadAssignment(ClusterIr ir) {
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
        for (ClusterIr.EndpointIr endpoint : ir.endpoints()) {
            locality.addLbEndpoints(lbEndpoint(endpoint.address(), endpoint.port()));
        }
        ClusterLoadAssignment.Builder assignment =
                ClusterLoadAssignment.newBuilder().setClusterName(ir.name());
        if (!ir.endpoints().isEmpty()) {
            assignment.addEndpoints(locality);
        }
        return assignment.build();
    }

    private static LbEndpoint lbEndpoint(String address, int port) {
        return LbEndpoint.newBuilder()
                .setEndpoint(Endpoint.newBuilder()
                        .setAddress(Address.newBuilder()
                                .setSocketAddress(SocketAddress.newBuilder()
                                        .setAddress(address)
                                        .setPortValue(port))))
                .build();
    }
}
