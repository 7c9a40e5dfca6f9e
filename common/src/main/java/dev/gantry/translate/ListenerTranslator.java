package dev.gantry.translate;

import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.Reasons;
import dev.gantry.status.RouteGroupKindIr;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a Gateway's merged listener list (GEP-1713): the Gateway's listeners, then those of its accepted
 * ListenerSets oldest first; validates each listener, resolves its certificates and settles conflicts by that
 * precedence (an earlier listener wins; the later one is {@code Conflicted}).
 */
final class ListenerTranslator {

  private static final RouteGroupKindIr HTTP_ROUTE = new RouteGroupKindIr(Kinds.GATEWAY_GROUP, "HTTPRoute");
  private static final RouteGroupKindIr GRPC_ROUTE = new RouteGroupKindIr(Kinds.GATEWAY_GROUP, "GRPCRoute");
  private static final RouteGroupKindIr TLS_ROUTE = new RouteGroupKindIr(Kinds.GATEWAY_GROUP, "TLSRoute");
  private static final RouteGroupKindIr TCP_ROUTE = new RouteGroupKindIr(Kinds.GATEWAY_GROUP, "TCPRoute");
  private static final RouteGroupKindIr UDP_ROUTE = new RouteGroupKindIr(Kinds.GATEWAY_GROUP, "UDPRoute");

  private final ClusterView view;
  private final TranslatorConfig config;
  /** Certificate secrets by IR name, shared by every listener that references them. */
  final Map<String, SecretIr> secrets = new TreeMap<>();
  /** A Secret shared by thousands of listeners is parsed once. */
  private final Map<ObjectKey, TlsSecrets.Result> parsed = new HashMap<>();

  ListenerTranslator(ClusterView view, TranslatorConfig config) {
    this.view = view;
    this.config = config;
  }

  /** The merged, validated list: Gateway listeners first, then each ListenerSet's in the order given. */
  List<ListenerState> translate(Gateway gateway, List<ListenerSet> listenerSets) {
    List<ListenerState> merged = new ArrayList<>();
    ListenerOwner gatewayOwner = ListenerOwner.of(gateway);
    for (Listener l : nullSafe(gateway.getSpec().getListeners())) {
      if (l != null) {
        merged.add(new ListenerState(merged.size(), gatewayOwner, l.getName(), l.getPort(), l.getProtocol(),
            l.getHostname(), l.getTls(), l.getAllowedRoutes()));
      }
    }
    for (ListenerSet set : listenerSets) {
      ListenerOwner owner = ListenerOwner.of(set);
      for (ListenerEntry l : nullSafe(set.getSpec().getListeners())) {
        if (l != null) {
          merged.add(new ListenerState(merged.size(), owner, l.getName(), l.getPort(), l.getProtocol(),
              l.getHostname(), l.getTls(), l.getAllowedRoutes()));
        }
      }
    }
    Set<String> namesSeen = new LinkedHashSet<>();
    for (int i = 0; i < merged.size(); i++) {
      ListenerState listener = merged.get(i);
      validate(listener);
      if (listener.accepted() && !namesSeen.add(listener.owner.key() + "/" + listener.owner.kind() + "/" + listener.name)) {
        listener.notAcceptedReason = Reasons.UNSUPPORTED_VALUE;
        listener.notAcceptedMessage = "Listener name '" + listener.name + "' is used twice in " + listener.owner.kind()
            + " " + listener.owner.key();
      }
      if (listener.accepted() && i >= config.maxListenersPerGateway()) {
        listener.notAcceptedReason = Reasons.TOO_MANY_LISTENERS;
        listener.notAcceptedMessage = "Gateway already has " + config.maxListenersPerGateway()
            + " listeners, the most Gantry serves on one Gateway";
      }
      if (listener.accepted()) {
        resolveCertificates(listener);
      }
    }
    settleConflicts(merged);
    return merged;
  }

