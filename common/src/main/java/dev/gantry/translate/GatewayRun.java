package dev.gantry.translate;

import dev.gantry.ir.GatewayIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import dev.gantry.model.Routes;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.status.AddressIr;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.ParentRefIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.Reasons;
import dev.gantry.status.RouteParentStatusIr;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Indexes;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedListeners;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerNamespaces;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** One Gateway's translation: the mutable working state of a pure function, discarded when it returns. */
final class GatewayRun {

  private final ClusterView view;
  private final TranslatorConfig config;
  private final Gateway gateway;
  private final ObjectKey gatewayKey;
  private final long generation;
  private final GatewayClass gatewayClass;
  private final boolean classAccepted;
  private final BackendResolver backends;
  private final HttpRouteTranslator httpRoutes;
  private final GrpcRouteTranslator grpcRoutes;
  private final L4RouteTranslator l4Routes;

  GatewayRun(ClusterView view, TranslatorConfig config, Gateway gateway, GatewayClass gatewayClass,
      boolean classAccepted) {
    this.gatewayClass = gatewayClass;
    this.view = view;
    this.config = config;
    this.gateway = gateway;
    this.gatewayKey = ObjectKey.of(gateway);
    this.generation = Metadata.generation(gateway);
    this.classAccepted = classAccepted;
    this.backends = new BackendResolver(view, config.clusterDomain());
    this.httpRoutes = new HttpRouteTranslator(backends);
    this.grpcRoutes = new GrpcRouteTranslator(backends);
    this.l4Routes = new L4RouteTranslator(backends);
  }

