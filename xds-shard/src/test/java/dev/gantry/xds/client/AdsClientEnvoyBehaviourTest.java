package dev.gantry.xds.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import dev.gantry.testing.Eventually;
import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The test client behaves as Envoy does where it matters for live traffic: a new EDS cluster warms until its
 * endpoints arrive and its CDS response is ACKed only then, and after every response it checks that nothing it
 * holds names a cluster it does not hold warm. Served by java-control-plane's own cache, fed snapshots by hand.
 */
class AdsClientEnvoyBehaviourTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final ConfigSource ADS = ConfigSource.newBuilder()
      .setAds(AggregatedConfigSource.getDefaultInstance()).build();

  private final SimpleCache<String> cache = new SimpleCache<>((NodeGroup<String>) node -> "proxies");
  /** What crossed the stream, in order: "response <type> <names> <nonce>" and "ack <type> <nonce>". */
  private final List<String> events = new CopyOnWriteArrayList<>();
  private Server server;
  private AdsClient client;
  private int version;

  @BeforeEach
  void start() throws Exception {
    V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(new DiscoveryServerCallbacks() {
      @Override
      public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
        if (!request.getResponseNonce().isEmpty() && !request.hasErrorDetail()) {
          events.add("ack " + shortType(request.getTypeUrl()) + " " + request.getResponseNonce());
        }
      }

      @Override
      public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
        if (!request.getResponseNonce().isEmpty() && !request.hasErrorDetail()) {
          events.add("ack " + shortType(request.getTypeUrl()) + " " + request.getResponseNonce());
        }
      }

      @Override
      public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
        events.add("response " + shortType(response.getTypeUrl()) + " " + response.getResourcesList().stream()
            .map(any -> AdsClient.nameOf(response.getTypeUrl(), any)).sorted().toList() + " " + response.getNonce());
      }

      @Override
      public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request,
          DeltaDiscoveryResponse response) {
        events.add("response " + shortType(response.getTypeUrl()) + " " + response.getResourcesList().stream()
            .map(r -> r.getName()).sorted().toList() + " " + response.getNonce());
      }
    }), cache);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(discovery.getAggregatedDiscoveryServiceImpl()).build().start();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.shutdownNow();
  }

  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }

  private void serve(List<String> clusters, String routeTo) {
    String v = Integer.toString(++version);
    cache.setSnapshot("proxies", Snapshot.create(
        clusters.stream().map(AdsClientEnvoyBehaviourTest::cluster).toList(), "c" + clusters,
        clusters.stream().map(AdsClientEnvoyBehaviourTest::endpoints).toList(), "e" + clusters,
        List.of(listener()), "l",
        List.of(routes(routeTo)), "r" + routeTo,
        List.of(), "s" + v));
  }

  private AdsClient connect(AdsClient.Protocol protocol) {
    client = AdsClient.connect("127.0.0.1", server.getPort(), "envoy", "team/gw", protocol);
    return client;
  }

  private static String route(AdsClient client) {
    RouteConfiguration table = client.resource(AdsClient.ROUTE, "routes", RouteConfiguration.class);
    return table == null ? "" : table.getVirtualHosts(0).getRoutes(0).getRoute().getCluster();
  }

  @ParameterizedTest
  @EnumSource(AdsClient.Protocol.class)
  void switchingARouteInOneStepIsSeenAsAWindowOfFailedRequests(AdsClient.Protocol protocol) {
    serve(List.of("a"), "a");
    AdsClient proxy = connect(protocol);
    Eventually.await(TIMEOUT, "configured", () -> proxy.warm() && proxy.clusterWarm("a") && route(proxy).equals("a"));
    assertEquals(0, proxy.makeBeforeBreakViolations());
    // Cluster a replaced by b and the route moved, all at once: one of them reaches the proxy first.
    serve(List.of("b"), "b");
    Eventually.await(TIMEOUT, "moved", () -> route(proxy).equals("b") && proxy.clusterWarm("b")
        && proxy.names(AdsClient.CLUSTER).equals(Set.of("b")));
    assertTrue(proxy.makeBeforeBreakViolations() > 0, "the window is counted");
    assertTrue(proxy.violationSamples().getFirst().contains("cluster "), proxy.violationSamples().toString());
  }

  @ParameterizedTest
  @EnumSource(AdsClient.Protocol.class)
  void makeBeforeBreakInStepsHasNoWindowAndTheCdsAckWaitsForTheEndpoints(AdsClient.Protocol protocol) {
    serve(List.of("a"), "a");
    AdsClient proxy = connect(protocol);
    Eventually.await(TIMEOUT, "configured", () -> proxy.warm() && proxy.clusterWarm("a") && route(proxy).equals("a"));
    // Make: b beside a. Then move the route. Then break: a goes.
    serve(List.of("a", "b"), "a");
    Eventually.await(TIMEOUT, "b warm", () -> proxy.clusterWarm("b"));
    serve(List.of("a", "b"), "b");
    Eventually.await(TIMEOUT, "route on b", () -> route(proxy).equals("b"));
    serve(List.of("b"), "b");
    Eventually.await(TIMEOUT, "a gone", () -> proxy.names(AdsClient.CLUSTER).equals(Set.of("b")));
    assertEquals(0, proxy.makeBeforeBreakViolations(), proxy.violationSamples().toString());

    // Envoy ACKs the CDS response that brought b only once b's endpoints are there.
    String cds = events.stream().filter(e -> e.startsWith("response Cluster ") && names(e).contains("b"))
        .findFirst().orElseThrow();
    String nonce = cds.substring(cds.lastIndexOf(' ') + 1);
    int ack = events.indexOf("ack Cluster " + nonce);
    int endpoints = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith("response ClusterLoadAssignment ") && names(events.get(i)).contains("b")) {
        endpoints = i;
        break;
      }
    }
    assertTrue(ack > 0 && endpoints > 0 && ack > endpoints, "the CDS ACK came after b's endpoints: " + events);
  }

  /** The resource names of a recorded response. */
  private static List<String> names(String event) {
    String list = event.substring(event.indexOf('[') + 1, event.indexOf(']'));
    return list.isEmpty() ? List.of() : List.of(list.split(", "));
  }

  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1)).build();
  }

  private static ClusterLoadAssignment endpoints(String name) {
    return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(LocalityLbEndpoints.newBuilder())
        .build();
  }

  private static Listener listener() {
    HttpConnectionManager manager = HttpConnectionManager.newBuilder().setStatPrefix("http")
        .setRds(Rds.newBuilder().setRouteConfigName("routes").setConfigSource(ADS)).build();
    return Listener.newBuilder().setName("http").addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
        .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(manager)))).build();
  }

  private static RouteConfiguration routes(String cluster) {
    return RouteConfiguration.newBuilder().setName("routes").addVirtualHosts(VirtualHost.newBuilder().setName("all")
        .addDomains("*").addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster(cluster)))).build();
  }
}
