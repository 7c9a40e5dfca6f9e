package dev.gantry.xds.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.gantry.envoy.EnvoyReferences;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Set;

/**
 * What a listener or route configuration needs to be served by a proxy, as {@link EnvoyReferences} finds it: the
 * clusters its routes and TCP, TLS and UDP proxy filters send to, the route configurations its
 * HttpConnectionManagers take from RDS, and the secrets its TLS filter chains name. Worked out once per received
 * resource: a fleet sharing resources shares the answer.
 *
 * @param clusters cluster names
 * @param routes RDS route configuration names (a listener's; none for a route configuration)
 * @param secrets SDS secret names
 */
record References(Set<String> clusters, Set<String> routes, Set<String> secrets) {

    static final References NONE = new References(Set.of(), Set.of(), Set.of());

    /** Keyed by the resource's identity: equal resources held by many simulated proxies are one object. */
    private static final Cache<Any, References> KNOWN =
            Caffeine.newBuilder().weakKeys().build();

    private static final Cache<Any, Boolean> EDS =
            Caffeine.newBuilder().weakKeys().build();

    References {
        clusters = Set.copyOf(clusters);
        routes = Set.copyOf(routes);
        secrets = Set.copyOf(secrets);
    }

    /** Whether a cluster takes its endpoints from EDS (and so warms until they arrive). */
    static boolean isEdsCluster(Any cluster) {
        return EDS.get(cluster, any -> unpack(any, Cluster.class).getType() == Cluster.DiscoveryType.EDS);
    }

    static References of(String type, Any resource) {
        if (!type.equals(AdsClient.LISTENER) && !type.equals(AdsClient.ROUTE)) {
            return NONE;
        }
        return KNOWN.get(resource, any -> {
            EnvoyReferences named = EnvoyReferences.of(
                    type.equals(AdsClient.LISTENER)
                            ? unpack(any, Listener.class)
                            : unpack(any, RouteConfiguration.class));
            return new References(named.clusters(), named.routeConfigurations(), named.secrets());
        });
    }

    private static <T extends Message> T unpack(Any any, Class<T> type) {
        try {
            return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("malformed " + type.getSimpleName() + " from the server", e);
        }
    }
}
