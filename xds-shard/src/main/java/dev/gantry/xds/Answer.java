package dev.gantry.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A response {@link GatewayXdsCache} worked out for a watch under its lock, to be sent once the lock is released: a
 * slow or broken stream then holds up neither the cache nor the other streams.
 */
sealed interface Answer {

    /** Logged under the cache's name: sending is the cache's work, done after its lock. */
    Logger LOG = LoggerFactory.getLogger(GatewayXdsCache.class);

    void send();

    /**
     * Works out the state-of-the-world response of a view to a watch, records it as the stream's latest of its type
     * and retires the watch (caller holds the cache's lock).
     */
    static Answer stateOfTheWorld(StreamState state, ResourceType type, Watch watch, ServedView view) {
        List<String> names = watch.request().getResourceNamesList();
        List<Message> resources = new ArrayList<>();
        if (names.isEmpty() && WatchSelection.wildcard(type)) {
            view.resources().values().forEach(resource -> resources.add(resource.resource()));
        } else {
            for (String name : names) {
                VersionedResource<?> resource = view.resources().get(name);
                if (resource != null) {
                    resources.add(resource.resource());
                }
            }
        }
        String version = WatchSelection.sotwVersion(type, view, names);
        state.answered(type, view, version);
        return new StateOfTheWorld(watch, Response.create(watch.request(), resources, version));
    }

    /**
     * Works out the delta response to a watch that brings the proxy to a view, records it as the stream's latest of
     * its type and retires the watch (caller holds the cache's lock).
     */
    static Answer delta(
            StreamState state,
            ResourceType type,
            DeltaWatch watch,
            ServedView view,
            Map<String, VersionedResource<?>> changed,
            List<String> removed) {
        state.answered(type, view, view.version());
        return new Delta(watch, DeltaResponse.create(watch.request(), changed, removed, view.version()));
    }

    static void sendAll(List<Answer> answers) {
        for (Answer answer : answers) {
            answer.send();
        }
    }

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

    /** Hands a response to its watch. */
    interface Delivery {
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
