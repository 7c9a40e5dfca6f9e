package dev.gantry.xds.client;

import dev.gantry.xds.client.AdsClient.Transport;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's connection to a shard: the channel (plaintext, or TLS with the proxy's credentials, asked again at
 * every reconnect), how each stream ended, and, like Envoy, reconnecting after a short back-off when the server ends
 * one.
 */
final class Connection {

    /** How long after a stream ended a reconnect starts, as Envoy backs off before it retries. */
    private static final long RECONNECT_BACK_OFF_MILLIS = 100;

    private final String host;
    private final int port;
    private final Transport transport;
    private final Runnable reconnect;
    private ManagedChannel channel;
    private volatile CompletableFuture<Status> closed = new CompletableFuture<>();
    private volatile boolean autoReconnect;
    private volatile boolean shutDown;
    private final AtomicLong reconnects = new AtomicLong();

    /** @param reconnect opens a new stream, when reconnecting automatically */
    Connection(String host, int port, Transport transport, Runnable reconnect) {
        this.host = host;
        this.port = port;
        this.transport = transport;
        this.reconnect = reconnect;
        this.channel = channel(host, port, transport);
    }

    private static ManagedChannel channel(String host, int port, Transport transport) {
        // Responses are handled where they are read, as Envoy's main thread does: no hand-off to another thread per
        // message, which for a fleet of simulated proxies in one process costs more than handling the message.
        NettyChannelBuilder builder =
                NettyChannelBuilder.forAddress(host, port).directExecutor().maxInboundMessageSize(64 * 1024 * 1024);
        switch (transport) {
            case Transport.Plaintext plaintext -> builder.usePlaintext();
            case Transport.Tls tls -> {
                builder.sslContext(tls.credentials().get().sslContext());
                if (tls.authority() != null) {
                    builder.overrideAuthority(tls.authority());
                }
            }
        }
        return builder.build();
    }

    /** A stub for the streams of the current channel. */
    AggregatedDiscoveryServiceStub stub() {
        return AggregatedDiscoveryServiceGrpc.newStub(channel);
    }

    void autoReconnect(boolean enabled) {
        this.autoReconnect = enabled;
    }

    long reconnects() {
        return reconnects.get();
    }

    /** Completes with the current stream's final status when the server ends it. */
    CompletableFuture<Status> closed() {
        return closed;
    }

    /** A stream ended: says how, and reconnects after the back-off when asked to and not shut down. */
    void streamEnded(Status status) {
        CompletableFuture<Status> ended = closed;
        ended.complete(status);
        if (autoReconnect && !shutDown) {
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(RECONNECT_BACK_OFF_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                if (!shutDown) {
                    reconnect.run();
                }
            });
        }
    }

    /**
     * Replaces the channel by a new one (with the credentials of now) for the next stream, and counts a reconnect
     * (caller locks).
     */
    void renew() {
        ManagedChannel old = channel;
        old.shutdownNow();
        channel = channel(host, port, transport);
        closed = new CompletableFuture<>();
        reconnects.incrementAndGet();
    }

    /**
     * Shuts down for good: no reconnect from now on, the streams are ended, then the channel is closed.
     *
     * @param endStreams ends the streams from the client's side
     */
    void close(Runnable endStreams) {
        shutDown = true;
        endStreams.run();
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
