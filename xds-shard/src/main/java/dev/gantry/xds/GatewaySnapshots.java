package dev.gantry.xds;

import dev.gantry.envoy.EnvoyResources;
import io.envoyproxy.controlplane.cache.v3.Snapshot;

/** Builds the xDS snapshot a shard publishes for a Gateway's resources (for benchmarks and tools). */
public final class GatewaySnapshots {

    private GatewaySnapshots() {}

    /** The snapshot a shard would serve for these resources, with Gantry's content-hash versions. */
    public static Snapshot of(EnvoyResources resources) {
        return new GatewaySnapshot(resources);
    }
}
