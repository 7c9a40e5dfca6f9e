package dev.gantry.xds.client;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An ADS client that behaves like Envoy: subscribes to listeners and clusters, follows them to route
 * configurations, endpoints and secrets, ACKs every response (or NACKs those a predicate rejects), over the
 * state-of-the-world or the delta protocol. It keeps what it was sent, like a proxy keeps its config, and, as Envoy
 * does, warms what it was sent before using it: an EDS cluster until its endpoints arrive, a listener version until
 * the route configurations and secrets it names arrive (the version it replaces serving meanwhile), either at most
 * for the initial fetch timeout. As Envoy initializes its cluster manager before its listeners, it subscribes to
 * listeners only once the first cluster response was answered (or the initial fetch timeout passed without one).
 *
 * <p>Where each behaviour lives: {@link Connection} (the channel, TLS credentials, reconnecting), {@link AdsStream}
 * (subscriptions and the state-of-the-world and delta requests, responses applied in order), {@link Answers} (what
 * is NACKed, the ACKs and NACKs, what a response removes), {@link ProxyConfiguration} (what is held, warming, which
 * references are followed) and {@link MakeBeforeBreakCheck} (the invariant checked after every response). They share
 * this client's lock.
 */
public final class AdsClient implements AutoCloseable {

    public static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
    public static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    public static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    public static final String ENDPOINT = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    public static final String SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

    /** The xDS variant a client speaks. */
    public enum Protocol {
        STATE_OF_THE_WORLD,
        DELTA
    }

    /** How a client reaches a shard. */
    public sealed interface Transport {
        /** No TLS: only a shard run with the unsafe opt-out answers it. */
        record Plaintext() implements Transport {}

        /**
         * TLS, as provisioned proxies connect.
         *
         * @param credentials asked at every (re)connect, so a renewed credential serves the next connection
         * @param authority the name the shard's certificate must be valid for, or null for the host connected to
         */
        record Tls(Supplier<ClientCredentials> credentials, String authority) implements Transport {}

        static Transport plaintext() {
            return new Plaintext();
        }
    }

    /**
     * One response as received.
     *
     * @param typeUrl resource type
     * @param version version_info (SotW) or system_version_info (delta)
     * @param resourceNames names of resources added or replaced by the response
     * @param removed names removed (delta)
     * @param bytes serialized size
     * @param receivedNanos System.nanoTime() at receipt
     */
    public record Received(
            String typeUrl,
            String version,
            List<String> resourceNames,
            List<String> removed,
            int bytes,
            long receivedNanos) {}

    private final Connection connection;
    private final AdsStream stream;
    private final ProxyConfiguration configuration;

    private AdsClient(
            String host,
            int port,
            Transport transport,
            Node node,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject,
            UnaryOperator<Any> intern) {
        this.connection = new Connection(host, port, transport, this::reconnect);
        this.stream = new AdsStream(this, node, protocol, reject, intern, connection::streamEnded);
        this.configuration = stream.configuration();
    }

    /** Connects with node metadata naming the proxy's Gateway; every response is accepted. */
    public static AdsClient connect(String host, int port, String nodeId, String gateway, Protocol protocol) {
        return connect(host, port, nodeId, gateway, protocol, (type, list) -> false);
    }

    /**
     * Connects and starts subscribing.
     *
     * @param gateway {@code namespace/name} for the {@code gantry.dev/gateway} node metadata, or null for none
     * @param reject returns true for a response (type, resources) the client should NACK
     */
    public static AdsClient connect(
            String host,
            int port,
            String nodeId,
            String gateway,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject) {
        return connect(host, port, nodeId, gateway, protocol, reject, UnaryOperator.identity());
    }

    /**
     * Connects and starts subscribing, holding every received resource through {@code intern}: a fleet of
     * simulated proxies can share one copy of equal resources instead of holding one per proxy.
     *
     * @param intern returns the resource to hold (the given one, or an equal one already held elsewhere)
     */
    public static AdsClient connect(
            String host,
            int port,
            String nodeId,
            String gateway,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject,
            UnaryOperator<Any> intern) {
        return connect(host, port, Transport.plaintext(), nodeId, gateway, protocol, reject, intern);
    }

    /** Connects over TLS with a proxy's credentials; every response is accepted. */
    public static AdsClient connect(
            String host, int port, Transport transport, String nodeId, String gateway, Protocol protocol) {
        return connect(
                host, port, transport, nodeId, gateway, protocol, (type, list) -> false, UnaryOperator.identity());
    }

