package dev.gantry.xds.client;

import dev.gantry.pki.Pem;
import dev.gantry.pki.PemException;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * What a proxy connects to a shard with, as the files of its credential Secret hold them: the CA the shard's
 * serving certificate must chain to ({@code ca.crt}) and, normally, its own certificate and key ({@code tls.crt},
 * {@code tls.key}). The TLS context is built once and shared by every connection made with these credentials.
 */
public final class ClientCredentials {

    private final String caPem;
    private final String certificatePem;
    private final String keyPem;
    private volatile SslContext context;

    /**
     * @param certificatePem the client certificate, or null to connect without one
     * @param keyPem its key, or null
     */
    public ClientCredentials(String caPem, String certificatePem, String keyPem) {
        this.caPem = caPem;
        this.certificatePem = certificatePem;
        this.keyPem = keyPem;
    }

    /** The TLS context of a connection: trusts the CA, presents the certificate when there is one. */
    SslContext sslContext() {
        SslContext built = context;
        if (built == null) {
            try {
                List<X509Certificate> trusted = Pem.parseCertificates(caPem);
                SslContextBuilder builder =
                        GrpcSslContexts.forClient().trustManager(trusted.toArray(X509Certificate[]::new));
                if (certificatePem != null) {
                    builder.keyManager(
                            Pem.parsePrivateKey(keyPem),
                            Pem.parseCertificates(certificatePem).toArray(X509Certificate[]::new));
                }
                built = builder.build();
            } catch (PemException | SSLException e) {
                throw new IllegalArgumentException("unusable xDS client credentials: " + e.getMessage(), e);
            }
            context = built;
        }
        return built;
    }
}
