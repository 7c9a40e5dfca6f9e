package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.gantry.envoy.EnvoyJson;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.model.ObjectKey;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bootstraps parse as Envoy's own messages (strictly: no unknown field) and pass Envoy's field rules. */
class EnvoyBootstrapTest {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final ObjectKey GATEWAY = new ObjectKey("infra", "shared");

    @Test
    void aProvisionedProxyDialsItsShardByNameOverTlsWithItsCredential() throws Exception {
        String host = "gantry-xds-shard-1.gantry-xds-shards.gantry-system.svc.cluster.local";
        Map<String, String> files = EnvoyBootstrap.files(
                "bootstrap.yaml",
                GATEWAY,
                null,
                host,
                18000,
                new EnvoyBootstrap.Paths("/etc/envoy", "/etc/gantry/xds"));
        assertEquals(
                List.of("bootstrap.yaml", EnvoyBootstrap.SDS_CERTIFICATE, EnvoyBootstrap.SDS_VALIDATION),
                List.copyOf(files.keySet()));
        Bootstrap bootstrap = parse(files.get("bootstrap.yaml"), Bootstrap.newBuilder());
        assertEquals(
                "infra/shared",
                bootstrap
                        .getNode()
                        .getMetadata()
                        .getFieldsOrThrow("gantry.dev/gateway")
                        .getStringValue());
        assertEquals("", bootstrap.getNode().getId(), "the pod name comes on the command line");
        Cluster xds = bootstrap.getStaticResources().getClusters(0);
        assertEquals(Cluster.DiscoveryType.STRICT_DNS, xds.getType());
        UpstreamTlsContext tls = xds.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        assertEquals(host, tls.getSni());
        // Envoy's clients stop at TLS 1.2 unless told otherwise.
        assertEquals(
                TlsParameters.TlsProtocol.TLSv1_3,
                tls.getCommonTlsContext().getTlsParams().getTlsMaximumProtocolVersion());
        assertEquals(
                "/etc/envoy/" + EnvoyBootstrap.SDS_CERTIFICATE,
                tls.getCommonTlsContext()
                        .getTlsCertificateSdsSecretConfigs(0)
                        .getSdsConfig()
                        .getPathConfigSource()
                        .getPath());
        assertEquals(
                "/etc/envoy",
                tls.getCommonTlsContext()
                        .getValidationContextSdsSecretConfig()
                        .getSdsConfig()
                        .getPathConfigSource()
                        .getWatchedDirectory()
                        .getPath());
        assertValid(xds);

        Secret certificate = sds(files.get(EnvoyBootstrap.SDS_CERTIFICATE));
        assertEquals("gantry-xds-client", certificate.getName());
        assertEquals(
                "/etc/gantry/xds/tls.crt",
                certificate.getTlsCertificate().getCertificateChain().getFilename());
        assertEquals(
                "/etc/gantry/xds/tls.key",
                certificate.getTlsCertificate().getPrivateKey().getFilename());
        assertEquals(
                "/etc/gantry/xds",
                certificate.getTlsCertificate().getWatchedDirectory().getPath());
        assertValid(certificate);
        Secret validation = sds(files.get(EnvoyBootstrap.SDS_VALIDATION));
        CertificateValidationContext context = validation.getValidationContext();
        assertEquals("/etc/gantry/xds/ca.crt", context.getTrustedCa().getFilename());
        assertEquals(
                SubjectAltNameMatcher.SanType.DNS,
                context.getMatchTypedSubjectAltNames(0).getSanType());
        assertEquals(host, context.getMatchTypedSubjectAltNames(0).getMatcher().getExact());
        assertValid(validation);
    }

    @Test
    void aLocalProxyDialsLoopbackAndChecksTheAddress() throws Exception {
        Map<String, String> files = EnvoyBootstrap.files(
                "envoy.yaml",
                GATEWAY,
                "local-envoy",
                "127.0.0.1",
                18000,
                new EnvoyBootstrap.Paths("/tmp/proxies/infra/shared", "/tmp/proxies/infra/shared"));
        Bootstrap bootstrap = parse(files.get("envoy.yaml"), Bootstrap.newBuilder());
        assertEquals("local-envoy", bootstrap.getNode().getId());
        Cluster xds = bootstrap.getStaticResources().getClusters(0);
        assertEquals(Cluster.DiscoveryType.STATIC, xds.getType());
        assertEquals(
                "",
                xds.getTransportSocket()
                        .getTypedConfig()
                        .unpack(UpstreamTlsContext.class)
                        .getSni());
        CertificateValidationContext context =
                sds(files.get(EnvoyBootstrap.SDS_VALIDATION)).getValidationContext();
        assertEquals(
                SubjectAltNameMatcher.SanType.IP_ADDRESS,
                context.getMatchTypedSubjectAltNames(0).getSanType());
        assertEquals(
                "127.0.0.1",
                context.getMatchTypedSubjectAltNames(0).getMatcher().getExact());
    }

    @Test
    void theUnsafeOptOutConnectsInPlaintext() throws Exception {
        Map<String, String> files = EnvoyBootstrap.files("bootstrap.yaml", GATEWAY, null, "127.0.0.1", 18000, null);
        assertEquals(List.of("bootstrap.yaml"), List.copyOf(files.keySet()));
        Bootstrap bootstrap = parse(files.get("bootstrap.yaml"), Bootstrap.newBuilder());
        assertFalse(bootstrap.getStaticResources().getClusters(0).hasTransportSocket());
        assertTrue(bootstrap.getStaticResources().getListeners(0).getName().equals("gantry-readiness"));
    }

    private static Secret sds(String yaml) throws Exception {
        DiscoveryResponse response = parse(yaml, DiscoveryResponse.newBuilder());
        assertEquals(1, response.getResourcesCount());
        return response.getResources(0).unpack(Secret.class);
    }

    private static void assertValid(Message message) {
        assertEquals(List.of(), new EnvoyValidator().validate(message));
    }

    @SuppressWarnings("unchecked")
    private static <T extends Message> T parse(String yaml, Message.Builder builder) throws Exception {
        Object tree = YAML.unmarshal(yaml, Map.class);
        JsonFormat.parser().usingTypeRegistry(EnvoyJson.TYPES).merge(YAML.asJson(tree), builder);
        return (T) builder.build();
    }
}
