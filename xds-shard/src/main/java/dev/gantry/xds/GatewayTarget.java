package dev.gantry.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Gateway's snapshot as {@link GatewayXdsCache} serves it: one view per type, and what is worked out from it once for
 * every stream in the same state (the plans {@link PhasePlanner} makes, the views they name, how two views differ).
 * Guarded by the cache's lock.
 */
final class GatewayTarget {

    /** Distinct stream states whose plans a Gateway remembers until its next snapshot. */
    private static final int PLANS_REMEMBERED = 1024;

    private final Map<ResourceType, ServedView> views = new EnumMap<>(ResourceType.class);
    private final Map<List<ServedView>, Map<ResourceType, ServedView>> plans = new HashMap<>();
    private final Map<List<ServedView>, Diff> diffs = new HashMap<>();
    /** Every view planned from this snapshot, by type and version: streams in the same step share one. */
    private final Map<ResourceType, Map<String, ServedView>> planned = new EnumMap<>(ResourceType.class);

    /**
     * @param previous the Gateway's target before, whose views of the types that did not change are kept: streams
     *     that hold them then hold the very views of this target, and share its plans
     */
    GatewayTarget(GatewaySnapshot snapshot, GatewayTarget previous) {
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

    /** The snapshot's view of a type. */
    ServedView view(ResourceType type) {
        return views.get(type);
    }

    /** The views a stream is to be served now. */
    Map<ResourceType, ServedView> plan(StreamState state) {
        ServedView[] key = new ServedView[10];
        int i = 0;
        for (ResourceType type : Resources.RESOURCE_TYPES_IN_ORDER) {
            key[i++] = state.acked.get(type);
            key[i++] = state.served.get(type);
        }
        List<ServedView> holding = Arrays.asList(key);
        Map<ResourceType, ServedView> plan = plans.get(holding);
        if (plan == null) {
            plan = PhasePlanner.plan(views, new PhasePlanner.Holding(state.acked, state.served));
            plan.replaceAll(this::intern);
            if (plans.size() >= PLANS_REMEMBERED) {
                plans.clear();
            }
            plans.put(holding, plan);
        }
        return plan;
    }

    private ServedView intern(ResourceType type, ServedView view) {
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

    /** How one view differs from the next. */
    record Diff(Map<String, VersionedResource<?>> changed, List<String> removed) {

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
}
