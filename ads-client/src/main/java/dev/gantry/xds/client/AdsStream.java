package dev.gantry.xds.client;

import static dev.gantry.xds.client.AdsClient.CLUSTER;
import static dev.gantry.xds.client.AdsClient.ENDPOINT;
import static dev.gantry.xds.client.AdsClient.ROUTE;
import static dev.gantry.xds.client.AdsClient.SECRET;

import com.google.protobuf.Any;
import dev.gantry.xds.client.AdsClient.Protocol;
import dev.gantry.xds.client.AdsClient.Received;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The client's side of the ADS stream, state of the world or delta, as Envoy speaks it: what it subscribes to and the
 * requests that say so, each response applied in order to the {@link ProxyConfiguration} and answered as
 * {@link Answers} decides, and what was received, for the observers and the counters. It outlives a stream: a
 * reconnect opens the next one with what is held.
 *
 * <p>Responses are handled under the client's lock, except the reject predicate and the observers, which run outside
 * it.
 */
final class AdsStream implements ProxyConfiguration.Subscriptions {

    private final Object lock;
    private final Node node;
    private final Protocol protocol;
    private final BiPredicate<String, List<Any>> reject;
    private final UnaryOperator<Any> intern;
    private final Consumer<Status> ended;
    private final ProxyConfiguration configuration;

    /** State of the world: the nonce of the last response of each type, sent with every request of that type. */
    private final Map<String, String> nonces = new ConcurrentHashMap<>();

    private final Map<String, Set<String>> subscribed = new HashMap<>();
    private final List<Consumer<Received>> responseObservers = new CopyOnWriteArrayList<>();
    private volatile boolean silent;
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong nacks = new AtomicLong();
    private StreamObserver<DiscoveryRequest> sotw;
    private StreamObserver<DeltaDiscoveryRequest> delta;

    /**
     * @param lock the client's lock
     * @param reject returns true for a response (type, resources) to NACK
     * @param intern returns the resource to hold in place of one received
     * @param ended told the final status of each stream the server ends
     */
    AdsStream(
            Object lock,
            Node node,
            Protocol protocol,
            BiPredicate<String, List<Any>> reject,
            UnaryOperator<Any> intern,
            Consumer<Status> ended) {
        this.lock = lock;
        this.node = node;
        this.protocol = protocol;
        this.reject = reject;
        this.intern = intern;
        this.ended = ended;
        this.configuration = new ProxyConfiguration(lock, this);
    }

    /** What the proxy holds, as the responses of this stream made it. */
    ProxyConfiguration configuration() {
        return configuration;
    }

    /** From now on, apply responses but send nothing: no ACK, no NACK, no subscription change. */
    void stopAnswering() {
        this.silent = true;
    }