  GatewayTranslation run() {
    // Gateway-level validity.
    String invalidReason = null;
    String invalidMessage = null;
    if (!classAccepted) {
      invalidReason = Reasons.INVALID;
      invalidMessage = "GatewayClass " + gateway.getSpec().getGatewayClassName() + " is not accepted";
    }
    ProxyParameters proxy = null;
    switch (ProxyParametersResolver.forGateway(view, gateway, gatewayClass, config.proxyDefaults())) {
      case ProxyParameters.Result.Valid valid -> proxy = valid.parameters();
      case ProxyParameters.Result.Invalid invalid -> {
        if (invalidReason == null) {
          invalidReason = Reasons.INVALID_PARAMETERS;
          invalidMessage = invalid.problem();
        }
      }
    }
    List<AddressIr> staticAddresses = new ArrayList<>();
    String addressProblem = staticAddresses(staticAddresses);
    if (invalidReason == null && addressProblem != null) {
      invalidReason = Reasons.UNSUPPORTED_ADDRESS;
      invalidMessage = addressProblem;
    }
    boolean gatewayUsable = invalidReason == null;

    // ListenerSets naming this Gateway, oldest first; only allowed ones contribute listeners.
    List<ListenerSet> sets = new ArrayList<>(view.byIndex(Indexes.LISTENER_SETS_BY_GATEWAY, gatewayKey.toString()));
    sets.sort(Metadata.PRECEDENCE);
    List<ListenerSet> allowedSets = new ArrayList<>();
    for (ListenerSet set : sets) {
      if (gatewayUsable && listenerSetAllowed(set)) {
        allowedSets.add(set);
      }
    }
    ListenerTranslator listenerTranslator = new ListenerTranslator(view, config);
    List<ListenerState> listeners = listenerTranslator.translate(gateway, allowedSets);
    Map<String, List<ListenerState>> byOwner = new LinkedHashMap<>();
    byOwner.put(new ParentKey(Kinds.GATEWAY_GROUP, "Gateway", gatewayKey).indexKey(), new ArrayList<>());
    for (ListenerSet set : allowedSets) {
      byOwner.put(new ParentKey(Kinds.GATEWAY_GROUP, "ListenerSet", ObjectKey.of(set)).indexKey(), new ArrayList<>());
    }
    for (ListenerState listener : listeners) {
      byOwner.get(new ParentKey(Kinds.GATEWAY_GROUP, listener.owner.kind(), listener.owner.key()).indexKey())
          .add(listener);
    }

    // Routes naming this Gateway or one of its ListenerSets, in precedence order.
    Set<String> parentKeys = new HashSet<>();
    parentKeys.add(new ParentKey(Kinds.GATEWAY_GROUP, "Gateway", gatewayKey).indexKey());
    for (ListenerSet set : sets) {
      parentKeys.add(new ParentKey(Kinds.GATEWAY_GROUP, "ListenerSet", ObjectKey.of(set)).indexKey());
    }
    RouteAttacher attacher = new RouteAttacher(view, byOwner);
    Map<ListenerState, List<IrAssembler.Placement>> placements = new IdentityHashMap<>();
    List<GatewayTranslation.RouteParent> routeParents = new ArrayList<>();
    for (Kind<?> routeKind : Kinds.ROUTES) {
      for (HasMetadata route : routesOf(routeKind, parentKeys)) {
        routeParents.addAll(attachRoute(routeKind, route, parentKeys, attacher, placements));
      }
    }

    // Status.
    List<ListenerStatusIr> gatewayListeners = new ArrayList<>();
    for (ListenerState listener : byOwner.get(new ParentKey(Kinds.GATEWAY_GROUP, "Gateway", gatewayKey).indexKey())) {
      gatewayListeners.add(listener.status());
    }
    Map<ObjectKey, ObjectStatusIr.ListenerSetStatus> setStatuses = new TreeMap<>();
    int attachedSets = 0;
    for (ListenerSet set : sets) {
      ObjectStatusIr.ListenerSetStatus status = listenerSetStatus(set, gatewayUsable,
          byOwner.get(new ParentKey(Kinds.GATEWAY_GROUP, "ListenerSet", ObjectKey.of(set)).indexKey()));
      if (status.conditions().getFirst().isTrue()) {
        attachedSets++;
      }
      setStatuses.put(ObjectKey.of(set), status);
    }
    List<AddressIr> addresses = staticAddresses.isEmpty() ? proxyServiceAddresses() : staticAddresses;
    List<ConditionIr> gatewayConditions = gatewayConditions(invalidReason, invalidMessage,
        byOwner.get(new ParentKey(Kinds.GATEWAY_GROUP, "Gateway", gatewayKey).indexKey()), addresses);
    ObjectStatusIr.GatewayStatus gatewayStatus = new ObjectStatusIr.GatewayStatus(gatewayConditions,
        gatewayListeners, addresses, attachedSets);

    GatewayIr ir = GatewayIr.empty(gatewayKey);
    if (gatewayUsable) {
      Map<String, SecretIr> certificates = listenerTranslator.secrets;
      ir = new IrAssembler(backends, certificates).assemble(gatewayKey, listeners, placements);
    }
    java.util.SortedSet<ExposedPort> exposed = new java.util.TreeSet<>();
    if (gatewayUsable) {
      for (ListenerState listener : listeners) {
        if (listener.programmable()) {
          exposed.add(new ExposedPort(listener.port, listener.isUdp() ? dev.gantry.ir.PortIr.Transport.UDP
              : dev.gantry.ir.PortIr.Transport.TCP));
        }
      }
    }
    return new GatewayTranslation(gatewayKey, ir, gatewayStatus, setStatuses, routeParents, policyAncestors(), proxy,
        List.copyOf(exposed));
  }

  private List<HasMetadata> routesOf(Kind<?> routeKind, Set<String> parentKeys) {
    Map<ObjectKey, HasMetadata> routes = new LinkedHashMap<>();
    for (String parentKey : parentKeys) {
      for (HasMetadata route : view.byIndex(Indexes.routesByParent(routeKind), parentKey)) {
        routes.putIfAbsent(ObjectKey.of(route), route);
      }
    }
    List<HasMetadata> sorted = new ArrayList<>(routes.values());
    sorted.sort(Metadata.PRECEDENCE);
    return sorted;
  }

