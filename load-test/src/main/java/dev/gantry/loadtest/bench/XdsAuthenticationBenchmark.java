package dev.gantry.loadtest.bench;

import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CertificateAuthority;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.pki.ProxyCertificateVerifier;
import dev.gantry.pki.ProxyIdentity;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What authenticating a proxy costs: the check of a presented credential at each call ({@link #verifyCredential}),
 * and a whole TLS handshake with a client certificate, both ends in one thread over memory ({@link #handshake}:
 * ECDHE, the shard's and the proxy's ECDSA P-256 signatures and their verification), with BoringSSL (what shards
 * use on Linux) or the JDK's TLS (elsewhere). A new connection pays one handshake; each stream one check.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class XdsAuthenticationBenchmark {

    @Param({"OPENSSL", "JDK"})
    public String provider;

    @Param({"TLSv1.3", "TLSv1.2"})
    public String protocol;

    /** More than the JDK's certificate factory (750) and the verifier (16,384) keep. */
    private static final int DISTINCT = 20_000;

    private byte[] encoded;
    private byte[][] distinct;
    private int next;
    private CertificateFactory certificates;
    private ProxyCertificateVerifier verifier;
    private SslContext shard;
    private SslContext proxy;
    private Instant now;

    @Setup
    public void setUp() throws Exception {
        now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("Gantry xDS CA", now, Duration.ofDays(3650));
        KeyedCertificate credential = ca.issueProxy(
                new ProxyIdentity(new ObjectKey("infra", "shared"), "0b8f1c2e-5d6a-4b7e-9f10-112233445566"),
                now,
                Duration.ofHours(24));
        KeyedCertificate serving = ca.issueServing(List.of("localhost", "127.0.0.1"), now, Duration.ofDays(30));
        encoded = credential.leaf().getEncoded();
        distinct = new byte[DISTINCT][];
        for (int i = 0; i < DISTINCT; i++) {
            distinct[i] = ca.issueProxy(
                            new ProxyIdentity(new ObjectKey("team-" + i, "gateway"), "uid-" + i),
                            now,
                            Duration.ofHours(24))
                    .leaf()
                    .getEncoded();
        }
        certificates = CertificateFactory.getInstance("X.509");
        verifier = new ProxyCertificateVerifier(List.of(ca.certificate()));
        SslProvider tls = SslProvider.valueOf(provider);
        if (tls == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("BoringSSL is not available here: " + OpenSsl.unavailabilityCause());
        }
        shard = SslContextBuilder.forServer(serving.key(), serving.chain().toArray(X509Certificate[]::new))
                .trustManager(new AcceptAny())
                .clientAuth(ClientAuth.OPTIONAL)
                .sslProvider(tls)
                .protocols(protocol)
                .build();
        proxy = SslContextBuilder.forClient()
                .keyManager(credential.key(), credential.chain().toArray(X509Certificate[]::new))
                .trustManager(ca.certificate())
                .sslProvider(tls)
                .protocols(protocol)
                .endpointIdentificationAlgorithm(null)
                .build();
    }

    /**
     * The check of a credential as a new connection presents it, read from its encoding, when it was checked before
     * (the replicas of a Gateway share one credential, and a proxy reconnects with the same one): the verifier keeps
     * what does not depend on the time.
     */
    @Benchmark
    public Object verifyCredential() throws Exception {
        X509Certificate read = (X509Certificate) certificates.generateCertificate(new ByteArrayInputStream(encoded));
        return verifier.verify(new X509Certificate[] {read}, now);
    }

    /** The same for a credential not seen lately (more distinct ones than are kept): the CA's signature is checked. */
    @Benchmark
    public Object verifyUnseenCredential() throws Exception {
        X509Certificate read = (X509Certificate)
                certificates.generateCertificate(new ByteArrayInputStream(distinct[next++ % distinct.length]));
        return verifier.verify(new X509Certificate[] {read}, now);
    }

    /** One full handshake with a client certificate, both ends (no session resumption). */
    @Benchmark
    public Object handshake() throws SSLException {
        // No peer address: a client session cache is keyed by it, so no handshake resumes an earlier session and every
        // one is a full one. (The proxy's check of the shard's name, a string comparison, is left out with it.)
        SSLEngine client = proxy.newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine server = shard.newEngine(ByteBufAllocator.DEFAULT);
        try {
            return handshake(client, server);
        } finally {
            ReferenceCountUtil.release(client);
            ReferenceCountUtil.release(server);
        }
    }

    private static Object handshake(SSLEngine client, SSLEngine server) throws SSLException {
        int size = Math.max(
                client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(size * 4);
        ByteBuffer toClient = ByteBuffer.allocate(size * 4);
        ByteBuffer clientIn = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 2);
        ByteBuffer serverIn = ByteBuffer.allocate(server.getSession().getApplicationBufferSize() * 2);
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        boolean clientDone = false;
        boolean serverDone = false;
        // Each turn both ends write what they have, then read what the other wrote (as netty's own engine tests do).
        for (int round = 0; round < 200 && !(clientDone && serverDone); round++) {
            clientDone |= finished(client, client.wrap(empty, toServer));
            serverDone |= finished(server, server.wrap(empty, toClient));
            toServer.flip();
            toClient.flip();
            clientDone |= finished(client, client.unwrap(toClient, clientIn));
            serverDone |= finished(server, server.unwrap(toServer, serverIn));
            toServer.compact();
            toClient.compact();
            clientIn.clear();
            serverIn.clear();
        }
        if (!clientDone || !serverDone) {
            throw new IllegalStateException("the handshake did not finish");
        }
        return server.getSession().getPeerCertificates()[0];
    }

    /** Runs what the engine handed over, and tells whether this step finished its handshake. */
    private static boolean finished(SSLEngine engine, SSLEngineResult result) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
        return result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /** The shard's TLS layer takes any client certificate; the credential check comes after (verifyCredential). */
    private static final class AcceptAny extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
