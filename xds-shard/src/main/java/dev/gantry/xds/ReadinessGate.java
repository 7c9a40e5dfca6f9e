package dev.gantry.xds;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounds how long a stream opened before the shard is ready waits. Such a stream gets nothing until its
 * Gateway's full snapshot exists (the cache holds it); if the shard is still not ready when the bound passes,
 * the stream ends with {@code UNAVAILABLE} so Envoy retries, instead of waiting forever on a stuck shard.
 */
final class ReadinessGate implements ServerInterceptor {

    private final BooleanSupplier ready;
    private final Supplier<String> why;
    private final Duration hold;
    private final ScheduledExecutorService timer;
    private final Runnable onTimeout;

    ReadinessGate(
            BooleanSupplier ready,
            Supplier<String> why,
            Duration hold,
            ScheduledExecutorService timer,
            Runnable onTimeout) {
        this.ready = ready;
        this.why = why;
        this.hold = hold;
        this.timer = timer;
        this.onTimeout = onTimeout;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (ready.getAsBoolean()) {
            return next.startCall(call, headers);
        }
        GatedCall<Q, R> gated = new GatedCall<>(call);
        ServerCall.Listener<Q> delegate = next.startCall(gated, headers);
        timer.schedule(
                () -> {
                    if (!ready.getAsBoolean()
                            && gated.endUnavailable("xds-shard is not ready after " + hold.toSeconds() + " s ("
                                    + why.get() + "); retry")) {
                        onTimeout.run();
                    }
                },
                hold.toMillis(),
                TimeUnit.MILLISECONDS);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                if (!gated.endedByGate()) {
                    super.onMessage(message);
                }
            }

            @Override
            public void onHalfClose() {
                if (!gated.endedByGate()) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onComplete() {
                // A stream the gate ended must still release the server's watches, as a cancelled one does.
                if (gated.endedByGate()) {
                    super.onCancel();
                } else {
                    super.onComplete();
                }
            }
        };
    }

    /** A call whose sends and close are serialized, so the gate can end it from its timer thread. */
    private static final class GatedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private boolean closed;
        private volatile boolean endedByGate;

        GatedCall(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                super.close(status, trailers);
            }
        }

        synchronized boolean endUnavailable(String message) {
            if (closed) {
                return false;
            }
            closed = true;
            endedByGate = true;
            super.close(Status.UNAVAILABLE.withDescription(message), new Metadata());
            return true;
        }

        boolean endedByGate() {
            return endedByGate;
        }
    }
}