    /**
     * Opens a stream on a connection and subscribes to every cluster, and to every listener once the cluster manager
     * has initialized (see {@link ProxyConfiguration#clustersSubscribed}).
     */
    void open(AggregatedDiscoveryServiceStub stub) {
        synchronized (lock) {
            if (protocol == Protocol.STATE_OF_THE_WORLD) {
                sotw = stub.streamAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse response) {
                        onSotwResponse(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.accept(Status.fromThrowable(error));
                    }

                    @Override
                    public void onCompleted() {
                        ended.accept(Status.OK);
                    }
                });
            } else {
                delta = stub.deltaAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DeltaDiscoveryResponse response) {
                        onDeltaResponse(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        ended.accept(Status.fromThrowable(error));
                    }

                    @Override
                    public void onCompleted() {
                        ended.accept(Status.OK);
                    }
                });
            }
            subscribe(CLUSTER, Set.of());
            configuration.clustersSubscribed();
        }
    }

    /**
     * Opens the next stream after the last one ended, re-sending every subscription with the versions held (caller
     * locks).
     */
    void reopen(AggregatedDiscoveryServiceStub stub) {
        nonces.clear();
        Map<String, Set<String>> previous = new HashMap<>(subscribed);
        subscribed.clear();
        open(stub);
        for (String type : List.of(ENDPOINT, ROUTE, SECRET)) {
            if (previous.containsKey(type)) {
                subscribe(type, previous.get(type));
            }
        }
    }

    /** Ends the stream from the client's side, as at shutdown. */
    void complete() {
        synchronized (lock) {
            try {
                if (sotw != null) {
                    sotw.onCompleted();
                }
                if (delta != null) {
                    delta.onCompleted();
                }
            } catch (RuntimeException e) {
                // already closed by the server
            }
        }
    }

    /** Asks for names of a type beyond those followed, until the next configuration change. */
    void requestAlso(String type, Set<String> names) {
        synchronized (lock) {
            Set<String> all = new TreeSet<>(subscribed(type));
            all.addAll(names);
            subscribe(type, all);
        }
    }

    void onResponse(Consumer<Received> observer) {
        responseObservers.add(observer);
    }

    @Override
    public Set<String> subscribed(String type) {
        return subscribed.getOrDefault(type, Set.of());
    }

    @Override
    public void subscribe(String type, Set<String> names) {
        synchronized (lock) {
            if (silent) {
                return;
            }
            Set<String> before = subscribed.get(type);
            if (before != null && before.equals(names)) {
                return;
            }
            subscribed.put(type, new TreeSet<>(names));
            if (protocol == Protocol.STATE_OF_THE_WORLD) {
                // Like Envoy, what a proxy stops asking for it drops.
                if (before != null) {
                    for (String name : before) {
                        if (!names.contains(name)) {
                            configuration.drop(type, name);
                        }
                    }
                }
                // Like Envoy, with the nonce of the last response of the type: a server ignores a request with a
                // stale one.
                String version = configuration.version(type);
                sotw.onNext(DiscoveryRequest.newBuilder()
                        .setNode(node)
                        .setTypeUrl(type)
                        .setVersionInfo(version == null ? "" : version)
                        .setResponseNonce(nonces.getOrDefault(type, ""))
                        .addAllResourceNames(new TreeSet<>(names))
                        .build());
            } else {
                DeltaDiscoveryRequest.Builder request =
                        DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type);
                if (before == null) {
                    // A new stream tells the server what is held, so it sends only what changed.
                    request.putAllInitialResourceVersions(configuration.heldVersions(type));
                }
                Set<String> old = before == null ? Set.of() : before;
                for (String name : names) {
                    if (!old.contains(name)) {
                        request.addResourceNamesSubscribe(name);
                    }
                }
                for (String name : old) {
                    if (!names.contains(name)) {
                        request.addResourceNamesUnsubscribe(name);
                        // Like Envoy, a client drops what it unsubscribes from: the server stops tracking it and may
                        // well never say it was removed (a removal it had on its way is dropped when this request
                        // arrives first).
                        configuration.drop(type, name);
                    }
                }
                if (before != null
                        && request.getResourceNamesSubscribeCount() == 0
                        && request.getResourceNamesUnsubscribeCount() == 0) {
                    return;
                }
                delta.onNext(request.build());
            }
        }
    }

    private void onSotwResponse(DiscoveryResponse response) {
        String type = response.getTypeUrl();
        boolean nack = Answers.rejects(reject, response);
        List<String> names = new ArrayList<>();
        synchronized (lock) {
            if (nack) {
                String held = configuration.version(type);
                sotw.onNext(Answers.nack(node, response, held == null ? "" : held, subscribed(type)));
                rejected(type);
            } else {
                Map<String, Any> byName = new HashMap<>();
                for (Any any : response.getResourcesList()) {
                    String name = ProxyConfiguration.nameOf(type, any);
                    byName.put(name, intern.apply(any));
                    names.add(name);
                }
                List<String> gone = Answers.removedBy(type, configuration.namesOnReceipt(type), byName.keySet());
                gone.forEach(name -> configuration.drop(type, name));
                byName.forEach((name, any) -> configuration.hold(type, name, any));
                configuration.accepted(type, response.getVersionInfo());
                nonces.put(type, response.getNonce());
                Runnable ack = () -> sotw.onNext(Answers.ack(node, response, subscribed(type)));
                configuration.applied(type, names, silent ? () -> {} : ack);
            }
        }
        record(new Received(
                type, response.getVersionInfo(), names, List.of(), response.getSerializedSize(), System.nanoTime()));
        if (nack) {
            nacks.incrementAndGet(); // after the response is recorded: who sees the NACK counted sees the response too
        }
    }

    private void onDeltaResponse(DeltaDiscoveryResponse response) {
        String type = response.getTypeUrl();
        boolean nack = Answers.rejects(reject, response);
        List<String> names = new ArrayList<>();
        synchronized (lock) {
            if (nack) {
                delta.onNext(Answers.nack(node, response));
                rejected(type);
            } else {
                for (Resource resource : response.getResourcesList()) {
                    configuration.hold(type, resource.getName(), intern.apply(resource.getResource()));
                    configuration.holdVersion(type, resource.getName(), resource.getVersion());
                    names.add(resource.getName());
                }
                // Envoy ignores the removal of a route configuration or secret, serving on with it until no listener
                // names it; dropping it here all the same counts a server that removes what is still in use, which a
                // proxy starting afresh would then not get.
                response.getRemovedResourcesList().forEach(name -> configuration.drop(type, name));
                configuration.accepted(type, response.getSystemVersionInfo());
                Runnable ack = () -> delta.onNext(Answers.ack(node, response));
                configuration.applied(type, names, silent ? () -> {} : ack);
            }
        }
        record(new Received(
                type,
                response.getSystemVersionInfo(),
                names,
                response.getRemovedResourcesList(),
                response.getSerializedSize(),
                System.nanoTime()));
        if (nack) {
            nacks.incrementAndGet();
        }
    }

    /** After a NACK was sent (caller locks). */
    private void rejected(String type) {
        if (type.equals(CLUSTER)) {
            configuration.clusterResponseRejected();
        }
    }

    private void record(Received received) {
        responses.incrementAndGet();
        bytes.addAndGet(received.bytes());
        for (Consumer<Received> observer : responseObservers) {
            observer.accept(received);
        }
    }

    long responses() {
        return responses.get();
    }

    long bytesReceived() {
        return bytes.get();
    }

    long nacksSent() {
        return nacks.get();
    }
}
