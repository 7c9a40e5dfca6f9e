package dev.gantry.translate;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.ir.VirtualHostIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.Routes;
import dev.gantry.translate.RouteRules.PathModifier;
import dev.gantry.translate.RouteRules.RuleAction;
import dev.gantry.translate.RouteRules.RuleIr;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Lays a Gateway's programmable listeners and attached routes out as {@link GatewayIr}.
 *
 * <p>Layout, chosen so that a Gateway with thousands of domains stays cheap to update: one socket per port;
 * plain HTTP listeners of a port share one route table; every HTTPS listener gets its own SNI filter chain
 * with its own route table. A ListenerSet listener is typically one HTTPS hostname, so editing a route
 * re-sends only the small route table of that hostname, never the routes of every other domain.
 */
final class IrAssembler {

  /** One route attached to one listener with its effective hostnames. */
  record Placement(RouteRules route, List<String> hostnames) {
  }

  private final BackendResolver backends;
  private final Map<String, SecretIr> certificates;
  private final Set<String> usedClusters = new HashSet<>();
  private final Set<String> usedSecrets = new HashSet<>();

  IrAssembler(BackendResolver backends, Map<String, SecretIr> certificates) {
    this.backends = backends;
    this.certificates = certificates;
  }

  /**
   * @param gateway the Gateway
   * @param listeners merged listener list (only programmable ones are laid out)
   * @param placements routes per listener, each list in route precedence order
   */
  GatewayIr assemble(ObjectKey gateway, List<ListenerState> listeners,
      Map<ListenerState, List<Placement>> placements) {
    Map<String, List<ListenerState>> bySocket = new TreeMap<>();
    for (ListenerState listener : listeners) {
      if (listener.programmable()) {
        String socket = String.format(Locale.ROOT, "%05d/%s", listener.port, listener.isUdp() ? "udp" : "tcp");
        bySocket.computeIfAbsent(socket, k -> new ArrayList<>()).add(listener);
      }
    }
    List<PortIr> ports = new ArrayList<>();
    for (List<ListenerState> onSocket : bySocket.values()) {
      ListenerState first = onSocket.getFirst();
      List<FilterChainIr> chains = switch (first.portClass()) {
        case "HTTP" -> List.of(new FilterChainIr.Http("http", List.of(), List.of(),
            routeTable("http-" + first.port, onSocket, placements, null)));
        case "TLS" -> tlsChains(onSocket, placements);
        case "TCP" -> l4Chain(first, placements, false);
        case "UDP" -> l4Chain(first, placements, true);
        default -> List.of();
      };
      if (!chains.isEmpty()) {
        ports.add(new PortIr(first.port, first.isUdp() ? PortIr.Transport.UDP : PortIr.Transport.TCP, chains));
      }
    }
    List<ClusterIr> clusters = new ArrayList<>();
    for (String name : new java.util.TreeSet<>(usedClusters)) {
      ClusterIr cluster = backends.cluster(name);
      clusters.add(cluster);
      if (cluster.tls() != null && cluster.tls().caSecret() != null) {
        usedSecrets.add(cluster.tls().caSecret());
      }
    }
    List<SecretIr> secrets = new ArrayList<>();
    for (String name : new java.util.TreeSet<>(usedSecrets)) {
      SecretIr secret = certificates.containsKey(name) ? certificates.get(name) : backends.caSecret(name);
      secrets.add(secret);
    }
    return new GatewayIr(gateway, ports, clusters, secrets);
  }

  private List<FilterChainIr> tlsChains(List<ListenerState> onSocket, Map<ListenerState, List<Placement>> placements) {
    // Envoy rejects two chains with the same server names: the first claim in listener precedence wins.
    Set<String> claimed = new HashSet<>();
    List<FilterChainIr> specific = new ArrayList<>();
    List<FilterChainIr> catchAll = new ArrayList<>();
    for (ListenerState listener : onSocket) {
      if (listener.mode == ListenerState.Mode.HTTPS) {
        String serverName = listener.hostname == null ? "" : listener.hostname;
        if (!claimed.add(serverName)) {
          continue;
        }
        usedSecrets.addAll(listener.certificateSecrets);
        FilterChainIr chain = new FilterChainIr.Http("https-" + (listener.hostname == null ? "*" : listener.hostname),
            serverNames(listener.hostname), listener.certificateSecrets,
            routeTable("https-" + listener.port + "-" + (listener.hostname == null ? "*" : listener.hostname),
                List.of(listener), placements, listener));
        (listener.hostname == null ? catchAll : specific).add(chain);
        continue;
      }
      boolean terminate = listener.mode == ListenerState.Mode.TLS_TERMINATE;
      for (Placement placement : placements.getOrDefault(listener, List.of())) {
        for (String hostname : placement.hostnames()) {
          String serverName = hostname == null ? "" : hostname;
          if (!claimed.add(serverName)) {
            continue;
          }
          List<WeightedClusterIr> backendsOfRoute = l4Backends(placement.route());
          if (terminate) {
            usedSecrets.addAll(listener.certificateSecrets);
          }
          FilterChainIr chain = new FilterChainIr.TcpProxy("tls-" + (hostname == null ? "*" : hostname),
              serverNames(hostname), terminate ? listener.certificateSecrets : List.of(), backendsOfRoute);
          (hostname == null ? catchAll : specific).add(chain);
        }
      }
    }
    specific.sort(Comparator.comparing(FilterChainIr::name));
    List<FilterChainIr> chains = new ArrayList<>(specific);
    chains.addAll(catchAll);
    return chains;
  }

