package dev.gantry.envoy;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;

/** JSON rendering of Envoy resources with every {@code typed_config} Gantry emits unpacked. */
public final class EnvoyJson {

    /** The default instance of every message type Gantry packs into {@code google.protobuf.Any}. */
    public static final List<Message> PACKED_MESSAGES = List.of(
            HttpConnectionManager.getDefaultInstance(),
            Router.getDefaultInstance(),
            Cors.getDefaultInstance(),
            CorsPolicy.getDefaultInstance(),
            TlsInspector.getDefaultInstance(),
            TcpProxy.getDefaultInstance(),
            UdpProxyConfig.getDefaultInstance(),
            Route.getDefaultInstance(),
            DownstreamTlsContext.getDefaultInstance(),
            UpstreamTlsContext.getDefaultInstance(),
            HttpProtocolOptions.getDefaultInstance(),
            Listener.getDefaultInstance(),
            RouteConfiguration.getDefaultInstance(),
            Cluster.getDefaultInstance(),
            ClusterLoadAssignment.getDefaultInstance(),
            Secret.getDefaultInstance());

    /** Every message type Gantry packs into {@code google.protobuf.Any}. */
    public static final List<Descriptors.Descriptor> PACKED_TYPES =
            PACKED_MESSAGES.stream().map(Message::getDescriptorForType).toList();

    public static final JsonFormat.TypeRegistry TYPES =
            JsonFormat.TypeRegistry.newBuilder().add(PACKED_TYPES).build();

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES);
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);

    private EnvoyJson() {}

    public static String print(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(
                    "cannot render " + message.getDescriptorForType().getFullName(), e);
        }
    }

    public static <B extends Message.Builder> B parse(String json, B builder) throws InvalidProtocolBufferException {
        PARSER.merge(json, builder);
        return builder;
    }
}