    /**
     * Connects and starts subscribing.
     *
     * @param transport plaintext, or TLS with the proxy's credentials
     */
    public static AdsClient connect(
            String host,
            int port,
            Transport transport,
            String nodeId,
            String gateway,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject,
            UnaryOperator<Any> intern) {
        Struct.Builder metadata = Struct.newBuilder();
        if (gateway != null) {
            metadata.putFields(
                    "gantry.dev/gateway",
                    Value.newBuilder().setStringValue(gateway).build());
        }
        Node node = Node.newBuilder()
                .setId(nodeId)
                .setCluster("gantry-test")
                .setMetadata(metadata)
                .build();
        AdsClient client = new AdsClient(host, port, transport, node, protocol, reject, intern);
        client.start();
        return client;
    }

    /**
     * From now on, apply responses but never answer them, neither ACK nor NACK: a proxy hung between reading and
     * acknowledging, as a server must expect some to be. It sends no request at all, subscription changes included.
     */
    public AdsClient stopAnswering() {
        stream.stopAnswering();
        return this;
    }

    /**
     * Like Envoy, reconnect when the stream ends (after a short back-off), keep everything held, and re-send every
     * subscription with the version held.
     */
    public AdsClient autoReconnect(boolean enabled) {
        connection.autoReconnect(enabled);
        return this;
    }

    public long reconnects() {
        return connection.reconnects();
    }

    /**
     * Sets Envoy's initial fetch timeout (15 s unless set) for what starts warming from then on and for the first
     * cluster response if it is still waited for, so a test can see a cluster or listener used without what it waited
     * for, or listeners asked for without a cluster response, without waiting 15 s.
     */
    synchronized AdsClient initialFetchTimeout(Duration timeout) {
        configuration.initialFetchTimeout(timeout);
        return this;
    }

    /** Opens a new stream, re-sending every subscription with the versions held. */
    public synchronized void reconnect() {
        connection.renew();
        configuration.forgetPendingAck();
        stream.reopen(connection.stub());
    }

    private void start() {
        stream.open(connection.stub());
    }

    /**
     * Asks for resources of a type by name beyond those it follows by itself, as a curious or hostile proxy would.
     * The next configuration change puts its subscriptions back to what it follows.
     */
    public synchronized void requestAlso(String type, Set<String> names) {
        stream.requestAlso(type, names);
    }

    /** Called for every response, on the gRPC thread, after the client's state was updated. */
    public AdsClient onResponse(Consumer<Received> observer) {
        stream.onResponse(observer);
        return this;
    }

    /**
     * Responses (and listener initial fetch timeouts) after which the proxy held a route configuration, or served a
     * listener, naming a cluster it did not hold warm, or served a listener naming a secret it did not hold: each
     * would be failed requests at a real Envoy. Must be 0.
     */
    public long makeBeforeBreakViolations() {
        return configuration.makeBeforeBreakViolations();
    }

    /** Whether a cluster is held and warm (an EDS cluster once its endpoints arrived). */
    public synchronized boolean clusterWarm(String name) {
        return configuration.clusterWarm(name);
    }

    /**
     * Whether the latest version received of a listener serves: every route configuration and secret it waited for
     * arrived, or its initial fetch timeout passed.
     */
    public synchronized boolean listenerWarm(String name) {
        return configuration.listenerWarm(name);
    }

    /**
     * The version of a listener that serves, as received, or null when none does: a new listener serves nothing
     * while it warms, and an updated one goes on serving its previous version meanwhile.
     */
    public synchronized Any activeListener(String name) {
        return configuration.activeListener(name);
    }

    /** What the first violations were, for a test's failure message. */
    public synchronized List<String> violationSamples() {
        return configuration.violationSamples();
    }

    /** Resource names currently held, by type. */
    public Map<String, Set<String>> names() {
        return configuration.names();
    }

    /** Names of the resources of one type currently held. */
    public Set<String> names(String type) {
        return configuration.names(type);
    }

    /** Total resources currently held. */
    public int resourceCount() {
        return configuration.resourceCount();
    }

    /** A held resource as received (packed), or null. */
    public Any held(String type, String name) {
        return configuration.held(type, name);
    }

    /**
     * Whether the client holds a complete configuration, as Envoy's initialization waits for one: listeners and
     * clusters have arrived, and every route configuration, endpoint assignment and secret they name is held.
     */
    public synchronized boolean warm() {
        return configuration.warm();
    }

    /** A held resource, unpacked, or null. */
    public <T extends Message> T resource(String type, String name, Class<T> messageType) {
        Any any = configuration.held(type, name);
        return any == null ? null : ProxyConfiguration.unpack(any, messageType);
    }

    public String version(String type) {
        return configuration.version(type);
    }

    public long responses() {
        return stream.responses();
    }

    public long bytesReceived() {
        return stream.bytesReceived();
    }

    public long nacksSent() {
        return stream.nacksSent();
    }

    /** Completes with the stream's final status when the server ends it. */
    public CompletableFuture<Status> closed() {
        return connection.closed();
    }

    @Override
    public void close() {
        connection.close(stream::complete);
    }
}
