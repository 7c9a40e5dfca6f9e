package dev.gantry.xds;

import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.Watch;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * What {@link GatewayXdsCache} knows of one proxy stream: per type, what the proxy acknowledged, what it was last
 * served, the response it has yet to answer and the watch waiting for something new. Guarded by the cache's lock.
 */
final class StreamState {

    /** The Gateway (node group) the stream's proxy belongs to. */
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

    /** Records that a response of a type serving a view at a version was worked out, and retires its watch. */
    void answered(ResourceType type, ServedView view, String version) {
        open.remove(type);
        served.put(type, view);
        sentVersion.put(type, version);
        awaitedNonce.remove(type);
    }

    /** A stream's watch waiting for something new to send. */
    sealed interface OpenWatch {
        record StateOfTheWorld(Watch watch) implements OpenWatch {}

        record Delta(DeltaWatch watch) implements OpenWatch {}
    }
}
