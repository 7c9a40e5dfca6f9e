package dev.gantry.translate;

import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kind;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a Gateway's merged listener list (GEP-1713): the Gateway's listeners, then those of its accepted
 * ListenerSets oldest first; validates each listener, resolves its certificates and settles conflicts: between
 * owners by that precedence (an earlier owner's listener wins; the later one is {@code Conflicted}), within one owner
 * with no winner (every listener that cannot be told apart from another is {@code Conflicted}).
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
                merged.add(new ListenerState(
                        merged.size(),
                        gatewayOwner,
                        l.getName(),
                        l.getPort(),
                        l.getProtocol(),
                        l.getHostname(),
                        l.getTls(),
                        l.getAllowedRoutes()));
            }
        }
        for (ListenerSet set : listenerSets) {
            ListenerOwner owner = ListenerOwner.of(set);
            for (ListenerEntry l : nullSafe(set.getSpec().getListeners())) {
                if (l != null) {
                    merged.add(new ListenerState(
                            merged.size(),
                            owner,
                            l.getName(),
                            l.getPort(),
                            l.getProtocol(),
                            l.getHostname(),
                            l.getTls(),
                            l.getAllowedRoutes()));
                }
            }
        }
        FrontendValidation frontend = new FrontendValidation(view, gateway);
        Set<String> namesSeen = new LinkedHashSet<>();
        for (int i = 0; i < merged.size(); i++) {
            ListenerState listener = merged.get(i);
            validate(listener);
            if (listener.accepted()
                    && !namesSeen.add(listener.owner.key() + "/" + listener.owner.kind() + "/" + listener.name)) {
                listener.notAcceptedReason = Reasons.UNSUPPORTED_VALUE;
                listener.notAcceptedMessage = "Listener name '" + listener.name + "' is used twice in "
                        + listener.owner.kind() + " " + listener.owner.key();
            }
            if (listener.accepted() && i >= config.maxListenersPerGateway()) {
                listener.notAcceptedReason = Reasons.TOO_MANY_LISTENERS;
                listener.notAcceptedMessage = "Gateway already has " + config.maxListenersPerGateway()
                        + " listeners, the most Gantry serves on one Gateway";
            }
            if (listener.accepted()) {
                resolveCertificates(listener);
            }
            if (listener.accepted() && listener.mode == ListenerState.Mode.HTTPS) {
                validateClients(listener, frontend.forPort(listener.port));
            }
        }
        settleConflicts(merged);
        OverlappingTls.mark(merged);
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
                    reject(
                            l,
                            Reasons.UNSUPPORTED_VALUE,
                            "An HTTPS listener terminates TLS; tls.mode '" + l.tls.getMode() + "' is not allowed");
                }
            }
            case TLS_PASSTHROUGH, TLS_TERMINATE -> {
                if (l.tls == null || l.tls.getMode() == null) {
                    reject(l, Reasons.UNSUPPORTED_VALUE, "A TLS listener needs tls.mode Passthrough or Terminate");
                } else if (!"Passthrough".equals(l.tls.getMode()) && !"Terminate".equals(l.tls.getMode())) {
                    reject(
                            l,
                            Reasons.UNSUPPORTED_VALUE,
                            "tls.mode '" + l.tls.getMode() + "' is not Passthrough or Terminate");
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
                failRefs(
                        l,
                        Reasons.INVALID_CERTIFICATE_REF,
                        "certificateRef " + (group.isEmpty() ? "" : group + "/") + kind + " " + ref.getName()
                                + " is not a Secret");
                continue;
            }
            String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty()
                    ? l.owner.namespace()
                    : ref.getNamespace();
            if (!ReferenceGrants.permits(
                    view,
                    l.owner.group(),
                    l.owner.kind(),
                    l.owner.namespace(),
                    "",
                    "Secret",
                    namespace,
                    ref.getName())) {
                failRefs(
                        l,
                        Reasons.REF_NOT_PERMITTED,
                        "No ReferenceGrant in namespace " + namespace + " allows " + l.owner.kind() + "s in namespace "
                                + l.owner.namespace() + " to use Secret " + ref.getName());
                continue;
            }
            ObjectKey secretKey = new ObjectKey(namespace, ref.getName());
            Secret secret = view.get(Kinds.SECRET, secretKey).orElse(null);
            if (secret == null) {
                failRefs(l, Reasons.INVALID_CERTIFICATE_REF, "Secret " + secretKey + " does not exist");
                continue;
            }
            switch (parsed.computeIfAbsent(secretKey, k -> TlsSecrets.read(secret))) {
                case TlsSecrets.Result.Invalid invalid ->
                    failRefs(l, Reasons.INVALID_CERTIFICATE_REF, invalid.problem());
                case TlsSecrets.Result.Valid valid -> {
                    String name = "cert/" + secretKey;
                    secrets.putIfAbsent(
                            name,
                            new SecretIr.Certificate(
                                    name,
                                    valid.keyPair().certificateChainPem(),
                                    valid.keyPair().privateKeyPem()));
                    l.certificateSecrets.add(name);
                    l.certificateNames.addAll(valid.dnsNames());
                    l.certificateUses.add(use(l, CertificateUse.Use.LISTENER, Kinds.SECRET, secretKey, valid.window()));
                }
            }
        }
    }

    /**
     * Applies the Gateway's client certificate validation to an HTTPS listener. Without a usable CA the listener is
     * not accepted (NoValidCACertificate): served without the validation its owner asked for, it would let in every
     * client.
     */
    private void validateClients(ListenerState l, FrontendValidation.PortValidation validation) {
        if (validation == null) {
            return;
        }
        if (validation.refsReason() != null) {
            failRefs(l, validation.refsReason(), validation.message());
        }
        if (validation.ca() == null) {
            reject(l, Reasons.NO_VALID_CA_CERTIFICATE, validation.message());
            return;
        }
        secrets.putIfAbsent(validation.ca().name(), validation.ca());
        validation
                .windows()
                .forEach((configMap, window) -> l.certificateUses.add(
                        use(l, CertificateUse.Use.CLIENT_CA, Kinds.CONFIG_MAP, configMap, window)));
        l.clientValidation =
                new FilterChainIr.ClientValidationIr(validation.ca().name(), validation.insecureFallback());
    }

    private static CertificateUse use(
            ListenerState l,
            CertificateUse.Use use,
            Kind<?> sourceKind,
            ObjectKey source,
            CertificateUse.Window window) {
        return new CertificateUse(
                use,
                l.owner.isListenerSet() ? Kinds.LISTENER_SET : Kinds.GATEWAY,
                l.owner.key(),
                l.name,
                sourceKind,
                source,
                window.notBefore(),
                window.notAfter());
    }

    private static void failRefs(ListenerState l, String reason, String message) {
        if (l.refsReason == null) {
            l.refsReason = reason;
            l.refsMessage = message;
        }
    }

    /**
     * Settles which listeners conflict. Between owners, precedence decides (GEP-1713): the Gateway's listeners, then
     * each ListenerSet's in order, claim (port, hostname) before the next owner's; a later listener on a port an
     * earlier owner holds conflicts when its port class (plain HTTP, TLS-based, TCP, UDP) differs, or when it is the
     * same class with the same hostname. Within one owner there is no winner: every listener of a group that cannot
     * be told apart (several port classes on one port, or one class and one hostname twice) is conflicted.
     */
    private static void settleConflicts(List<ListenerState> merged) {
        Map<String, ListenerState> firstBySocket = new HashMap<>();
        Map<String, Map<String, ListenerState>> hostnamesBySocket = new HashMap<>();
        int start = 0;
        while (start < merged.size()) {
            int end = start + 1;
            while (end < merged.size()
                    && merged.get(end).owner.object() == merged.get(start).owner.object()) {
                end++;
            }
            List<ListenerState> own = merged.subList(start, end);
            for (ListenerState l : own) {
                if (l.accepted()) {
                    conflictWithEarlierOwners(l, firstBySocket.get(socket(l)), hostnamesBySocket.get(socket(l)));
                }
            }
            conflictAmongThemselves(own);
            for (ListenerState l : own) {
                if (l.accepted()) {
                    firstBySocket.putIfAbsent(socket(l), l);
                    hostnamesBySocket
                            .computeIfAbsent(socket(l), k -> new HashMap<>())
                            .putIfAbsent(hostKey(l), l);
                }
            }
            start = end;
        }
    }

    private static void conflictWithEarlierOwners(
            ListenerState l, ListenerState first, Map<String, ListenerState> hostnames) {
        if (first == null) {
            return;
        }
        ListenerState sameHost = hostnames.get(hostKey(l));
        if (first.portClass() != l.portClass()) {
            l.conflictReason = Reasons.PROTOCOL_CONFLICT;
            l.conflictMessage = "Port " + l.port + " is already used by " + first.protocol + " " + seenBy(l, first)
                    + ", which takes precedence; " + l.protocol + " cannot share it";
        } else if (sameHost != null) {
            l.conflictReason = Reasons.HOSTNAME_CONFLICT;
            l.conflictMessage =
                    "Port " + l.port + (l.hostname == null ? " without hostname" : " with hostname " + l.hostname)
                            + " is already used by " + seenBy(l, sameHost) + ", which takes precedence";
        }
    }

    /**
     * Another listener as the owner of {@code l} may see it named: the Gateway's listeners and those of ListenerSets
     * in the same namespace by name; a ListenerSet of another namespace (another team's) only as such (GEP-1713 asks
     * implementations not to report one tenant's objects to another).
     */
    private static String seenBy(ListenerState l, ListenerState other) {
        if (!other.owner.isListenerSet()
                || other.owner.key().namespace().equals(l.owner.key().namespace())) {
            return "listener '" + other.name + "' of " + other.owner.kind() + " " + other.owner.key();
        }
        return "a listener of a ListenerSet in another namespace";
    }

    /** One owner's listeners that cannot be told apart are all conflicted: the spec forbids picking a winner. */
    private static void conflictAmongThemselves(List<ListenerState> own) {
        Map<String, List<ListenerState>> bySocket = new LinkedHashMap<>();
        for (ListenerState l : own) {
            if (l.accepted() && !l.conflicted()) {
                bySocket.computeIfAbsent(socket(l), k -> new ArrayList<>()).add(l);
            }
        }
        for (List<ListenerState> onSocket : bySocket.values()) {
            if (onSocket.stream().map(ListenerState::portClass).distinct().count() > 1) {
                String message = "Port " + onSocket.getFirst().port + " is used by listeners of different protocols ("
                        + describe(onSocket) + "): none of them is accepted";
                onSocket.forEach(l -> {
                    l.conflictReason = Reasons.PROTOCOL_CONFLICT;
                    l.conflictMessage = message;
                });
                continue;
            }
            Map<String, List<ListenerState>> byHost = new LinkedHashMap<>();
            onSocket.forEach(l ->
                    byHost.computeIfAbsent(hostKey(l), k -> new ArrayList<>()).add(l));
            for (List<ListenerState> same : byHost.values()) {
                if (same.size() > 1) {
                    ListenerState first = same.getFirst();
                    String message = "Port " + first.port
                            + (first.hostname == null ? " without hostname" : " with hostname " + first.hostname)
                            + " is used by several listeners (" + describe(same)
                            + "): none of them is accepted";
                    same.forEach(l -> {
                        l.conflictReason = Reasons.HOSTNAME_CONFLICT;
                        l.conflictMessage = message;
                    });
                }
            }
        }
    }

    private static String describe(List<ListenerState> listeners) {
        return String.join(
                ", ",
                listeners.stream().map(l -> "'" + l.name + "' " + l.protocol).toList());
    }

    private static String socket(ListenerState l) {
        return (l.isUdp() ? "udp/" : "tcp/") + l.port;
    }

    /** "" stands for no hostname: on TCP and UDP listeners, and on HTTP-like listeners that take any host. */
    private static String hostKey(ListenerState l) {
        return l.hostname == null ? "" : l.hostname;
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
