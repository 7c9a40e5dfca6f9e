package dev.gantry.xds;

import dev.gantry.pki.ProxyCertificateVerifier;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.time.Clock;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authenticates every call of the xDS server before any service sees it: the client certificate of the TLS
 * session must be a proxy credential of this Gantry's CA, valid now, for one Gateway. A call that fails is closed
 * with {@code UNAUTHENTICATED} and the reason, nothing else happens on it, and its connection is closed after it.
 * A call that passes carries its {@link #PROXY} in the gRPC context, for the ADS callbacks to hold the proxy to its
 * Gateway, and lives as a {@link ProxyStreams} stream, ended if its credential stops being good.
 */
final class ProxyAuthenticator implements ServerInterceptor {

    /** The authenticated proxy of the current call. */
    static final Context.Key<ProxyCertificateVerifier.Verdict.Accepted> PROXY = Context.key("gantry.proxy");

    private final ServingCertificate certificates;
    private final ProxyStreams streams;
    private final ProxyConnections connections;
    private final Clock clock;
    private final ShardMetrics.ForShard metrics;

    ProxyAuthenticator(
            ServingCertificate certificates,
            ProxyStreams streams,
            ProxyConnections connections,
            Clock clock,
            ShardMetrics.ForShard metrics) {
        this.certificates = certificates;
        this.streams = streams;
        this.connections = connections;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ProxyCertificateVerifier verifier = certificates.verifier();
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null || verifier == null) {
            return refuse(call, "no_tls", "xDS is served over TLS only");
        }
        Certificate[] presented;
        try {
            presented = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            presented = null;
        }
        ProxyCertificateVerifier.Verdict verdict = verifier.verify(presented, clock.instant());
        ProxyCertificateVerifier.Verdict.Accepted proxy;
        switch (verdict) {
            case ProxyCertificateVerifier.Verdict.Refused refused -> {
                return refuse(call, refused.reason().label(), refused.message());
            }
            case ProxyCertificateVerifier.Verdict.Accepted accepted -> proxy = accepted;
        }
        ProxyStreams.LiveStream<Q, R> stream = streams.open(proxy, call);
        if (stream == null) {
            return new ServerCall.Listener<>() {};
        }
        ServerCall.Listener<Q> delegate =
                Contexts.interceptCall(Context.current().withValue(PROXY, proxy), stream, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onComplete() {
                streams.closed(stream);
                // A stream the shard ended must still release the server's watches, as a cancelled one does.
                if (stream.endedByShard()) {
                    super.onCancel();
                } else {
                    super.onComplete();
                }
            }

            @Override
            public void onCancel() {
                streams.closed(stream);
                super.onCancel();
            }
        };
    }

    /** Refuses the call, and the connection after it: every call on it presents the same certificate. */
    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String reason, String message) {
        metrics.authFailure(reason);
        call.close(Status.UNAUTHENTICATED.withDescription(message), new Metadata());
        connections.close(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        return new ServerCall.Listener<>() {};
    }
}
