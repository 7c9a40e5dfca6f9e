package dev.gantry.envoy;

import dev.gantry.ir.SecretIr;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;

/**
 * The SDS resources of a {@link SecretIr}: a certificate and its key that a listener serves, or a CA bundle that
 * client or backend certificates are validated against. The PEM goes inline: the listeners and clusters name the
 * secret, never its contents.
 */
final class SecretResources {

    private SecretResources() {}

    static Secret secret(SecretIr ir) {
        return switch (ir) {
            case SecretIr.Certificate certificate ->
                Secret.newBuilder()
                        .setName(certificate.name())
                        .setTlsCertificate(TlsCertificate.newBuilder()
                                .setCertificateChain(
                                        DataSource.newBuilder().setInlineString(certificate.certificateChainPem()))
                                .setPrivateKey(DataSource.newBuilder().setInlineString(certificate.privateKeyPem())))
                        .build();
            case SecretIr.TrustedCa ca ->
                Secret.newBuilder()
                        .setName(ca.name())
                        .setValidationContext(CertificateValidationContext.newBuilder()
                                .setTrustedCa(DataSource.newBuilder().setInlineString(ca.caPem())))
                        .build();
        };
    }
}