  private static List<String> serverNames(String hostname) {
    return hostname == null ? List.of() : List.of(hostname);
  }

  /** TCP and UDP listeners forward to the oldest attached route; later routes wait for it to go away. */
  private List<FilterChainIr> l4Chain(ListenerState listener, Map<ListenerState, List<Placement>> placements,
      boolean udp) {
    List<Placement> attached = placements.getOrDefault(listener, List.of());
    if (attached.isEmpty()) {
      return List.of();
    }
    List<WeightedClusterIr> backendsOfRoute = l4Backends(attached.getFirst().route());
    return List.of(udp ? new FilterChainIr.UdpProxy("udp", backendsOfRoute)
        : new FilterChainIr.TcpProxy("tcp", List.of(), List.of(), backendsOfRoute));
  }

  private List<WeightedClusterIr> l4Backends(RouteRules route) {
    if (route.rules().isEmpty() || !(route.rules().getFirst().action() instanceof RuleAction.Forward forward)) {
      return List.of();
    }
    forward.backends().forEach(this::useCluster);
    return forward.backends();
  }

  private void useCluster(WeightedClusterIr backend) {
    if (backend.cluster() != null) {
      usedClusters.add(backend.cluster());
    }
  }

  /**
   * Builds the route table of HTTP listeners sharing a port, or of one HTTPS listener ({@code sniListener}).
   * On a shared port a hostname served by a more specific listener is left to that listener (listener
   * isolation).
   */
  private RouteTableIr routeTable(String name, List<ListenerState> listeners,
      Map<ListenerState, List<Placement>> placements, ListenerState sniListener) {
    Map<String, Map<String, OrderedRoute>> byDomain = new TreeMap<>();
    for (ListenerState listener : listeners) {
      for (Placement placement : placements.getOrDefault(listener, List.of())) {
        for (String hostname : placement.hostnames()) {
          if (sniListener == null && servedByMoreSpecificListener(listener, hostname, listeners)) {
            continue;
          }
          String domain = hostname == null ? "*" : hostname;
          Map<String, OrderedRoute> routes = byDomain.computeIfAbsent(domain, k -> new LinkedHashMap<>());
          for (RuleIr rule : placement.route().rules()) {
            for (int m = 0; m < rule.matches().size(); m++) {
              OrderedRoute ordered = instantiate(placement.route(), rule, m, listener);
              routes.putIfAbsent(ordered.route().name(), ordered);
            }
          }
        }
      }
    }
    if (sniListener != null && sniListener.hostname != null) {
      // Hosts of this listener without a route get 404; any other host reached this chain by a mismatched SNI.
      byDomain.computeIfAbsent(sniListener.hostname, k -> new LinkedHashMap<>());
      if (!byDomain.containsKey("*")) {
        Map<String, OrderedRoute> misdirected = new LinkedHashMap<>();
        RouteIr reject = new RouteIr("misdirected-request", new MatchIr(new PathMatchIr.Prefix("/"), List.of(),
            List.of(), null), new ActionIr.DirectResponse(421, ""), HeaderEditsIr.NONE, HeaderEditsIr.NONE,
            List.of(), null, null, null);
        misdirected.put(reject.name(), new OrderedRoute(reject, OrderKey.LAST));
        byDomain.put("*", misdirected);
      }
    }
    List<VirtualHostIr> virtualHosts = new ArrayList<>();
    for (var entry : byDomain.entrySet()) {
      List<OrderedRoute> ordered = new ArrayList<>(entry.getValue().values());
      ordered.sort(Comparator.comparing(OrderedRoute::order));
      virtualHosts.add(new VirtualHostIr(entry.getKey(), List.of(entry.getKey()),
          ordered.stream().map(OrderedRoute::route).toList()));
    }
    return new RouteTableIr(name, virtualHosts);
  }

