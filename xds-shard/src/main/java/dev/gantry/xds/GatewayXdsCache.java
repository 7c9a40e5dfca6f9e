package dev.gantry.xds;

import com.google.protobuf.Message;
import dev.gantry.envoy.ContentHash;
import dev.gantry.runtime.Parallel;
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
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 */
final class GatewayXdsCache implements ConfigWatcher {

    /** The stream whose request the current thread handles; set by {@link #requestArrived} just before the watch. */
    static final ThreadLocal<Long> STREAM = new ThreadLocal<>();

    /** Fewest streams to answer whose sending is spread over threads. */
    private static final int SPREAD_FROM = 64;
    /** Distinct stream states whose plans a Gateway remembers until its next snapshot. */
    private static final int PLANS_REMEMBERED = 1024;
    /** The version of an empty selection: the answer to a request naming nothing. */
    private static final String NOTHING_SELECTED = new ContentHash().hex();

    private static final Logger LOG = LoggerFactory.getLogger(GatewayXdsCache.class);

    private final NodeGroup<String> groups;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<String, Target> targets = new HashMap<>();
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
        sendAll(answers);
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
            Target target = targets.get(state.group);
            ServedView view = target == null ? null : plan(state, target).get(type);
            List<String> names = request.getResourceNamesList();
            if (view != null && !missing(view, names)) {
                String version = sotwVersion(type, view, names);
                boolean newNames = !knownResourceNames.containsAll(names)
                        && names.stream().anyMatch(name -> !knownResourceNames.contains(name) && view.contains(name));
                if (newNames
                        || (hasClusterChanged && type == ResourceType.ENDPOINT)
                        || !request.getVersionInfo().equals(version)) {
                    answers.add(sotwAnswer(state, type, watch, view));
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
        sendAll(answers);
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
            Target target = targets.get(state.group);
            ServedView view = target == null ? null : plan(state, target).get(type);
            if (view != null) {
                Map<String, VersionedResource<?>> resources = view.resources();
                if (!view.version().equals(requesterVersion)) {
                    Map<String, VersionedResource<?>> changed = changed(watch, resources);
                    List<String> removed = heldButAbsent(watch, resources.keySet());
                    if (!changed.isEmpty() || !removed.isEmpty()) {
                        answer = deltaAnswer(state, type, watch, view, changed, removed);
                    } else if (!state.rejected.contains(type)) {
                        // The proxy holds this view already (as after a reconnect): what waits for it may go on.
                        state.served.put(type, view);
                        state.acked.put(type, view);
                        answers.addAll(answerOpenWatches(state));
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
                        answer = deltaAnswer(state, type, watch, view, requested, List.of());
                    }
                } else if (hasClusterChanged && type == ResourceType.ENDPOINT) {
                    // Envoy drops endpoints when their cluster changes: send them again even at the same version.
                    Map<String, VersionedResource<?>> changed = changed(watch, resources);
                    List<String> removed = heldButAbsent(watch, resources.keySet());
                    if (!changed.isEmpty() || !removed.isEmpty()) {
                        answer = deltaAnswer(state, type, watch, view, changed, removed);
                    }
                }
            }
            if (answer == null) {
                open(state, type, new OpenWatch.Delta(watch));
            } else {
                answers.add(answer);
            }
        }
        sendAll(answers);
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
            targets.put(group, new Target(snapshot, targets.get(group)));
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
        Parallel.forEachIndex(perStream.size(), SPREAD_FROM, i -> sendAll(perStream.get(i)));
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
                Target target = targets.get(state.group);
                if (target == null) {
                    continue;
                }
                for (ResourceType type : state.served.keySet()) {
                    ServedView acked = state.acked.get(type);
                    if (acked == null
                            || !acked.version().equals(target.views.get(type).version())) {
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

    /** The views a stream is to be served now (caller locks). */
    private Map<ResourceType, ServedView> plan(StreamState state, Target target) {
        ServedView[] key = new ServedView[10];
        int i = 0;
        for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
            key[i++] = state.acked.get(type);
            key[i++] = state.served.get(type);
        }
        List<ServedView> holding = Arrays.asList(key);
        Map<ResourceType, ServedView> plan = target.plans.get(holding);
        if (plan == null) {
            plan = PhasePlanner.plan(target.views, new PhasePlanner.Holding(state.acked, state.served));
            plan.replaceAll(target::intern);
            if (target.plans.size() >= PLANS_REMEMBERED) {
                target.plans.clear();
            }
            target.plans.put(holding, plan);
        }
        return plan;
    }

    /**
     * Answers a stream's open watches whose view changed, in Envoy's order of types (caller locks). A watch with
     * nothing to send shows that the proxy holds its view already (as after a reconnect, or a watch opened before the
     * Gateway's first snapshot): that counts as acknowledged, and the types waiting for it are looked at again.
     */
    private List<Answer> answerOpenWatches(StreamState state) {
        Target target = targets.get(state.group);
        if (target == null || state.open.isEmpty()) {
            return List.of();
        }
        List<Answer> answers = new ArrayList<>(0);
        boolean again = true;
        // Each round records a view as held that was not, and views only move towards the snapshot: few rounds.
        for (int round = 0; again && round < 8; round++) {
            again = false;
            Map<ResourceType, ServedView> plan = plan(state, target);
            for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
                OpenWatch open = state.open.get(type);
                ServedView view = plan.get(type);
                if (open == null || view == null) {
                    continue;
                }
                boolean held = switch (open) {
                    case OpenWatch.StateOfTheWorld sotw -> {
                        List<String> names = sotw.watch().request().getResourceNamesList();
                        if (missing(view, names)) {
                            yield false;
                        }
                        if (!sotwVersion(type, view, names)
                                .equals(sotw.watch().request().getVersionInfo())) {
                            answers.add(sotwAnswer(state, type, sotw.watch(), view));
                            yield false;
                        }
                        yield !sotw.watch().request().hasErrorDetail();
                    }
                    case OpenWatch.Delta delta -> {
                        DeltaWatch watch = delta.watch();
                        if (view.version().equals(watch.version())) {
                            yield false;
                        }
                        Diff diff = target.diff(state.served.getOrDefault(type, ServedView.EMPTY), view);
                        Map<String, VersionedResource<?>> changed = changed(watch, diff.changed());
                        List<String> removed = heldAndGone(watch, diff.removed());
                        if (!changed.isEmpty() || !removed.isEmpty()) {
                            answers.add(deltaAnswer(state, type, watch, view, changed, removed));
                            yield false;
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

    /** Records a state-of-the-world answer and retires its watch (caller locks). */
    private static Answer sotwAnswer(StreamState state, ResourceType type, Watch watch, ServedView view) {
        List<String> names = watch.request().getResourceNamesList();
        List<Message> resources = new ArrayList<>();
        if (names.isEmpty() && wildcard(type)) {
            view.resources().values().forEach(resource -> resources.add(resource.resource()));
        } else {
            for (String name : names) {
                VersionedResource<?> resource = view.resources().get(name);
                if (resource != null) {
                    resources.add(resource.resource());
                }
            }
        }
        String version = sotwVersion(type, view, names);
        served(state, type, view, version);
        return new Answer.StateOfTheWorld(watch, Response.create(watch.request(), resources, version));
    }

    /** Records a delta answer and retires its watch (caller locks). */
    private static Answer deltaAnswer(
            StreamState state,
            ResourceType type,
            DeltaWatch watch,
            ServedView view,
            Map<String, VersionedResource<?>> changed,
            List<String> removed) {
        served(state, type, view, view.version());
        return new Answer.Delta(watch, DeltaResponse.create(watch.request(), changed, removed, view.version()));
    }

    private static void served(StreamState state, ResourceType type, ServedView view, String version) {
        state.open.remove(type);
        state.served.put(type, view);
        state.sentVersion.put(type, version);
        state.awaitedNonce.remove(type);
    }

    /**
     * Whether a state-of-the-world request without names asks for every resource of its type: so for clusters and
     * listeners; a proxy asks for route configurations, endpoints and secrets by name, and without names for none.
     */
    private static boolean wildcard(ResourceType type) {
        return type == ResourceType.CLUSTER || type == ResourceType.LISTENER;
    }

    /** The version of what a state-of-the-world request selects from a view. */
    private static String sotwVersion(ResourceType type, ServedView view, List<String> names) {
        return names.isEmpty() && !wildcard(type) ? NOTHING_SELECTED : view.version(names);
    }

    /** Whether a state-of-the-world request names resources the view lacks: like SimpleCache, it waits for them. */
    private static boolean missing(ServedView view, List<String> names) {
        for (String name : names) {
            if (!view.contains(name)) {
                return true;
            }
        }
        return false;
    }

    private static void sendAll(List<Answer> answers) {
        for (Answer answer : answers) {
            answer.send();
        }
    }

    /** The candidates the proxy does not hold at their current version and is subscribed to (or takes all). */
    private static Map<String, VersionedResource<?>> changed(
            DeltaWatch watch, Map<String, VersionedResource<?>> candidates) {
        Map<String, VersionedResource<?>> changed = new LinkedHashMap<>();
        candidates.forEach((name, resource) -> {
            String held = watch.trackedResources().get(name);
            boolean wanted = watch.pendingResources().contains(name)
                    || (held == null ? watch.isWildcard() : !held.equals(resource.version()));
            if (wanted) {
                changed.put(name, resource);
            }
        });
        return changed;
    }

    /** The candidates the proxy holds, which are gone. */
    private static List<String> heldAndGone(DeltaWatch watch, List<String> gone) {
        List<String> removed = new ArrayList<>();
        for (String name : gone) {
            if (watch.trackedResources().containsKey(name)) {
                removed.add(name);
            }
        }
        return removed;
    }

    /** The names the proxy holds that are not among {@code present}. */
    private static List<String> heldButAbsent(DeltaWatch watch, Set<String> present) {
        List<String> removed = new ArrayList<>();
        for (String name : watch.trackedResources().keySet()) {
            if (!present.contains(name)) {
                removed.add(name);
            }
        }
        return removed;
    }

    /** A Gateway's snapshot as one view per type, and the plans worked out for it so far. */
    private static final class Target {
        final Map<ResourceType, ServedView> views = new EnumMap<>(ResourceType.class);
        final Map<List<ServedView>, Map<ResourceType, ServedView>> plans = new HashMap<>();
        private final Map<List<ServedView>, Diff> diffs = new HashMap<>();
        /** Every view planned from this snapshot, by type and version: streams in the same step share one. */
        private final Map<ResourceType, Map<String, ServedView>> planned = new EnumMap<>(ResourceType.class);

        /**
         * @param previous the Gateway's target before, whose views of the types that did not change are kept: streams
         *     that hold them then hold the very views of this target, and share its plans
         */
        Target(GatewaySnapshot snapshot, Target previous) {
            for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
                String version = snapshot.version(type, List.of());
                ServedView before = previous == null ? null : previous.views.get(type);
                views.put(
                        type,
                        before != null && before.version().equals(version)
                                ? before
                                : ServedView.of(version, snapshot.versionedResources(type)));
            }
        }

        ServedView intern(ResourceType type, ServedView view) {
            if (view == null) {
                return null;
            }
            Map<String, ServedView> ofType = planned.computeIfAbsent(type, t -> new HashMap<>());
            if (ofType.size() >= PLANS_REMEMBERED) {
                // Only sharing is lost: streams keep the views they hold.
                ofType.clear();
            }
            return ofType.computeIfAbsent(view.version(), v -> view);
        }

        /** How a view differs from another, worked out once for every stream that goes from one to the other. */
        Diff diff(ServedView before, ServedView after) {
            List<ServedView> key = List.of(before, after);
            Diff diff = diffs.get(key);
            if (diff == null) {
                if (diffs.size() >= PLANS_REMEMBERED) {
                    diffs.clear();
                }
                diff = Diff.between(before, after);
                diffs.put(key, diff);
            }
            return diff;
        }
    }

    /** What the cache knows of one stream (guarded by the cache's lock). */
    private static final class StreamState {
        final String group;
        final Map<ResourceType, ServedView> acked = new EnumMap<>(ResourceType.class);
        final Map<ResourceType, ServedView> served = new EnumMap<>(ResourceType.class);
        /** The version of the last response of each type, to know its nonce when it goes out. */
        final Map<ResourceType, String> sentVersion = new EnumMap<>(ResourceType.class);
        /** The nonce of the last response of each type, until the proxy acknowledges or rejects it. */
        final Map<ResourceType, String> awaitedNonce = new EnumMap<>(ResourceType.class);
        /** Types whose last response the proxy rejected. */
        final Set<ResourceType> rejected = EnumSet.noneOf(ResourceType.class);

        final Map<ResourceType, OpenWatch> open = new EnumMap<>(ResourceType.class);

        StreamState(String group) {
            this.group = group;
        }
    }

    /** A stream's watch waiting for something new to send. */
    private sealed interface OpenWatch {
        record StateOfTheWorld(Watch watch) implements OpenWatch {}

        record Delta(DeltaWatch watch) implements OpenWatch {}
    }

    /** How one view differs from the next. */
    private record Diff(Map<String, VersionedResource<?>> changed, List<String> removed) {

        static Diff between(ServedView before, ServedView after) {
            Map<String, VersionedResource<?>> changed = new LinkedHashMap<>();
            after.resources().forEach((name, resource) -> {
                VersionedResource<?> earlier = before.resources().get(name);
                if (earlier == null || !earlier.version().equals(resource.version())) {
                    changed.put(name, resource);
                }
            });
            List<String> removed = new ArrayList<>();
            for (String name : before.resources().keySet()) {
                if (!after.contains(name)) {
                    removed.add(name);
                }
            }
            return new Diff(changed, removed);
        }
    }

    /** A response worked out for a watch, to be sent once the lock is released. */
    private sealed interface Answer {

        void send();

        record StateOfTheWorld(Watch watch, Response response) implements Answer {
            @Override
            public void send() {
                deliver(() -> watch.respond(response), watch.request().getTypeUrl());
            }
        }

        record Delta(DeltaWatch watch, DeltaResponse response) implements Answer {
            @Override
            public void send() {
                deliver(() -> watch.respond(response), watch.request().getTypeUrl());
            }
        }
    }

    private interface Delivery {
        void run() throws WatchCancelledException;
    }

    private static void deliver(Delivery delivery, String typeUrl) {
        try {
            delivery.run();
        } catch (WatchCancelledException e) {
            // The stream went away, or opened a newer watch, meanwhile: nothing to answer here.
        } catch (RuntimeException e) {
            // One broken stream must not keep the answers from the others.
            LOG.warn("sending a {} response failed: {}", typeUrl, e.toString());
        }
    }
}
