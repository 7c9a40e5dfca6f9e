package dev.gantry.xds;

import dev.gantry.model.ObjectKey;
import dev.gantry.pki.ProxyCertificateVerifier;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The authenticated xDS streams of a shard, by Gateway. A stream lives only while its credential is good: it ends
 * with {@code UNAUTHENTICATED} when its certificate expires, when its Gateway is deleted (or replaced by one of the
 * same name), or when its certificate is revoked, and its connection is closed after it. A stream opened before the shard's informers have listed
 * cannot be checked against the cluster yet: it waits, and nothing is sent to it, until they have.
 */
final class ProxyStreams {

    private final Function<ProxyCertificateVerifier.Verdict.Accepted, ProxyAuthorization.Refusal> authorization;
    private final Consumer<SocketAddress> closeConnection;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final ShardMetrics.ForShard metrics;
    private final Map<ObjectKey, Set<LiveStream<?, ?>>> byGateway = new ConcurrentHashMap<>();
    private volatile boolean synced;

    /**
     * @param authorization whether an authenticated credential is good by the cluster's current state (null: yes)
     * @param closeConnection closes the connection of a proxy whose credential was refused
     * @param timer ends streams whose certificate expires
     */
    ProxyStreams(
            Function<ProxyCertificateVerifier.Verdict.Accepted, ProxyAuthorization.Refusal> authorization,
            Consumer<SocketAddress> closeConnection,
            ScheduledExecutorService timer,
            Clock clock,
            ShardMetrics.ForShard metrics) {
        this.authorization = authorization;
        this.closeConnection = closeConnection;
        this.timer = timer;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Registers a stream of an authenticated proxy and wraps its call.
     *
     * @return the wrapped call, or null when the credential is refused (the call is then closed)
     */
    <Q, R> LiveStream<Q, R> open(ProxyCertificateVerifier.Verdict.Accepted proxy, ServerCall<Q, R> call) {
        LiveStream<Q, R> stream = new LiveStream<>(call, proxy);
        byGateway
                .computeIfAbsent(proxy.identity().gateway(), k -> ConcurrentHashMap.newKeySet())
                .add(stream);
        long untilExpiry = Duration.between(clock.instant(), proxy.notAfter()).toMillis();
        stream.expiry = timer.schedule(
                () -> end(
                        stream,
                        "expired",
                        "the client certificate expired at " + proxy.notAfter()
                                + "; the proxy must reconnect with its renewed credential"),
                Math.max(0, untilExpiry),
                TimeUnit.MILLISECONDS);
        if (synced && !resolve(stream, true)) {
            return null;
        }
        return stream;
    }

    /** The informers have listed: the waiting streams are checked, and from now on every stream at once. */
    void markSynced() {
        synced = true;
        recheckAll();
    }

    /** Checks again the streams of a Gateway whose Gateway or credential Secret changed. */
    void recheck(ObjectKey gateway) {
        if (!synced) {
            return;
        }
        Set<LiveStream<?, ?>> streams = byGateway.get(gateway);
        if (streams != null) {
            for (LiveStream<?, ?> stream : List.copyOf(streams)) {
                resolve(stream, false);
            }
        }
    }

    void recheckAll() {
        for (ObjectKey gateway : List.copyOf(byGateway.keySet())) {
            recheck(gateway);
        }
    }

    /** Streams open now (waiting ones included). */
    int size() {
        return byGateway.values().stream().mapToInt(Set::size).sum();
    }

    /** Checks one stream: admits a waiting one, or ends it; true when it may go on. */
    private boolean resolve(LiveStream<?, ?> stream, boolean atStart) {
        ProxyAuthorization.Refusal refusal = authorization.apply(stream.proxy);
        if (refusal == null) {
            stream.admit();
            return true;
        }
        if (atStart) {
            metrics.authFailure(refusal.reason());
            closed(stream);
            stream.end(Status.UNAUTHENTICATED.withDescription(refusal.message()));
            closeConnection.accept(stream.remote());
        } else {
            end(stream, refusal.reason(), refusal.message());
        }
        return false;
    }

    private void end(LiveStream<?, ?> stream, String reason, String message) {
        if (stream.end(Status.UNAUTHENTICATED.withDescription(message))) {
            metrics.streamEnded(reason);
        }
        closed(stream);
        closeConnection.accept(stream.remote());
    }

    /** Forgets a stream that ended, however it ended. */
    void closed(LiveStream<?, ?> stream) {
        ScheduledFuture<?> expiry = stream.expiry;
        if (expiry != null) {
            expiry.cancel(false);
        }
        ObjectKey gateway = stream.proxy.identity().gateway();
        byGateway.computeIfPresent(gateway, (k, streams) -> {
            streams.remove(stream);
            return streams.isEmpty() ? null : streams;
        });
    }

    /**
     * A call whose sends and close are serialized, so the shard can end it from another thread, and whose sends wait
     * while its credential has not been checked against the cluster.
     */
    static final class LiveStream<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        final ProxyCertificateVerifier.Verdict.Accepted proxy;
        private final Queue<R> waiting = new ArrayDeque<>();
        private boolean admitted;
        private boolean closed;
        private volatile boolean ended;
        volatile ScheduledFuture<?> expiry;

        LiveStream(ServerCall<Q, R> call, ProxyCertificateVerifier.Verdict.Accepted proxy) {
            super(call);
            this.proxy = proxy;
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (closed) {
                return;
            }
            if (!admitted) {
                waiting.add(message);
                return;
            }
            super.sendMessage(message);
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                waiting.clear();
                super.close(status, trailers);
            }
        }

        synchronized void admit() {
            if (admitted || closed) {
                return;
            }
            admitted = true;
            for (R message = waiting.poll(); message != null; message = waiting.poll()) {
                super.sendMessage(message);
            }
        }

        /** Ends the stream with this status unless it already ended; true when this call ended it. */
        synchronized boolean end(Status status) {
            if (closed) {
                return false;
            }
            closed = true;
            ended = true;
            waiting.clear();
            super.close(status, new Metadata());
            return true;
        }

        /** The proxy's address (its connection's). */
        SocketAddress remote() {
            return getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        }

        /** Whether the shard ended the stream (rather than the proxy or the ADS service). */
        boolean endedByShard() {
            return ended;
        }
    }
}
