package dev.gantry.envoy;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * The Envoy resources of one Gateway, each type ordered by name, every resource with a content-hash version.
 * Equal inputs give equal resources and versions, on every shard.
 *
 * @param listeners LDS resources
 * @param routes RDS resources
 * @param clusters CDS resources
 * @param endpoints EDS resources
 * @param secrets SDS resources
 */
public record EnvoyResources(
        List<Versioned<Listener>> listeners,
        List<Versioned<RouteConfiguration>> routes,
        List<Versioned<Cluster>> clusters,
        List<Versioned<ClusterLoadAssignment>> endpoints,
        List<Versioned<Secret>> secrets) {

    public EnvoyResources {
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        clusters = List.copyOf(clusters);
        endpoints = List.copyOf(endpoints);
        secrets = List.copyOf(secrets);
    }

    /**
     * A resource and the hash of its serialized form.
     *
     * @param name resource name
     * @param resource the message
     * @param version content hash, as 16 hex digits
     * @param hash the same content hash as a number
     * @param size serialized size in bytes
     */
    public record Versioned<T extends Message>(String name, T resource, String version, long hash, int size) {}

    /**
     * Version of one resource type: a sum of mixed (name, content hash) pairs, so it changes whenever a resource
     * is added, removed or changed, and costs a few nanoseconds per resource instead of a hash over all of them.
     */
    public static String typeVersion(List<? extends Versioned<?>> resources) {
        return String.format("%016x", typeHash(resources));
    }

    private static long typeHash(List<? extends Versioned<?>> resources) {
        long sum = resources.size();
        for (Versioned<?> resource : resources) {
            sum += mix(resource.hash() ^ (resource.name().hashCode() * 0x9E3779B97F4A7C15L));
        }
        return sum;
    }

    /** SplitMix64's finalizer: spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A version covering every type. */
    public String version() {
        long sum = mix(typeHash(listeners))
                + 3 * mix(typeHash(routes) + 1)
                + 5 * mix(typeHash(clusters) + 2)
                + 7 * mix(typeHash(endpoints) + 3)
                + 11 * mix(typeHash(secrets) + 4);
        return String.format("%016x", sum);
    }

    public int resourceCount() {
        return listeners.size() + routes.size() + clusters.size() + endpoints.size() + secrets.size();
    }

    /** Total serialized bytes of every resource. */
    public long totalBytes() {
        long total = 0;
        for (List<? extends Versioned<?>> type : List.of(listeners, routes, clusters, endpoints, secrets)) {
            for (Versioned<?> resource : type) {
                total += resource.size();
            }
        }
        return total;
    }

    /** Every resource message, for validation and dumps. */
    public List<Message> all() {
        List<Message> all = new ArrayList<>();
        for (List<? extends Versioned<?>> type : List.of(listeners, routes, clusters, endpoints, secrets)) {
            type.forEach(v -> all.add(v.resource()));
        }
        return all;
    }
}
