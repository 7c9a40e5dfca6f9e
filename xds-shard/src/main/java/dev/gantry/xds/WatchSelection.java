package dev.gantry.xds;

import dev.gantry.envoy.ContentHash;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a watch's request selects from a served view: for state of the world the named resources and their version, for
 * delta the resources the proxy lacks or holds at another version, and those it holds that are gone.
 */
final class WatchSelection {

    /** The version of an empty selection: the answer to a request naming nothing. */
    private static final String NOTHING_SELECTED = new ContentHash().hex();

    private WatchSelection() {}

    /**
     * Whether a state-of-the-world request without names asks for every resource of its type: so for clusters and
     * listeners; a proxy asks for route configurations, endpoints and secrets by name, and without names for none.
     */
    static boolean wildcard(ResourceType type) {
        return type == ResourceType.CLUSTER || type == ResourceType.LISTENER;
    }

    /** The version of what a state-of-the-world request selects from a view. */
    static String sotwVersion(ResourceType type, ServedView view, List<String> names) {
        return names.isEmpty() && !wildcard(type) ? NOTHING_SELECTED : view.version(names);
    }

    /** Whether a state-of-the-world request names resources the view lacks: like SimpleCache, it waits for them. */
    static boolean missing(ServedView view, List<String> names) {
        for (String name : names) {
            if (!view.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a delta watch is the first of a wildcard subscription on its stream: nothing of its type was sent on the
     * stream yet. Envoy goes on initializing only once such a subscription has had a response (or after its initial
     * fetch timeout: for clusters 15 s before it even asks for listeners), so the watch is answered even when there
     * is nothing to send, as go-control-plane does.
     */
    static boolean firstOfWildcard(DeltaWatch watch) {
        return watch.isWildcard() && watch.version().isEmpty();
    }

    /** The candidates the proxy does not hold at their current version and is subscribed to (or takes all). */
    static Map<String, VersionedResource<?>> changed(DeltaWatch watch, Map<String, VersionedResource<?>> candidates) {
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
    static List<String> heldAndGone(DeltaWatch watch, List<String> gone) {
        List<String> removed = new ArrayList<>();
        for (String name : gone) {
            if (watch.trackedResources().containsKey(name)) {
                removed.add(name);
            }
        }
        return removed;
    }

    /** The names the proxy holds that are not among {@code present}. */
    static List<String> heldButAbsent(DeltaWatch watch, Set<String> present) {
        List<String> removed = new ArrayList<>();
        for (String name : watch.trackedResources().keySet()) {
            if (!present.contains(name)) {
                removed.add(name);
            }
        }
        return removed;
    }
}
