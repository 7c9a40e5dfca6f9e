package dev.gantry.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Resources.ResourceType;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The steps of make-before-break, one rule at a time, on small hand-made configs. */
class PhasePlannerTest {

    private static final Listener HTTP = listener("tcp-80", "http-80", null);
    private static final Cluster OLD = cluster("old");
    private static final Cluster NEW = cluster("new");

    @Test
    void routesToANewClusterWaitUntilTheProxyAcknowledgedItAndTheOldClusterStaysMeanwhile() {
        Map<ResourceType, ServedView> before = views(
                List.of(HTTP), List.of(table("http-80", "old")), List.of(OLD), List.of(endpoints("old")), List.of());
        Map<ResourceType, ServedView> after = views(
                List.of(HTTP), List.of(table("http-80", "new")), List.of(NEW), List.of(endpoints("new")), List.of());

        PhasePlanner.Holding settled = holding(before, before);
        Map<ResourceType, ServedView> first = PhasePlanner.plan(after, settled);
        assertEquals(
                Set.of("old", "new"), names(first, ResourceType.CLUSTER), "make: the new cluster, and keep the old");
        assertEquals(Set.of("old", "new"), names(first, ResourceType.ENDPOINT));
        assertSame(before.get(ResourceType.ROUTE), first.get(ResourceType.ROUTE), "routes wait for the cluster ACK");
        assertSame(before.get(ResourceType.LISTENER), first.get(ResourceType.LISTENER));

        Map<ResourceType, ServedView> clustersAcked = new EnumMap<>(before);
        clustersAcked.put(ResourceType.CLUSTER, first.get(ResourceType.CLUSTER));
        clustersAcked.put(ResourceType.ENDPOINT, first.get(ResourceType.ENDPOINT));
        Map<ResourceType, ServedView> second = PhasePlanner.plan(after, holding(clustersAcked, clustersAcked));
        assertSame(after.get(ResourceType.ROUTE), second.get(ResourceType.ROUTE), "then the routes move");
        assertEquals(Set.of("old", "new"), names(second, ResourceType.CLUSTER), "the old cluster until they are ACKed");

        Map<ResourceType, ServedView> routesSent = new EnumMap<>(clustersAcked);
        routesSent.put(ResourceType.ROUTE, second.get(ResourceType.ROUTE));
        Map<ResourceType, ServedView> inFlight = PhasePlanner.plan(after, holding(clustersAcked, routesSent));
        assertEquals(
                Set.of("old", "new"),
                names(inFlight, ResourceType.CLUSTER),
                "a route response on its way (or rejected) still holds the old cluster");

        Map<ResourceType, ServedView> last = PhasePlanner.plan(after, holding(routesSent, routesSent));
        assertSame(after.get(ResourceType.CLUSTER), last.get(ResourceType.CLUSTER), "break: once the routes are ACKed");
        assertSame(after.get(ResourceType.ENDPOINT), last.get(ResourceType.ENDPOINT));
    }

    @Test
    void nothingIsServedOfListenersAndRoutesBeforeTheFirstClustersAreAcknowledged() {
        Map<ResourceType, ServedView> target = views(
                List.of(HTTP), List.of(table("http-80", "new")), List.of(NEW), List.of(endpoints("new")), List.of());
        Map<ResourceType, ServedView> plan = PhasePlanner.plan(target, holding(Map.of(), Map.of()));
        assertNull(plan.get(ResourceType.LISTENER));
        assertNull(plan.get(ResourceType.ROUTE));
        assertSame(target.get(ResourceType.CLUSTER), plan.get(ResourceType.CLUSTER));
    }

    @Test
    void aClusterTheSnapshotDoesNotHoldDoesNotHoldBackTheRoutes() {
        Map<ResourceType, ServedView> before = views(
                List.of(HTTP), List.of(table("http-80", "old")), List.of(OLD), List.of(endpoints("old")), List.of());
        Map<ResourceType, ServedView> target = views(
                List.of(HTTP),
                List.of(table("http-80", "gantry-unresolved-backend")),
                List.of(OLD),
                List.of(endpoints("old")),
                List.of());
        Map<ResourceType, ServedView> plan = PhasePlanner.plan(target, holding(before, before));
        assertSame(target.get(ResourceType.ROUTE), plan.get(ResourceType.ROUTE));
    }

    @Test
    void aRemovedListenersRouteTableAndSecretStayUntilTheListenerRemovalIsAcknowledged() {
        Listener https = listener("tcp-443", "https-443", "cert/app");
        Map<ResourceType, ServedView> before = views(
                List.of(HTTP, https),
                List.of(table("http-80", "old"), table("https-443", "old")),
                List.of(OLD),
                List.of(endpoints("old")),
                List.of(secret("cert/app")));
        Map<ResourceType, ServedView> after = views(
                List.of(HTTP), List.of(table("http-80", "old")), List.of(OLD), List.of(endpoints("old")), List.of());

        Map<ResourceType, ServedView> first = PhasePlanner.plan(after, holding(before, before));
        assertSame(after.get(ResourceType.LISTENER), first.get(ResourceType.LISTENER), "the listener goes at once");
        assertEquals(Set.of("http-80", "https-443"), names(first, ResourceType.ROUTE));
        assertEquals(Set.of("cert/app"), names(first, ResourceType.SECRET));

        Map<ResourceType, ServedView> listenerAcked = new EnumMap<>(before);
        listenerAcked.put(ResourceType.LISTENER, first.get(ResourceType.LISTENER));
        Map<ResourceType, ServedView> last = PhasePlanner.plan(after, holding(listenerAcked, listenerAcked));
        assertEquals(Set.of("http-80"), names(last, ResourceType.ROUTE));
        assertEquals(Set.of(), names(last, ResourceType.SECRET));
    }