  private List<GatewayTranslation.RouteParent> attachRoute(Kind<?> routeKind, HasMetadata route,
      Set<String> parentKeys, RouteAttacher attacher, Map<ListenerState, List<IrAssembler.Placement>> placements) {
    RouteRules rules = switch (route) {
      case HTTPRoute r -> httpRoutes.translate(r);
      case GRPCRoute r -> grpcRoutes.translate(r);
      default -> l4Routes.translate(route);
    };
    long routeGeneration = Metadata.generation(route);
    String routeNamespace = Metadata.namespace(route);
    ObjectKey routeKey = ObjectKey.of(route);
    List<GatewayTranslation.RouteParent> results = new ArrayList<>();
    Set<ListenerState> attachedTo = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<ParentReference> refs = Routes.parentRefs(route);
    for (int i = 0; i < refs.size(); i++) {
      ParentReference ref = refs.get(i);
      if (ref == null || ref.getName() == null) {
        continue;
      }
      ParentKey parent = Routes.parentKey(ref, routeNamespace);
      if (!parentKeys.contains(parent.indexKey()) || !(parent.isGateway() || parent.isListenerSet())) {
        continue;
      }
      RouteAttacher.Outcome outcome = attacher.attach(route, ref, parent);
      ConditionIr accepted;
      if (!outcome.attached()) {
        accepted = ConditionIr.of(Reasons.ACCEPTED, false, outcome.reason(), outcome.message(), routeGeneration);
      } else if (!rules.valid()) {
        accepted = ConditionIr.of(Reasons.ACCEPTED, false, rules.invalidReason(), rules.invalidMessage(),
            routeGeneration);
      } else {
        accepted = ConditionIr.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Route is accepted", routeGeneration);
        for (RouteAttacher.Attachment attachment : outcome.attachments()) {
          if (attachedTo.add(attachment.listener())) {
            attachment.listener().attachedRoutes++;
            placements.computeIfAbsent(attachment.listener(), k -> new ArrayList<>())
                .add(new IrAssembler.Placement(rules, attachment.hostnames()));
          }
        }
      }
      ConditionIr resolved = rules.refsReason() == null
          ? ConditionIr.of(Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS, "All references resolved",
              routeGeneration)
          : ConditionIr.of(Reasons.RESOLVED_REFS, false, rules.refsReason(), rules.refsMessage(), routeGeneration);
      ParentRefIr parentRef = new ParentRefIr(parent.group(), parent.kind(), parent.key().namespace(),
          parent.key().name(), ref.getSectionName(), ref.getPort());
      results.add(new GatewayTranslation.RouteParent(routeKind, routeKey, i,
          new RouteParentStatusIr(parentRef, config.controllerName(), List.of(accepted, resolved))));
    }
    return results;
  }

  private boolean listenerSetAllowed(ListenerSet set) {
    AllowedListeners allowed = gateway.getSpec().getAllowedListeners();
    ListenerNamespaces namespaces = allowed == null ? null : allowed.getNamespaces();
    String from = namespaces == null || namespaces.getFrom() == null ? "None" : namespaces.getFrom();
    String setNamespace = Metadata.namespace(set);
    return switch (from) {
      case "All" -> true;
      case "Same" -> setNamespace.equals(gatewayKey.namespace());
      case "Selector" -> {
        Namespace namespace = view.get(Kinds.NAMESPACE, ObjectKey.cluster(setNamespace)).orElse(null);
        yield namespace != null && LabelSelectors.matches(namespaces.getSelector(),
            namespace.getMetadata().getLabels());
      }
      default -> false;
    };
  }