  private void validate(ListenerState l) {
    l.supportedKinds = supportedKinds(l);
    if (l.mode == ListenerState.Mode.UNSUPPORTED) {
      l.notAcceptedReason = Reasons.UNSUPPORTED_PROTOCOL;
      l.notAcceptedMessage = "Protocol '" + l.protocol + "' is not supported; use HTTP, HTTPS, TLS, TCP or UDP";
      l.supportedKinds = List.of();
      return;
    }
    if (l.port < 1 || l.port > 65535) {
      reject(l, Reasons.UNSUPPORTED_VALUE, "Port " + l.port + " is outside 1-65535");
      return;
    }
    if (l.hostname != null) {
      if (l.mode == ListenerState.Mode.TCP || l.mode == ListenerState.Mode.UDP) {
        reject(l, Reasons.UNSUPPORTED_VALUE, "A " + l.protocol + " listener cannot have a hostname");
        return;
      }
      String problem = Hostnames.problem(l.hostname, true);
      if (problem != null) {
        reject(l, Reasons.UNSUPPORTED_VALUE, "Invalid hostname: " + problem);
        return;
      }
    }
    switch (l.mode) {
      case HTTP, TCP, UDP -> {
        if (l.tls != null) {
          reject(l, Reasons.UNSUPPORTED_VALUE, "A " + l.protocol + " listener cannot have tls settings");
        }
      }
      case HTTPS -> {
        if (l.tls != null && l.tls.getMode() != null && !"Terminate".equals(l.tls.getMode())) {
          reject(l, Reasons.UNSUPPORTED_VALUE, "An HTTPS listener terminates TLS; tls.mode '" + l.tls.getMode()
              + "' is not allowed");
        }
      }
      case TLS_PASSTHROUGH, TLS_TERMINATE -> {
        if (l.tls == null || l.tls.getMode() == null) {
          reject(l, Reasons.UNSUPPORTED_VALUE, "A TLS listener needs tls.mode Passthrough or Terminate");
        } else if (!"Passthrough".equals(l.tls.getMode()) && !"Terminate".equals(l.tls.getMode())) {
          reject(l, Reasons.UNSUPPORTED_VALUE, "tls.mode '" + l.tls.getMode() + "' is not Passthrough or Terminate");
        }
      }
      case UNSUPPORTED -> throw new IllegalStateException("handled above");
    }
  }

  private static void reject(ListenerState l, String reason, String message) {
    l.notAcceptedReason = reason;
    l.notAcceptedMessage = message;
  }

  private static List<RouteGroupKindIr> defaultKinds(ListenerState.Mode mode) {
    return switch (mode) {
      case HTTP, HTTPS -> List.of(HTTP_ROUTE, GRPC_ROUTE);
      case TLS_PASSTHROUGH, TLS_TERMINATE -> List.of(TLS_ROUTE);
      case TCP -> List.of(TCP_ROUTE);
      case UDP -> List.of(UDP_ROUTE);
      case UNSUPPORTED -> List.of();
    };
  }

  private static List<RouteGroupKindIr> supportedKinds(ListenerState l) {
    List<RouteGroupKindIr> defaults = defaultKinds(l.mode);
    List<RouteGroupKind> requested = l.allowedRoutes == null ? null : l.allowedRoutes.getKinds();
    if (requested == null || requested.isEmpty()) {
      return defaults;
    }
    Set<RouteGroupKindIr> supported = new LinkedHashSet<>();
    List<String> invalid = new ArrayList<>();
    for (RouteGroupKind kind : requested) {
      if (kind == null) {
        continue;
      }
      String group = kind.getGroup() == null ? Kinds.GATEWAY_GROUP : kind.getGroup();
      RouteGroupKindIr candidate = new RouteGroupKindIr(group, Objects.toString(kind.getKind(), ""));
      if (defaults.contains(candidate)) {
        supported.add(candidate);
      } else {
        invalid.add((group.isEmpty() ? "" : group + "/") + candidate.kind());
      }
    }
    if (!invalid.isEmpty()) {
      l.refsReason = Reasons.INVALID_ROUTE_KINDS;
      l.refsMessage = "Route kinds not supported on a " + l.protocol + " listener: " + String.join(", ", invalid);
    }
    return List.copyOf(supported);
  }