  private static boolean servedByMoreSpecificListener(ListenerState listener, String hostname,
      List<ListenerState> onPort) {
    for (ListenerState other : onPort) {
      if (other != listener && !java.util.Objects.equals(other.hostname, listener.hostname)
          && Hostnames.covers(listener.hostname, other.hostname) && Hostnames.covers(other.hostname, hostname)) {
        return true;
      }
    }
    return false;
  }

  private OrderedRoute instantiate(RouteRules route, RuleIr rule, int matchIndex, ListenerState listener) {
    MatchIr match = rule.matches().get(matchIndex);
    ObjectKey key = ObjectKey.of(route.route());
    String kind = Routes.kindOf(route.route()).kind().toLowerCase(Locale.ROOT);
    String name = kind + "/" + key + "/rule/" + rule.index() + "/match/" + matchIndex;
    ActionIr action = switch (rule.action()) {
      case RuleAction.Forward forward -> {
        forward.backends().forEach(this::useCluster);
        yield new ActionIr.Forward(forward.backends(), forward.hostRewrite(),
            pathRewrite(forward.pathRewrite(), match));
      }
      case RuleAction.Redirect redirect -> redirect(redirect, match, listener);
      case RuleAction.Fixed fixed -> new ActionIr.DirectResponse(fixed.status(), "");
    };
    rule.mirrors().forEach(mirror -> usedClusters.add(mirror.cluster()));
    RouteIr routeIr = new RouteIr(name, match, action, rule.requestHeaders(), rule.responseHeaders(), rule.mirrors(),
        rule.cors(), rule.timeouts(), rule.retry());
    return new OrderedRoute(routeIr, OrderKey.of(match, Metadata.created(route.route()), kind + "/" + key,
        rule.index(), matchIndex));
  }

  private static ActionIr.PathRewriteIr pathRewrite(PathModifier modifier, MatchIr match) {
    if (modifier == null) {
      return null;
    }
    return modifier.fullPath() ? new ActionIr.PathRewriteIr.FullPath(modifier.value())
        : new ActionIr.PathRewriteIr.PrefixMatch(match.path().value(), modifier.value());
  }

  /**
   * Gateway API port defaulting: an explicit port wins; else a changed scheme brings its well-known port; else
   * the listener's port. (Envoy omits 80 for http and 443 for https from the Location header.)
   */
  private static ActionIr.Redirect redirect(RuleAction.Redirect redirect, MatchIr match, ListenerState listener) {
    int port;
    if (redirect.port() != null) {
      port = redirect.port();
    } else if (redirect.scheme() != null) {
      port = "https".equals(redirect.scheme()) ? 443 : 80;
    } else {
      port = listener.port;
    }
    return new ActionIr.Redirect(redirect.scheme(), redirect.hostname(), pathRewrite(redirect.path(), match), port,
        redirect.statusCode());
  }

  private record OrderedRoute(RouteIr route, OrderKey order) {
  }

  /**
   * Gateway API route precedence within one host: exact paths, then regular expressions, then prefixes
   * (longest first); then method, header and query matches (more first); then the oldest route, its
   * {@code namespace/name}, and rule and match order within it.
   */
  private record OrderKey(int pathRank, int pathLength, int method, int headers, int queryParams, Instant created,
      String route, int rule, int match) implements Comparable<OrderKey> {

    static final OrderKey LAST = new OrderKey(9, 0, 1, 0, 0, Instant.MAX, "", 0, 0);

    private static final Comparator<OrderKey> ORDER = Comparator.comparingInt(OrderKey::pathRank)
        .thenComparing(OrderKey::pathLength, Comparator.reverseOrder())
        .thenComparingInt(OrderKey::method)
        .thenComparing(OrderKey::headers, Comparator.reverseOrder())
        .thenComparing(OrderKey::queryParams, Comparator.reverseOrder())
        .thenComparing(OrderKey::created)
        .thenComparing(OrderKey::route)
        .thenComparingInt(OrderKey::rule)
        .thenComparingInt(OrderKey::match);

    static OrderKey of(MatchIr match, Instant created, String route, int rule, int matchIndex) {
      int rank = switch (match.path()) {
        case PathMatchIr.Exact exact -> 0;
        case PathMatchIr.Regex regex -> 1;
        case PathMatchIr.Prefix prefix -> 2;
      };
      return new OrderKey(rank, match.path().value().length(), match.method() == null ? 1 : 0,
          match.headers().size(), match.queryParams().size(), created, route, rule, matchIndex);
    }

    @Override
    public int compareTo(OrderKey other) {
      return ORDER.compare(this, other);
    }
  }
}
