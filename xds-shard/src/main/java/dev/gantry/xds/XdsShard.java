package dev.gantry.xds;

import com.sun.net.httpserver.HttpExchange;
import dev.gantry.config.GantrySettings;
import dev.gantry.envoy.EnvoyJson;
import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.kube.InformerFeed;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.runtime.AdminServer;
import dev.gantry.runtime.Readiness;
import dev.gantry.runtime.Ticker;
import dev.gantry.view.Change;
import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.math.BigInteger;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One xds-shard: informers feed a translation thread, which publishes a snapshot per owned Gateway; an ADS
 * server (state of the world and delta) serves them; an admin server reports readiness, metrics and dumps.
 * It never writes to the API server, and rebuilds everything from informers when it restarts.
 */
public final class XdsShard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(XdsShard.class);
    private static final Duration MAX_AGE_GRACE = Duration.ofSeconds(5);
    /** BoringSSL where its native library loads (Linux on x86-64 and arm64), else the JDK's TLS. */
    private static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

    private final GantrySettings settings;
    private final ShardOwnership ownership;
    private final ShardMetrics.ForShard metrics;
    private final InformerFeed feed;
    private final ShardReconciler reconciler;
    private final XdsCallbacks callbacks;
    private final GatewayXdsCache cache = new GatewayXdsCache(new GatewayNodeGroup());
    /** Whether proxies must authenticate over TLS: always, but for the unsafe plaintext opt-out. */
    private final boolean secure;

    private final ServingCertificate serving = new ServingCertificate();
    private final ObjectKey servingSecret;
    private final ProxyStreams streams;
    private final ProxyConnections connections = new ProxyConnections();
    private final CredentialEvents credentialEvents;
    private final Clock clock = Clock.systemUTC();
    private final String bindHost;
    private final int xdsPortSetting;
    private final int adminPortSetting;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "xds-hold-timer");
        thread.setDaemon(true);
        return thread;
    });
    private Server grpc;
    private ExecutorService grpcExecutor;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private AdminServer admin;
    private Thread thread;

    /**
     * @param settings shard index and count, ports, debounce, translation settings
     * @param client read-only API client
     * @param bindHost address to listen on (0.0.0.0 in a cluster, 127.0.0.1 in standalone)
     * @param xdsPort ADS port (0 for any free one)
     * @param adminPort admin port (0 for any free one)
     * @param metrics metrics shared by the shards of this process
     */
    public XdsShard(
            GantrySettings settings,
            KubernetesClient client,
            String bindHost,
            int xdsPort,
            int adminPort,
            ShardMetrics metrics) {
        this.settings = settings;
        this.bindHost = bindHost;
        this.xdsPortSetting = xdsPort;
        this.adminPortSetting = adminPort;
        this.ownership = new ShardOwnership(settings.shardIndex(), settings.shardCount(), settings);
        this.metrics = metrics.forShard(settings.shardIndex());
        this.secure = !settings.xdsInsecure();
        this.servingSecret = new ObjectKey(settings.namespace(), settings.xdsServingSecret());
        this.callbacks = new XdsCallbacks(ownership, this.metrics, cache, secure);
        EnvoyTranslator envoy = new EnvoyTranslator(new CaffeineMemo(200_000));
        this.reconciler = new ShardReconciler(
                settings.translatorConfig(),
                envoy,
                cache,
                ownership,
                this.metrics,
                settings.debounce(),
                settings.debounceMax(),
                Ticker.SYSTEM);
        // The shard never reads or writes the status of Gateway API objects: it does not keep it.
        this.feed = new InformerFeed(client, Kinds.ALL, this::observe, true);
        this.streams = new ProxyStreams(
                proxy -> ProxyAuthorization.check(
                        proxy,
                        feed.cached(Kinds.GATEWAY, proxy.identity().gateway()),
                        feed.cached(
                                Kinds.SECRET,
                                CredentialSecrets.proxyCredentialKey(
                                        proxy.identity().gateway()))),
                connections::close,
                timer,
                clock,
                this.metrics);
        this.credentialEvents = new CredentialEvents(servingSecret, serving, streams, ownership.index(), this.metrics);
    }

    /** Every informer event: to the translation thread, and to the streams whose credential it may concern. */
    private void observe(Change change) {
        if (secure) {
            credentialEvents.observe(change);
        }
        reconciler.offer(change);
    }

    /** The shard's xDS cache (for tests). */
    GatewayXdsCache cache() {
        return cache;
    }

    /** Starts serving at once; proxies that connect before the shard is ready are held until it is. */
    public XdsShard start() {
        V3DiscoveryServer discovery = new V3DiscoveryServer(
                List.of(callbacks),
                new NackAwareWatcher(cache),
                new DefaultExecutorGroup(),
                new CachedProtoResourcesSerializer());
        ReadinessGate gate = new ReadinessGate(
                reconciler::ready, () -> readiness().detail(), settings.xdsHoldTimeout(), timer, metrics::heldTimeout);
        if (!secure) {
            LOG.warn(
                    "xds-shard {}: xDS is served in PLAINTEXT and WITHOUT AUTHENTICATION (GANTRY_XDS_INSECURE=true):"
                            + " any process that reaches port {} can read every owned Gateway's configuration and private keys."
                            + " Use it only for experiments.",
                    ownership.index(),
                    xdsPortSetting);
        }
        // The shard's own threads, named after it: thread dumps and per-thread CPU tell shards apart even when several
        // run in one process (standalone, the load test).
        String prefix = "xds-shard-" + ownership.index() + "-";
        grpcExecutor = Executors.newCachedThreadPool(named(prefix + "grpc-"));
        bossGroup = new MultiThreadIoEventLoopGroup(1, named(prefix + "accept-"), NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(0, named(prefix + "netty-"), NioIoHandler.newFactory());
        try {
            InetSocketAddress address = new InetSocketAddress(bindHost, xdsPortSetting);
            // TLS through gRPC's own negotiator, each connection recorded so that a refused credential closes it.
            NettyServerBuilder builder = secure
                    ? NettyServerBuilder.forAddress(
                            address,
                            InternalNettyServerCredentials.create(
                                    connections.recording(InternalProtocolNegotiators.serverTls(serverTls()))))
                    : NettyServerBuilder.forAddress(address);
            builder.bossEventLoopGroup(bossGroup)
                    .workerEventLoopGroup(workerGroup)
                    .channelType(NioServerSocketChannel.class)
                    .executor(grpcExecutor)
                    .maxInboundMessageSize(16 * 1024 * 1024)
                    // A connection, and the credential it was opened with, lives this long: then the proxy reconnects
                    // (keeping
                    // its configuration) and authenticates again. The grace lets a response in flight finish.
                    .maxConnectionAge(settings.xdsMaxStreamAge().toMillis(), TimeUnit.MILLISECONDS)
                    .maxConnectionAgeGrace(MAX_AGE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            if (secure) {
                // The authenticator comes first: nothing, not even the readiness hold, sees an unauthenticated call.
                builder.addService(ServerInterceptors.intercept(
                        discovery.getAggregatedDiscoveryServiceImpl(),
                        gate,
                        new ProxyAuthenticator(serving, streams, connections, clock, metrics)));
            } else {
                builder.addService(ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(), gate));
            }
            grpc = builder.build().start();
        } catch (IOException e) {
            shutDownThreads();
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new AdminServer.PortInUseException("xDS", xdsPortSetting);
            }
            throw new IllegalStateException("cannot start the xDS server: " + e.getMessage(), e);
        }
        admin = new AdminServer(bindHost, adminPortSetting, metrics.registry(), this::readiness)
                .route("/debug/shard", this::debugShard)
                .route("/debug/config_dump", this::debugConfigDump)
                .start();
        timer.scheduleAtFixedRate(() -> metrics.streamsBehind(cache.streamsBehind()), 5, 5, TimeUnit.SECONDS);
        thread = new Thread(reconciler, "xds-shard-" + ownership.index() + "-reconciler");
        thread.setDaemon(true);
        thread.start();
        feed.synced().whenComplete((took, error) -> {
            if (error != null) {
                LOG.error("shard {}: informers failed to start", ownership.index(), error);
            } else {
                if (secure) {
                    // Before any snapshot exists: the streams that waited for the cluster's word are admitted or ended
                    // first.
                    credentialEvents.synced(feed.cached(Kinds.SECRET, servingSecret));
                }
                reconciler.informersSynced(took, feed.cachedObjects());
            }
        });
        feed.start();
        LOG.info(
                "xds-shard {} of {}: ADS on {}:{} ({}), admin on {}:{}",
                ownership.index(),
                ownership.count(),
                bindHost,
                xdsPort(),
                secure
                        ? "TLS by " + (PROVIDER == SslProvider.OPENSSL ? OpenSsl.versionString() : "the JDK")
                        : "PLAINTEXT",
                bindHost,
                adminPort());
        return this;
    }

    public Readiness readiness() {
        if (secure && !serving.loaded()) {
            return Readiness.notReady(
                    "waiting for the xDS serving certificate (Secret " + servingSecret + ", issued by the controller)");
        }
        if (!reconciler.synced()) {
            return Readiness.notReady("informers are still listing");
        }
        if (!reconciler.ready()) {
            return Readiness.notReady("translating owned Gateways");
        }
        return Readiness.ready("shard " + ownership.index() + " of " + ownership.count() + " serves "
                + reconciler.published().size() + " Gateways");
    }

    /** TLS of the xDS port: the serving certificate of the moment; a client certificate asked for, checked later. */
    private SslContext serverTls() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(serving), PROVIDER)
                    .trustManager(new DeferredClientTrust())
                    .clientAuth(ClientAuth.OPTIONAL)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for xDS: " + e.getMessage(), e);
        }
    }

    /** Whether the shard's informers hold the Gateway's credential Secret listing this serial (for tests). */
    boolean knowsCredential(ObjectKey gateway, BigInteger serial) {
        io.fabric8.kubernetes.api.model.Secret secret =
                feed.cached(Kinds.SECRET, CredentialSecrets.proxyCredentialKey(gateway));
        return secret != null
                && secret.getMetadata().getAnnotations() != null
                && CredentialSecrets.parseSerials(
                                secret.getMetadata().getAnnotations().get(CredentialSecrets.SERIALS))
                        .containsKey(serial)
                && feed.cached(Kinds.GATEWAY, gateway) != null;
    }

    /** Serial number (hex) of the serving certificate presented now, or null (for tests). */
    String servingSerial() {
        KeyedCertificate certificate = serving.serving();
        return certificate == null ? null : certificate.serial().toString(16);
    }

    /** Connections to the xDS port open now (for tests and the debug endpoint). */
    int openConnections() {
        return connections.size();
    }

    /** Authenticated xDS streams open now (for tests and the debug endpoint). */
    int authenticatedStreams() {
        return streams.size();
    }

    public int xdsPort() {
        return grpc.getPort();
    }

    public int adminPort() {
        return admin.port();
    }

    public int index() {
        return ownership.index();
    }

    /** The resources currently served for a Gateway, or null. */
    public EnvoyResources served(ObjectKey gateway) {
        ShardReconciler.Published published = reconciler.published().get(gateway);
        return published == null ? null : published.resources();
    }

    /** Content version currently served for a Gateway, or null. */
    public String servedVersion(ObjectKey gateway) {
        ShardReconciler.Published published = reconciler.published().get(gateway);
        return published == null ? null : published.version();
    }

    private void debugShard(HttpExchange exchange) throws IOException {
        List<Object> gateways = new ArrayList<>();
        new TreeMap<>(reconciler.published()).forEach((key, published) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("gateway", key.toString());
            entry.put("version", published.version());
            entry.put("resources", published.resources().resourceCount());
            entry.put("bytes", published.resources().totalBytes());
            entry.put("proxies", callbacks.connectedProxies(key.toString()));
            gateways.add(entry);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("index", ownership.index());
        body.put("count", ownership.count());
        body.put("ready", readiness().ready());
        body.put("authentication", secure ? "mtls" : "none (GANTRY_XDS_INSECURE)");
        body.put("connections", openConnections());
        body.put("authenticated_streams", authenticatedStreams());
        KeyedCertificate certificate = serving.serving();
        if (certificate != null) {
            body.put(
                    "serving_certificate",
                    Map.of(
                            "serial",
                            certificate.serial().toString(16),
                            "not_after",
                            certificate.notAfter().toString()));
        }
        body.put("gateways", gateways);
        AdminServer.respond(exchange, 200, Serialization.asJson(body) + "\n", "application/json");
    }

    private void debugConfigDump(HttpExchange exchange) throws IOException {
        String gateway = AdminServer.query(exchange.getRequestURI()).get("gateway");
        if (gateway == null || gateway.isEmpty()) {
            AdminServer.respond(exchange, 400, "give ?gateway=<namespace>/<name>\n", "text/plain");
            return;
        }
        ObjectKey key;
        try {
            key = ObjectKey.parse(gateway);
        } catch (IllegalArgumentException e) {
            AdminServer.respond(exchange, 400, e.getMessage() + "\n", "text/plain");
            return;
        }
        EnvoyResources resources = served(key);
        if (resources == null) {
            String why = ownership.owns(key)
                    ? "no Gateway " + key + " of Gantry's classes is known to this shard"
                    : "Gateway " + key + " is served by " + ownership.describeShard(ownership.ownerOf(key));
            AdminServer.respond(exchange, 404, why + "\n", "text/plain");
            return;
        }
        StringBuilder json = new StringBuilder("{\n\"gateway\": \"")
                .append(key)
                .append("\",\n\"version\": \"")
                .append(servedVersion(key))
                .append("\"");
        appendType(json, "listeners", resources.listeners());
        appendType(json, "routes", resources.routes());
        appendType(json, "clusters", resources.clusters());
        appendType(json, "endpoints", resources.endpoints());
        List<EnvoyResources.Versioned<Secret>> redacted = new ArrayList<>();
        for (EnvoyResources.Versioned<Secret> secret : resources.secrets()) {
            Secret.Builder builder = secret.resource().toBuilder();
            if (builder.hasTlsCertificate()) {
                builder.getTlsCertificateBuilder().getPrivateKeyBuilder().setInlineString("[redacted]");
            }
            redacted.add(new EnvoyResources.Versioned<>(
                    secret.name(), builder.build(), secret.version(), secret.hash(), secret.size()));
        }
        appendType(json, "secrets", redacted);
        json.append("\n}\n");
        AdminServer.respond(exchange, 200, json.toString(), "application/json");
    }

    private static void appendType(StringBuilder json, String name, List<? extends EnvoyResources.Versioned<?>> list) {
        json.append(",\n\"").append(name).append("\": [");
        for (int i = 0; i < list.size(); i++) {
            json.append(i == 0 ? "\n" : ",\n")
                    .append(EnvoyJson.print(list.get(i).resource()));
        }
        json.append("]");
    }

    @Override
    public void close() {
        feed.close();
        reconciler.stop();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (grpc != null) {
            grpc.shutdownNow();
            try {
                grpc.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (admin != null) {
            admin.close();
        }
        shutDownThreads();
        timer.shutdownNow();
    }

    /** The executor first (its last stream callbacks still write through the event loops), then the loops. */
    private void shutDownThreads() {
        if (grpcExecutor != null) {
            grpcExecutor.shutdown();
            try {
                if (!grpcExecutor.awaitTermination(2, TimeUnit.SECONDS)) {
                    grpcExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                grpcExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }
}
