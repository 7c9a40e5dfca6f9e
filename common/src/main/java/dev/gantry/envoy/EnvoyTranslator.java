package dev.gantry.envoy;

import com.google.protobuf.Message;
import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.runtime.Parallel;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns a Gateway's {@link GatewayIr} into Envoy v3 resources: one Listener per port ({@link ListenerResources}),
 * one RouteConfiguration per HTTP filter chain, served over RDS ({@link RouteConfigurations}), EDS clusters for
 * Services and STRICT_DNS clusters for ExternalName Services ({@link ClusterResources}), and SDS secrets
 * ({@link SecretResources}). This class builds them side by side, remembers them in its {@link Memo} and gives each
 * its content-hash version. Pure: the same IR gives the same messages and versions.
 */
public final class EnvoyTranslator {

    /** The weighted-cluster name for backends that did not resolve; it never exists, so Envoy answers 500. */
    public static final String UNRESOLVED_BACKEND = "gantry-unresolved-backend";

    /** Where every RDS, EDS and SDS reference of a Gateway's resources is served: the proxy's ADS stream. */
    static final ConfigSource ADS = ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();

    /**
     * Remembers built resources by the IR they were built from. Building is a pure function of the IR, so a memo
     * changes only how often the work is done, never the result. Called from several threads at once while a large
     * Gateway is built, so it must be thread-safe.
     */
    public interface Memo {
        <T extends Message> EnvoyResources.Versioned<T> get(
                String type, Object ir, Supplier<EnvoyResources.Versioned<T>> build);
    }

    /** No memo: every resource is built each time. */
    public static final Memo NO_MEMO = new Memo() {
        @Override
        public <T extends Message> EnvoyResources.Versioned<T> get(
                String type, Object ir, Supplier<EnvoyResources.Versioned<T>> build) {
            return build.get();
        }
    };

    /**
     * Fewest resources worth building on several threads (each is built, serialized and hashed: tens of
     * microseconds).
     */
    public static final int IN_PARALLEL = 32;

    private final Memo memo;

    public EnvoyTranslator() {
        this(NO_MEMO);
    }

    public EnvoyTranslator(Memo memo) {
        this.memo = memo;
    }

    public EnvoyResources translate(GatewayIr ir) {
        List<ClusterIr> withEndpoints = edsClusters(ir.clusters());
        // One list of work, listeners first: a port with thousands of filter chains is the largest resource, and
        // starting on it first leaves the route tables to the other cores meanwhile.
        List<Supplier<EnvoyResources.Versioned<?>>> work = new ArrayList<>();
        ir.ports().forEach(port -> work.add(() -> versionedListener(port)));
        ir.routeTables().forEach(table -> work.add(() -> versionedRoutes(table)));
        ir.clusters().forEach(cluster -> work.add(() -> versionedCluster(cluster)));
        withEndpoints.forEach(cluster -> work.add(() -> versionedEndpoints(cluster)));
        ir.secrets().forEach(secret -> work.add(() -> versionedSecret(secret)));
        List<EnvoyResources.Versioned<?>> built = Parallel.map(work, IN_PARALLEL, Supplier::get);
        int listeners = ir.ports().size();
        int routes = listeners + ir.routeTables().size();
        int clusters = routes + ir.clusters().size();
        int endpoints = clusters + withEndpoints.size();
        return new EnvoyResources(
                slice(built, 0, listeners),
                slice(built, listeners, routes),
                slice(built, routes, clusters),
                slice(built, clusters, endpoints),
                slice(built, endpoints, built.size()));
    }

    /** The clusters whose endpoints come by EDS, in order. */
    static List<ClusterIr> edsClusters(List<ClusterIr> all) {
        List<ClusterIr> withEndpoints = new ArrayList<>(all.size());
        for (ClusterIr cluster : all) {
            if (cluster.discovery() == ClusterIr.Discovery.ENDPOINTS) {
                withEndpoints.add(cluster);
            }
        }
        return List.copyOf(withEndpoints);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Message> List<EnvoyResources.Versioned<T>> slice(
            List<EnvoyResources.Versioned<?>> all, int from, int to) {
        List<EnvoyResources.Versioned<T>> part = new ArrayList<>(to - from);
        for (EnvoyResources.Versioned<?> resource : all.subList(from, to)) {
            part.add((EnvoyResources.Versioned<T>) resource);
        }
        return part;
    }

    public EnvoyResources.Versioned<Listener> versionedListener(PortIr port) {
        return memo.get("listener", port, () -> versioned(port.name(), ListenerResources.listener(port)));
    }

    public EnvoyResources.Versioned<RouteConfiguration> versionedRoutes(RouteTableIr table) {
        return memo.get("route", table, () -> versioned(table.name(), RouteConfigurations.routeConfiguration(table)));
    }

    public EnvoyResources.Versioned<Cluster> versionedCluster(ClusterIr cluster) {
        return memo.get("cluster", cluster, () -> versioned(cluster.name(), ClusterResources.cluster(cluster)));
    }

    public EnvoyResources.Versioned<ClusterLoadAssignment> versionedEndpoints(ClusterIr cluster) {
        return memo.get(
                "endpoints", cluster, () -> versioned(cluster.name(), ClusterResources.loadAssignment(cluster)));
    }

    public EnvoyResources.Versioned<Secret> versionedSecret(SecretIr secret) {
        return memo.get("secret", secret, () -> versioned(secret.name(), SecretResources.secret(secret)));
    }

    /** Wraps a message with its content-hash version. */
    public static <T extends Message> EnvoyResources.Versioned<T> versioned(String name, T message) {
        byte[] bytes = ContentHash.deterministicBytes(message);
        long hash = new ContentHash().add(bytes).value();
        return new EnvoyResources.Versioned<>(name, message, HexFormat.of().toHexDigits(hash), hash, bytes.length);
    }
}
