package dev.gantry.xds;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Lets a TLS handshake finish whatever client certificate is presented, or none, so that the refusal reaches the
 * proxy as a gRPC status ({@code UNAUTHENTICATED} with the reason) instead of a bare TLS alert. The handshake
 * still proves the client holds the key of the certificate it presents; {@link ProxyAuthenticator} checks that
 * certificate before a call reaches the ADS service, and refuses every call whose certificate does not pass.
 */
final class DeferredClientTrust extends X509ExtendedTrustManager {

    private static final X509Certificate[] NONE = new X509Certificate[0];

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("an xds-shard never connects to a TLS server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("an xds-shard never connects to a TLS server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("an xds-shard never connects to a TLS server");
    }

    /** No CA names in the request: a proxy sends its credential whatever CA it believes in. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