  private ObjectStatusIr.ListenerSetStatus listenerSetStatus(ListenerSet set, boolean gatewayUsable,
      List<ListenerState> listeners) {
    long setGeneration = Metadata.generation(set);
    if (!gatewayUsable) {
      String message = "Gateway " + gatewayKey + " is not accepted";
      return new ObjectStatusIr.ListenerSetStatus(List.of(
          ConditionIr.of(Reasons.ACCEPTED, false, Reasons.PARENT_NOT_ACCEPTED, message, setGeneration),
          ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.PARENT_NOT_ACCEPTED, message, setGeneration)), List.of());
    }
    if (listeners == null) {
      String message = "Gateway " + gatewayKey + " does not allow ListenerSets from namespace "
          + Metadata.namespace(set) + " (spec.allowedListeners)";
      return new ObjectStatusIr.ListenerSetStatus(List.of(
          ConditionIr.of(Reasons.ACCEPTED, false, Reasons.NOT_ALLOWED, message, setGeneration),
          ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.NOT_ALLOWED, message, setGeneration)), List.of());
    }
    List<ListenerStatusIr> statuses = new ArrayList<>();
    boolean anyValid = false;
    for (ListenerState listener : listeners) {
      statuses.add(listener.status());
      anyValid |= listener.programmable();
    }
    List<ConditionIr> conditions = anyValid
        ? List.of(ConditionIr.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "ListenerSet is accepted", setGeneration),
            ConditionIr.of(Reasons.PROGRAMMED, true, Reasons.PROGRAMMED, "ListenerSet is programmed", setGeneration))
        : List.of(ConditionIr.of(Reasons.ACCEPTED, false, Reasons.LISTENERS_NOT_VALID, "No listener is valid",
            setGeneration), ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.LISTENERS_NOT_VALID,
            "No listener is valid", setGeneration));
    return new ObjectStatusIr.ListenerSetStatus(conditions, statuses);
  }

  private List<ConditionIr> gatewayConditions(String invalidReason, String invalidMessage,
      List<ListenerState> ownListeners, List<AddressIr> addresses) {
    ConditionIr accepted;
    long acceptedCount = ownListeners.stream().filter(ListenerState::accepted).count();
    if (invalidReason != null) {
      accepted = ConditionIr.of(Reasons.ACCEPTED, false, invalidReason, invalidMessage, generation);
    } else if (acceptedCount == 0) {
      accepted = ConditionIr.of(Reasons.ACCEPTED, false, Reasons.LISTENERS_NOT_VALID, "No listener is valid",
          generation);
    } else if (acceptedCount < ownListeners.size()) {
      accepted = ConditionIr.of(Reasons.ACCEPTED, true, Reasons.LISTENERS_NOT_VALID,
          (ownListeners.size() - acceptedCount) + " of " + ownListeners.size() + " listeners are not valid",
          generation);
    } else {
      accepted = ConditionIr.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Gateway is accepted", generation);
    }
    ConditionIr programmed;
    if (!accepted.isTrue()) {
      programmed = ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.INVALID, accepted.message(), generation);
    } else if (addresses.isEmpty()) {
      programmed = ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.ADDRESS_NOT_ASSIGNED,
          "No address assigned yet: spec.addresses is empty and the proxy Service "
              + ProxyNames.proxyName(gatewayKey) + " does not exist", generation);
    } else {
      programmed = ConditionIr.of(Reasons.PROGRAMMED, true, Reasons.PROGRAMMED, "Gateway is programmed",
          generation);
    }
    return List.of(accepted, programmed);
  }

  /** Collects usable spec.addresses; returns why one is unsupported, or null. */
  private String staticAddresses(List<AddressIr> out) {
    List<GatewaySpecAddress> requested = gateway.getSpec().getAddresses();
    if (requested == null) {
      return null;
    }
    for (GatewaySpecAddress address : requested) {
      String type = address.getType() == null ? "IPAddress" : address.getType();
      String value = address.getValue();
      if (value == null || value.isEmpty()) {
        continue;
      }
      switch (type) {
        case "IPAddress" -> {
          if (!isIpLiteral(value)) {
            return "spec.addresses: '" + value + "' is not an IP address";
          }
          out.add(new AddressIr("IPAddress", value));
        }
        case "Hostname" -> {
          String problem = Hostnames.problem(value, false);
          if (problem != null) {
            return "spec.addresses: " + problem;
          }
          out.add(new AddressIr("Hostname", value));
        }
        default -> {
          return "spec.addresses: type '" + type + "' is not supported; use IPAddress or Hostname";
        }
      }
    }
    return null;
  }

  private static boolean isIpLiteral(String value) {
    return value.matches("^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$")
        || (value.contains(":") && value.matches("^[0-9a-fA-F:.]+$"));
  }

  /** The proxy Service's load-balancer ingress, else its cluster IP, else its DNS name. */
  private List<AddressIr> proxyServiceAddresses() {
    String name = ProxyNames.proxyName(gatewayKey);
    Service service = view.get(Kinds.SERVICE, new ObjectKey(gatewayKey.namespace(), name)).orElse(null);
    if (service == null || !ProxyNames.isProxyOf(service, gatewayKey)) {
      return List.of(); // missing, or a Service of the same name that Gantry did not create for this Gateway
    }
    List<AddressIr> addresses = new ArrayList<>();
    if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
        && service.getStatus().getLoadBalancer().getIngress() != null) {
      for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
        if (ingress.getIp() != null && !ingress.getIp().isEmpty()) {
          addresses.add(new AddressIr("IPAddress", ingress.getIp()));
        } else if (ingress.getHostname() != null && !ingress.getHostname().isEmpty()) {
          addresses.add(new AddressIr("Hostname", ingress.getHostname()));
        }
      }
    }
    if (addresses.isEmpty()) {
      String clusterIp = service.getSpec() == null ? null : service.getSpec().getClusterIP();
      if (clusterIp != null && !clusterIp.isEmpty() && !"None".equals(clusterIp)) {
        addresses.add(new AddressIr("IPAddress", clusterIp));
      } else {
        addresses.add(new AddressIr("Hostname", name + "." + gatewayKey.namespace() + ".svc." + config.clusterDomain()));
      }
    }
    return addresses;
  }

  private Map<ObjectKey, PolicyAncestorStatusIr> policyAncestors() {
    Map<ObjectKey, PolicyAncestorStatusIr> ancestors = new TreeMap<>();
    ParentRefIr ancestor = new ParentRefIr(Kinds.GATEWAY_GROUP, "Gateway", gatewayKey.namespace(), gatewayKey.name(),
        null, null);
    for (var entry : backends.policyUses().entrySet()) {
      for (BackendResolver.PolicyUse use : entry.getValue()) {
        BackendTlsPolicies.Evaluation evaluation = use.evaluation();
        BackendTLSPolicy policy = evaluation.policy();
        long policyGeneration = Metadata.generation(policy);
        List<ConditionIr> conditions = new ArrayList<>();
        if (evaluation.valid()) {
          conditions.add(ConditionIr.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Policy is accepted",
              policyGeneration));
        } else {
          conditions.add(ConditionIr.of(Reasons.ACCEPTED, false, evaluation.acceptedReason(), evaluation.message(),
              policyGeneration));
        }
        if (evaluation.refsReason() == null) {
          conditions.add(ConditionIr.of(Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS,
              "All references resolved", policyGeneration));
        } else {
          conditions.add(ConditionIr.of(Reasons.RESOLVED_REFS, false, evaluation.refsReason(), evaluation.message(),
              policyGeneration));
        }
        ancestors.put(entry.getKey(), new PolicyAncestorStatusIr(ancestor, config.controllerName(), conditions));
        for (BackendTLSPolicy loser : backends.policies().conflictingWith(use.service(), use.port(), policy)) {
          long loserGeneration = Metadata.generation(loser);
          ancestors.put(ObjectKey.of(loser), new PolicyAncestorStatusIr(ancestor, config.controllerName(), List.of(
              ConditionIr.of(Reasons.ACCEPTED, false, "Conflicted", "BackendTLSPolicy " + ObjectKey.of(policy)
                  + " targets the same Service port and takes precedence", loserGeneration))));
        }
      }
    }
    return ancestors;
  }
}
