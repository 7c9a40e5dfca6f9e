package dev.gantry.xds;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AsciiString;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The connections of the xDS port, by the address of the proxy at the other end. A refused credential is refused
 * for the whole connection (every stream on it presents the same certificate), and a proxy retries on the
 * connection it has: closing it makes the proxy connect again, with the credential it holds now, instead of
 * retrying a dead one until the connection's maximum age.
 */
final class ProxyConnections {

    /** Long enough for the refusal's status to go out first. */
    private static final long CLOSE_AFTER_MILLIS = 100;

    private final Map<SocketAddress, Channel> open = new ConcurrentHashMap<>();

    /** gRPC's TLS negotiator, with each connection it handles recorded here until it closes. */
    InternalProtocolNegotiator.ProtocolNegotiator recording(InternalProtocolNegotiator.ProtocolNegotiator tls) {
        return new InternalProtocolNegotiator.ProtocolNegotiator() {
            @Override
            public AsciiString scheme() {
                return tls.scheme();
            }

            @Override
            public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
                ChannelHandler negotiation = tls.newHandler(grpcHandler);
                return new ChannelHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext context) {
                        Channel channel = context.channel();
                        SocketAddress remote = channel.remoteAddress();
                        if (remote != null) {
                            open.put(remote, channel);
                            channel.closeFuture().addListener(closed -> open.remove(remote, channel));
                        }
                        context.pipeline().replace(this, null, negotiation);
                    }
                };
            }

            @Override
            public void close() {
                tls.close();
            }
        };
    }

    /** Closes the connection from this address, a moment after what was written on it last. */
    void close(SocketAddress remote) {
        Channel channel = remote == null ? null : open.get(remote);
        if (channel != null) {
            channel.eventLoop().schedule(() -> channel.close(), CLOSE_AFTER_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Connections open now. */
    int size() {
        return open.size();
    }
}
