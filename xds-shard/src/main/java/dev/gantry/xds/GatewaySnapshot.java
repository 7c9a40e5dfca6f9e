package dev.gantry.xds;

import com.google.protobuf.Message;
import dev.gantry.envoy.ContentHash;
import dev.gantry.envoy.EnvoyResources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Gateway's xDS snapshot with Gantry's content-hash versions: per resource (delta xDS sends only resources
 * whose version changed) and per type (a state-of-the-world type is resent only when its version changes, and
 * for named requests the version covers just the named resources).
 */
final class GatewaySnapshot extends Snapshot {

    private final EnvoyResources resources;
    private final SnapshotResources<Cluster> clusters;
    private final SnapshotResources<ClusterLoadAssignment> endpoints;
    private final SnapshotResources<Listener> listeners;
    private final SnapshotResources<RouteConfiguration> routes;
    private final SnapshotResources<Secret> secrets;

    GatewaySnapshot(EnvoyResources resources) {
        this.resources = resources;
        this.clusters = of(resources.clusters());
        this.endpoints = of(resources.endpoints());
        this.listeners = of(resources.listeners());
        this.routes = of(resources.routes());
        this.secrets = of(resources.secrets());
    }

    EnvoyResources resources() {
        return resources;
    }

    private static <T extends Message> SnapshotResources<T> of(List<EnvoyResources.Versioned<T>> versioned) {
        List<VersionedResource<T>> list = new ArrayList<>(versioned.size());
        for (EnvoyResources.Versioned<T> resource : versioned) {
            list.add(VersionedResource.create(resource.resource(), resource.version()));
        }
        String typeVersion = EnvoyResources.typeVersion(versioned);
        SnapshotResources<T>[] holder = new SnapshotResources[1];
        holder[0] = SnapshotResources.create(list, names -> {
            if (names.isEmpty()) {
                return typeVersion;
            }
            Map<String, VersionedResource<T>> byName = holder[0].versionedResources();
            ContentHash hash = new ContentHash();
            for (String name : names) {
                VersionedResource<T> resource = byName.get(name);
                hash.add(name).add(resource == null ? "-" : resource.version());
            }
            return hash.hex();
        });
        return holder[0];
    }

    @Override
    public SnapshotResources<Cluster> clusters() {
        return clusters;
    }

    @Override
    public SnapshotResources<ClusterLoadAssignment> endpoints() {
        return endpoints;
    }

    @Override
    public SnapshotResources<Listener> listeners() {
        return listeners;
    }

    @Override
    public SnapshotResources<RouteConfiguration> routes() {
        return routes;
    }

    @Override
    public SnapshotResources<Secret> secrets() {
        return secrets;
    }
}
