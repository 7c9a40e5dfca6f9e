package dev.gantry.xds;

import dev.gantry.runtime.Parallel;
import dev.gantry.xds.StreamState.OpenWatch;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The shard's xDS cache: one snapshot per Gateway, served to each proxy stream make-before-break. What a stream is
 * served of each type is {@link PhasePlanner}'s answer for the Gateway's latest snapshot and what the proxy holds
 * (the last response of each type it acknowledged, and the last one sent); it is asked again when the snapshot
 * changes and when the proxy acknowledges a response, so a change reaches each proxy in steps at the pace of its
 * own acknowledgements. Streams in the same state share the same answer, worked out once.
 *
 * <p>Both protocols are served here. For delta streams a watch reads the stream's versions in place: a stream
 * changes them only while it handles a request of that type, and the callbacks call {@link #requestArrived} first,
 * which retires the stream's open watch of that type under this cache's lock.
 *
 * <p>A Gateway's snapshot, with the plans and diffs its streams share, is a {@link GatewayTarget}; what the cache
 * knows of a stream is its {@link StreamState}; responses are worked out under the lock as {@link Answer}s and sent
 * after it.
 */
final class GatewayXdsCache implements ConfigWatcher {

    /** The stream whose request the current thread handles; set by {@link #requestArrived} just before the watch. */
    static final ThreadLocal<Long> STREAM = new ThreadLocal<>();

    /** Fewest streams to answer whose sending is spread over threads. */
    private static final int SPREAD_FROM = 64;

    private final NodeGroup<String> groups;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<String, GatewayTarget> targets = new HashMap<>();
    private final Map<Long, StreamState> streams = new HashMap<>();
    private final Map<String, Map<Long, StreamState>> streamsOfGroup = new HashMap<>();

    GatewayXdsCache(NodeGroup<String> groups) {
        this.groups = groups;
    }

    /**
     * Called on a stream's thread before the stream handles a request of {@code typeUrl}: retires the stream's open
     * watch of the type, and when the request acknowledges the last response of the type, records that the proxy
     * holds it and answers the stream's other watches that this lets go on.
     *
     * @param nonce the request's response nonce
     * @param rejected whether the request rejects that response (a NACK)
     * @return the version of the response a NACK rejects, or null
     */
    String requestArrived(long stream, String typeUrl, String nonce, boolean rejected) {
        STREAM.set(stream);
        ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
        if (type == null) {
            return null;
        }
        List<Answer> answers;
        synchronized (lock) {
            StreamState state = streams.get(stream);
            if (state == null) {
                return null;
            }
            state.open.remove(type);
            if (nonce.isEmpty() || !nonce.equals(state.awaitedNonce.get(type))) {
                return null;
            }
            state.awaitedNonce.remove(type);
            if (rejected) {
                state.rejected.add(type);
                return state.sentVersion.get(type);
            }
            state.rejected.remove(type);
            state.acked.put(type, state.served.get(type));
            answers = answerOpenWatches(state);
        }
        Answer.sendAll(answers);
        return null;
    }

    /** Called when a response went out: its nonce is the one an acknowledgement of it will carry. */
    void responseSent(long stream, String typeUrl, String nonce, String version) {
        ResourceType type = Resources.TYPE_URLS_TO_RESOURCE_TYPE.get(typeUrl);
        synchronized (lock) {
            StreamState state = streams.get(stream);
            if (state != null && type != null && version.equals(state.sentVersion.get(type))) {
                state.awaitedNonce.put(type, nonce);
            }
        }
    }

    /** Forgets a closed stream. */
    void streamClosed(long stream) {
        synchronized (lock) {
            StreamState state = streams.remove(stream);
            if (state != null) {
                Map<Long, StreamState> ofGroup = streamsOfGroup.get(state.group);
                if (ofGroup != null) {
                    ofGroup.remove(stream);
                    if (ofGroup.isEmpty()) {
                        streamsOfGroup.remove(state.group);
                    }
                }
            }
        }
    }

    @Override
    public Watch createWatch(
            boolean ads,
            XdsRequest request,
            Set<String> knownResourceNames,
            Consumer<Response> responseConsumer,
            boolean hasClusterChanged,
            boolean allowDefaultEmptyEdsUpdate) {
        ResourceType type = request.getResourceType();
        if (type == null) {
            throw new IllegalArgumentException("unsupported type URL " + request.getTypeUrl());
        }
        Watch watch = new Watch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer);
        List<Answer> answers = new ArrayList<>(1);
        boolean answered = false;
        synchronized (lock) {
            StreamState state = stateOfCaller(groups.hash(request.v3Request().getNode()));
            GatewayTarget target = targets.get(state.group);
            ServedView view = target == null ? null : target.plan(state).get(type);
            List<String> names = request.getResourceNamesList();
            if (view != null && !WatchSelection.missing(view, names)) {
                String version = WatchSelection.sotwVersion(type, view, names);
                boolean newNames = !knownResourceNames.containsAll(names)
                        && names.stream().anyMatch(name -> !knownResourceNames.contains(name) && view.contains(name));
                if (newNames
                        || (hasClusterChanged && type == ResourceType.ENDPOINT)
                        || !request.getVersionInfo().equals(version)) {
                    answers.add(Answer.stateOfTheWorld(state, type, watch, view));
                    answered = true;
                } else if (!request.hasErrorDetail()) {
                    // The proxy holds this view already (as after a reconnect): what waits for it may go on.
                    state.served.put(type, view);
                    state.acked.put(type, view);
                    answers.addAll(answerOpenWatches(state));
                }
            }
            if (!answered) {
                open(state, type, new OpenWatch.StateOfTheWorld(watch));
            }
        }
        Answer.sendAll(answers);
        return watch;
    }

    @Override
    public DeltaWatch createDeltaWatch(
            DeltaXdsRequest request,
            String requesterVersion,
            Map<String, String> resourceVersions,
            Set<String> pendingResources,
            boolean isWildcard,
            Consumer<DeltaResponse> responseConsumer,
            boolean hasClusterChanged) {
        ResourceType type = request.getResourceType();
        if (type == null) {
            throw new IllegalArgumentException("unsupported type URL " + request.getTypeUrl());
        }
        List<Answer> answers = new ArrayList<>(1);
        DeltaWatch watch;
        Answer answer = null;
        synchronized (lock) {
            StreamState state = stateOfCaller(groups.hash(request.v3Request().getNode()));
            watch = new DeltaWatch(
                    request,
                    resourceVersions,
                    Set.copyOf(pendingResources),
                    requesterVersion,
                    isWildcard,
                    responseConsumer);
            GatewayTarget target = targets.get(state.group);
            ServedView view = target == null ? null : target.plan(state).get(type);
            if (view != null) {
                Map<String, VersionedResource<?>> resources = view.resources();
                if (!view.version().equals(requesterVersion)) {
                    Map<String, VersionedResource<?>> changed = WatchSelection.changed(watch, resources);
                    List<String> removed = WatchSelection.heldButAbsent(watch, resources.keySet());
                    if (!changed.isEmpty() || !removed.isEmpty()) {
                        answer = Answer.delta(state, type, watch, view, changed, removed);
                    } else {
                        if (WatchSelection.firstOfWildcard(watch)) {
                            answer = Answer.delta(state, type, watch, view, Map.of(), List.of());
                        }
                        if (!state.rejected.contains(type)) {
                            // The proxy holds this view already (as after a reconnect, or when it is empty): what waits
                            // for it may go on.
                            state.served.put(type, view);
                            state.acked.put(type, view);
                            answers.addAll(answerOpenWatches(state));
                        }
                    }
                } else if (!isWildcard && !watch.pendingResources().isEmpty()) {
                    Map<String, VersionedResource<?>> requested = new LinkedHashMap<>();
                    for (String name : watch.pendingResources()) {
                        VersionedResource<?> resource = resources.get(name);
                        if (resource != null) {
                            requested.put(name, resource);
                        }
                    }
                    if (!requested.isEmpty()) {
                        answer = Answer.delta(state, type, watch, view, requested, List.of());
                    }
                } else if (hasClusterChanged && type == ResourceType.ENDPOINT) {
                    // Envoy drops endpoints when their cluster changes: send them again even at the same version.
                    Map<String, VersionedResource<?>> changed = WatchSelection.changed(watch, resources);
                    List<String> removed = WatchSelection.heldButAbsent(watch, resources.keySet());
                    if (!changed.isEmpty() || !removed.isEmpty()) {
                        answer = Answer.delta(state, type, watch, view, changed, removed);
                    }
                }
            }
            if (answer == null) {
                open(state, type, new OpenWatch.Delta(watch));
            } else {
                // Before what it let go on: Envoy needs the types in order.
                answers.addFirst(answer);
            }
        }
        Answer.sendAll(answers);
        return watch;
    }

    /**
     * Publishes a Gateway's snapshot and answers the open watches of its streams whose view changed, each stream in
     * the order Envoy needs (clusters before endpoints, listeners before routes).
     *
     * <p>The answers are worked out under the lock and sent after it, spread over threads when there are many: with a
     * thousand proxies on a Gateway, sending is most of a push, and ACKs (which take the lock) must not wait for the
     * whole fan-out. A stream whose watch is answered here has it retired first; should it open another watch before
     * the answer goes out, that cancels this one and the late answer is dropped.
     *
     * @return the streams answered
     */
    int setSnapshot(String group, GatewaySnapshot snapshot) {
        List<List<Answer>> perStream = new ArrayList<>();
        synchronized (lock) {
            targets.put(group, new GatewayTarget(snapshot, targets.get(group)));
            Map<Long, StreamState> ofGroup = streamsOfGroup.get(group);
            if (ofGroup == null) {
                return 0;
            }
            for (StreamState state : ofGroup.values()) {
                List<Answer> answers = answerOpenWatches(state);
                if (!answers.isEmpty()) {
                    perStream.add(answers);
                }
            }
        }
        Parallel.forEachIndex(perStream.size(), SPREAD_FROM, i -> Answer.sendAll(perStream.get(i)));
        return perStream.size();
    }

    /**
     * Streams that have not acknowledged every type they asked for at their Gateway's latest snapshot: stepping
     * towards it, or stuck on a change they reject or never answer.
     */
    int streamsBehind() {
        synchronized (lock) {
            int behind = 0;
            for (StreamState state : streams.values()) {
                GatewayTarget target = targets.get(state.group);
                if (target == null) {
                    continue;
                }
                for (ResourceType type : state.served.keySet()) {
                    ServedView acked = state.acked.get(type);
                    if (acked == null
                            || !acked.version().equals(target.view(type).version())) {
                        behind++;
                        break;
                    }
                }
            }
            return behind;
        }
    }

    /** Open delta watches, for tests. */
    int openDeltaWatches() {
        synchronized (lock) {
            return (int) streams.values().stream()
                    .flatMap(s -> s.open.values().stream())
                    .filter(w -> w instanceof OpenWatch.Delta)
                    .count();
        }
    }

    /** The state of the stream whose request the current thread handles (caller locks). */
    private StreamState stateOfCaller(String group) {
        Long id = STREAM.get();
        STREAM.remove();
        if (id == null) {
            // Without the callbacks no acknowledgement would be seen, and nothing could be served make-before-break.
            throw new IllegalStateException(
                    "a watch opened without requestArrived: the cache serves only through " + "XdsCallbacks");
        }
        StreamState state = streams.get(id);
        if (state == null) {
            state = new StreamState(group);
            streams.put(id, state);
            streamsOfGroup.computeIfAbsent(group, g -> new HashMap<>()).put(id, state);
        }
        return state;
    }

    private void open(StreamState state, ResourceType type, OpenWatch watch) {
        state.open.put(type, watch);
        Runnable stop = () -> {
            synchronized (lock) {
                if (state.open.get(type) == watch) {
                    state.open.remove(type);
                }
            }
        };
        switch (watch) {
            case OpenWatch.StateOfTheWorld sotw -> sotw.watch().setStop(stop);
            case OpenWatch.Delta delta -> delta.watch().setStop(stop);
        }
    }

    /**
     * Answers a stream's open watches whose view changed, in Envoy's order of types (caller locks). A watch with
     * nothing to send shows that the proxy holds its view already (as after a reconnect, or a watch opened before the
     * Gateway's first snapshot): that counts as acknowledged, and the types waiting for it are looked at again. The
     * first watch of a wildcard subscription is answered all the same, with nothing, as Envoy waits for that answer.
     */
    private List<Answer> answerOpenWatches(StreamState state) {
        GatewayTarget target = targets.get(state.group);
        if (target == null || state.open.isEmpty()) {
            return List.of();
        }
        List<Answer> answers = new ArrayList<>(0);
        boolean again = true;
        // Each round records a view as held that was not, and views only move towards the snapshot: few rounds.
        for (int round = 0; again && round < 8; round++) {
            again = false;
            Map<ResourceType, ServedView> plan = target.plan(state);
            for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
                OpenWatch open = state.open.get(type);
                ServedView view = plan.get(type);
                if (open == null || view == null) {
                    continue;
                }
                boolean held = switch (open) {
                    case OpenWatch.StateOfTheWorld sotw -> {
                        List<String> names = sotw.watch().request().getResourceNamesList();
                        if (WatchSelection.missing(view, names)) {
                            yield false;
                        }
                        if (!WatchSelection.sotwVersion(type, view, names)
                                .equals(sotw.watch().request().getVersionInfo())) {
                            answers.add(Answer.stateOfTheWorld(state, type, sotw.watch(), view));
                            yield false;
                        }
                        yield !sotw.watch().request().hasErrorDetail();
                    }
                    case OpenWatch.Delta delta -> {
                        DeltaWatch watch = delta.watch();
                        if (view.version().equals(watch.version())) {
                            yield false;
                        }
                        GatewayTarget.Diff diff = target.diff(state.served.getOrDefault(type, ServedView.EMPTY), view);
                        Map<String, VersionedResource<?>> changed = WatchSelection.changed(watch, diff.changed());
                        List<String> removed = WatchSelection.heldAndGone(watch, diff.removed());
                        if (!changed.isEmpty() || !removed.isEmpty()) {
                            answers.add(Answer.delta(state, type, watch, view, changed, removed));
                            yield false;
                        }
                        if (WatchSelection.firstOfWildcard(watch)) {
                            answers.add(Answer.delta(state, type, watch, view, Map.of(), List.of()));
                        }
                        state.served.put(type, view);
                        yield true;
                    }
                };
                if (held && !state.rejected.contains(type) && state.acked.get(type) != view) {
                    state.served.put(type, view);
                    state.acked.put(type, view);
                    again = true;
                    break;
                }
            }
        }
        return answers;
    }
}