  private void resolveCertificates(ListenerState l) {
    if (!l.terminatesTls()) {
      return;
    }
    List<SecretObjectReference> refs = l.tls == null ? null : l.tls.getCertificateRefs();
    if (refs == null || refs.isEmpty()) {
      failRefs(l, Reasons.INVALID_CERTIFICATE_REF, "A listener that terminates TLS needs tls.certificateRefs");
      return;
    }
    for (SecretObjectReference ref : refs) {
      if (ref == null || ref.getName() == null) {
        continue;
      }
      String group = ref.getGroup() == null ? "" : ref.getGroup();
      String kind = ref.getKind() == null ? "Secret" : ref.getKind();
      if (!group.isEmpty() || !"Secret".equals(kind)) {
        failRefs(l, Reasons.INVALID_CERTIFICATE_REF, "certificateRef " + (group.isEmpty() ? "" : group + "/") + kind
            + " " + ref.getName() + " is not a Secret");
        continue;
      }
      String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty()
          ? l.owner.namespace() : ref.getNamespace();
      if (!ReferenceGrants.permits(view, l.owner.group(), l.owner.kind(), l.owner.namespace(), "", "Secret",
          namespace, ref.getName())) {
        failRefs(l, Reasons.REF_NOT_PERMITTED, "No ReferenceGrant in namespace " + namespace + " allows "
            + l.owner.kind() + "s in namespace " + l.owner.namespace() + " to use Secret " + ref.getName());
        continue;
      }
      ObjectKey secretKey = new ObjectKey(namespace, ref.getName());
      Secret secret = view.get(Kinds.SECRET, secretKey).orElse(null);
      if (secret == null) {
        failRefs(l, Reasons.INVALID_CERTIFICATE_REF, "Secret " + secretKey + " does not exist");
        continue;
      }
      switch (parsed.computeIfAbsent(secretKey, k -> TlsSecrets.read(secret))) {
        case TlsSecrets.Result.Invalid invalid -> failRefs(l, Reasons.INVALID_CERTIFICATE_REF, invalid.problem());
        case TlsSecrets.Result.Valid valid -> {
          String name = "cert/" + secretKey;
          secrets.putIfAbsent(name, new SecretIr.Certificate(name, valid.keyPair().certificateChainPem(),
              valid.keyPair().privateKeyPem()));
          l.certificateSecrets.add(name);
        }
      }
    }
  }

  private static void failRefs(ListenerState l, String reason, String message) {
    if (l.refsReason == null) {
      l.refsReason = reason;
      l.refsMessage = message;
    }
  }

  /**
   * Earlier listeners claim (port, hostname) first. On one TCP port a listener conflicts with an earlier one of
   * another port class (plain HTTP, TLS-based, TCP), or of the same class and the same hostname.
   */
  private static void settleConflicts(List<ListenerState> merged) {
    Map<String, ListenerState> firstBySocket = new HashMap<>();
    Map<String, Set<String>> hostnamesBySocket = new HashMap<>();
    for (ListenerState l : merged) {
      if (!l.accepted()) {
        continue;
      }
      String socket = (l.isUdp() ? "udp/" : "tcp/") + l.port;
      ListenerState first = firstBySocket.putIfAbsent(socket, l);
      if (first != null && !first.portClass().equals(l.portClass())) {
        l.conflictReason = Reasons.PROTOCOL_CONFLICT;
        l.conflictMessage = "Port " + l.port + " is already used by a " + first.protocol
            + " listener; " + l.protocol + " cannot share it";
        continue;
      }
      // "" stands for no hostname: on TCP and UDP listeners, and on HTTP-like listeners that take any host.
      if (!hostnamesBySocket.computeIfAbsent(socket, k -> new java.util.HashSet<>())
          .add(l.hostname == null ? "" : l.hostname)) {
        l.conflictReason = Reasons.HOSTNAME_CONFLICT;
        l.conflictMessage = "Port " + l.port + (l.hostname == null ? " without hostname" : " with hostname "
            + l.hostname) + " is already used by an earlier listener";
      }
    }
  }

  private static <T> List<T> nullSafe(List<T> list) {
    return list == null ? List.of() : list;
  }
}
