package dev.gantry.xds;

import dev.gantry.pki.KeyedCertificate;
import dev.gantry.pki.ProxyCertificateVerifier;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The shard's serving certificate and the CA certificates proxies' credentials must chain to, both replaceable
 * while the server runs: a renewed certificate serves the next handshake, and connections already open keep
 * theirs. Until the first is loaded, no handshake completes.
 */
final class ServingCertificate extends X509ExtendedKeyManager {

    private static final String ALIAS = "gantry-xds";

    /** What is served now, swapped as one. */
    private record Loaded(KeyedCertificate serving, List<X509Certificate> trusted, ProxyCertificateVerifier verifier) {}

    private volatile Loaded loaded;

    /** Serves this certificate from the next handshake on, and checks credentials against these CAs. */
    void load(KeyedCertificate serving, List<X509Certificate> trusted) {
        loaded = new Loaded(serving, List.copyOf(trusted), new ProxyCertificateVerifier(trusted));
    }

    boolean loaded() {
        return loaded != null;
    }

    /** The serving certificate, or null before one is loaded. */
    KeyedCertificate serving() {
        Loaded current = loaded;
        return current == null ? null : current.serving();
    }

    /** The check of proxy credentials against the current CAs, or null before they are loaded. */
    ProxyCertificateVerifier verifier() {
        Loaded current = loaded;
        return current == null ? null : current.verifier();
    }

    /** The CAs proxies' credentials must chain to (none before loading). */
    List<X509Certificate> trusted() {
        Loaded current = loaded;
        return current == null ? List.of() : current.trusted();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return chooseServerAlias(keyType, issuers, null);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Loaded current = loaded;
        return current != null && current.serving().key().getAlgorithm().equals(keyType) ? ALIAS : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Loaded current = loaded;
        return current == null || !ALIAS.equals(alias)
                ? null
                : current.serving().chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Loaded current = loaded;
        return current == null || !ALIAS.equals(alias)
                ? null
                : current.serving().key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = chooseServerAlias(keyType, issuers, null);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
