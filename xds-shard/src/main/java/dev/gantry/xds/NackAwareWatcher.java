package dev.gantry.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * After a NACK, waits for new content instead of sending the rejected version again. A state-of-the-world NACK
 * carries the last version the proxy accepted; the cache would see that it differs from the snapshot and resend
 * the rejected snapshot at once, in a loop. The callbacks know which version a NACK rejected; this watcher
 * answers the NACK's watch as if the proxy held that version, so the next response is the next change.
 */
final class NackAwareWatcher implements ConfigWatcher {

    /** The rejected version of the request being handled on this thread, set by the callbacks just before. */
    static final ThreadLocal<String> REJECTED_VERSION = new ThreadLocal<>();

    private final ConfigWatcher cache;

    NackAwareWatcher(ConfigWatcher cache) {
        this.cache = cache;
    }

    @Override
    public Watch createWatch(
            boolean ads,
            XdsRequest request,
            Set<String> knownResourceNames,
            Consumer<Response> responseConsumer,
            boolean hasClusterChanged,
            boolean allowDefaultEmptyEdsUpdate) {
        String rejected = REJECTED_VERSION.get();
        REJECTED_VERSION.remove();
        XdsRequest effective = request;
        if (rejected != null && request.hasErrorDetail()) {
            effective = XdsRequest.create(
                    request.v3Request().toBuilder().setVersionInfo(rejected).build());
        }
        return cache.createWatch(
                ads, effective, knownResourceNames, responseConsumer, hasClusterChanged, allowDefaultEmptyEdsUpdate);
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
        return cache.createDeltaWatch(
                request,
                requesterVersion,
                resourceVersions,
                pendingResources,
                isWildcard,
                responseConsumer,
                hasClusterChanged);
    }
}