    @Test
    void theSameHoldingGivesTheSameViewsAndANewerSnapshotSupersedesAStepInProgress() {
        Map<ResourceType, ServedView> before = views(
                List.of(HTTP), List.of(table("http-80", "old")), List.of(OLD), List.of(endpoints("old")), List.of());
        Map<ResourceType, ServedView> middle = views(
                List.of(HTTP), List.of(table("http-80", "new")), List.of(NEW), List.of(endpoints("new")), List.of());
        Cluster newest = cluster("newest");
        Map<ResourceType, ServedView> latest = views(
                List.of(HTTP),
                List.of(table("http-80", "newest")),
                List.of(newest),
                List.of(endpoints("newest")),
                List.of());
        Map<ResourceType, ServedView> step = PhasePlanner.plan(middle, holding(before, before));
        Map<ResourceType, ServedView> clustersSent = new EnumMap<>(before);
        clustersSent.put(ResourceType.CLUSTER, step.get(ResourceType.CLUSTER));
        // The proxy has the middle step's clusters on their way when a newer snapshot comes: "new" was never routed to.
        Map<ResourceType, ServedView> plan = PhasePlanner.plan(latest, holding(before, clustersSent));
        assertEquals(Set.of("old", "newest"), names(plan, ResourceType.CLUSTER));
        assertEquals(
                plan.get(ResourceType.CLUSTER).version(),
                PhasePlanner.plan(latest, holding(before, clustersSent))
                        .get(ResourceType.CLUSTER)
                        .version());
    }

    private static PhasePlanner.Holding holding(
            Map<ResourceType, ServedView> acked, Map<ResourceType, ServedView> served) {
        return new PhasePlanner.Holding(acked, served);
    }

    private static Set<String> names(Map<ResourceType, ServedView> plan, ResourceType type) {
        return plan.get(type).resources().keySet();
    }

    private static Map<ResourceType, ServedView> views(
            List<Listener> listeners,
            List<RouteConfiguration> tables,
            List<Cluster> clusters,
            List<ClusterLoadAssignment> endpoints,
            List<Secret> secrets) {
        Map<ResourceType, ServedView> views = new EnumMap<>(ResourceType.class);
        views.put(ResourceType.LISTENER, view(listeners));
        views.put(ResourceType.ROUTE, view(tables));
        views.put(ResourceType.CLUSTER, view(clusters));
        views.put(ResourceType.ENDPOINT, view(endpoints));
        views.put(ResourceType.SECRET, view(secrets));
        return views;
    }

    private static ServedView view(List<? extends Message> resources) {
        Map<String, VersionedResource<?>> byName = new LinkedHashMap<>();
        StringBuilder version = new StringBuilder();
        for (Message resource : resources) {
            String hash = Integer.toHexString(resource.hashCode());
            byName.put(Resources.getResourceName(resource), VersionedResource.create(resource, hash));
            version.append(hash).append('.');
        }
        return ServedView.of(version.toString(), byName);
    }

    private static Listener listener(String name, String table, String secret) {
        HttpConnectionManager manager = HttpConnectionManager.newBuilder()
                .setRds(Rds.newBuilder().setRouteConfigName(table))
                .build();
        FilterChain.Builder chain = FilterChain.newBuilder()
                .addFilters(Filter.newBuilder().setName("hcm").setTypedConfig(Any.pack(manager)));
        if (secret != null) {
            chain.setTransportSocket(TransportSocket.newBuilder()
                    .setName("tls")
                    .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder()
                            .setCommonTlsContext(CommonTlsContext.newBuilder()
                                    .addTlsCertificateSdsSecretConfigs(
                                            SdsSecretConfig.newBuilder().setName(secret)))
                            .build())));
        }
        return Listener.newBuilder().setName(name).addFilterChains(chain).build();
    }

    private static RouteConfiguration table(String name, String cluster) {
        return RouteConfiguration.newBuilder()
                .setName(name)
                .addVirtualHosts(VirtualHost.newBuilder()
                        .setName("*")
                        .addDomains("*")
                        .addRoutes(Route.newBuilder()
                                .setRoute(RouteAction.newBuilder().setCluster(cluster))))
                .build();
    }

    private static Cluster cluster(String name) {
        return Cluster.newBuilder()
                .setName(name)
                .setType(Cluster.DiscoveryType.EDS)
                .build();
    }

    private static ClusterLoadAssignment endpoints(String cluster) {
        return ClusterLoadAssignment.newBuilder().setClusterName(cluster).build();
    }

    private static Secret secret(String name) {
        return Secret.newBuilder().setName(name).build();
    }
}
