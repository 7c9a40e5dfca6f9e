package dev.gantry.translate;

import dev.gantry.ir.FilterChainIr;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.Reasons;
import dev.gantry.status.RouteGroupKindIr;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedRoutes;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerTLSConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A listener of a Gateway's merged list (its own listeners, then its ListenerSets'), and what translation
 * decided about it. Mutable only while one translation runs.
 */
final class ListenerState {

    /** How a listener handles the bytes it receives. */
    enum Mode {
        HTTP,
        HTTPS,
        TLS_PASSTHROUGH,
        TLS_TERMINATE,
        TCP,
        UDP,
        UNSUPPORTED
    }

    final ListenerOwner owner;
    final String name;
    final int port;
    final String protocol;
    final String hostname;
    final ListenerTLSConfig tls;
    final AllowedRoutes allowedRoutes;
    final Mode mode;

    List<RouteGroupKindIr> supportedKinds = List.of();
    /** Null when accepted; otherwise the Accepted=False reason. */
    String notAcceptedReason;

    String notAcceptedMessage = "";
    /** Null when every reference resolved; otherwise the ResolvedRefs=False reason. */
    String refsReason;

    String refsMessage = "";
    /** Null without conflict; otherwise HostnameConflict or ProtocolConflict. */
    String conflictReason;

    String conflictMessage = "";
    /** Null unless another TLS-terminating listener on the port overlaps this one (OverlappingTLSConfig=True). */
    String overlapReason;

    String overlapMessage = "";
    /** How an HTTPS listener validates client certificates (the Gateway's spec.tls.frontend), or null. */
    FilterChainIr.ClientValidationIr clientValidation;
    /** Certificates this listener serves or validates clients with, and when each is valid. */
    final List<CertificateUse> certificateUses = new ArrayList<>();
    /** The DNS names (subjectAltName) of the certificates it serves, for OverlappingCertificates. */
    final Set<String> certificateNames = new LinkedHashSet<>();
    /** Names of the certificate secrets served when this listener terminates TLS. */
    final List<String> certificateSecrets = new ArrayList<>();
    /** Position in the Gateway's merged listener list. */
    final int position;

    ListenerState(
            int position,
            ListenerOwner owner,
            String name,
            Integer port,
            String protocol,
            String hostname,
            ListenerTLSConfig tls,
            AllowedRoutes allowedRoutes) {
        this.position = position;
        this.owner = owner;
        this.name = name == null ? "" : name;
        this.port = port == null ? 0 : port;
        this.protocol = protocol == null ? "" : protocol;
        this.hostname = Hostnames.normalize(hostname);
        this.tls = tls;
        this.allowedRoutes = allowedRoutes;
        this.mode = modeOf(this.protocol, tls);
    }

    private static Mode modeOf(String protocol, ListenerTLSConfig tls) {
        return switch (protocol) {
            case "HTTP" -> Mode.HTTP;
            case "HTTPS" -> Mode.HTTPS;
            case "TLS" -> tls != null && "Terminate".equals(tls.getMode()) ? Mode.TLS_TERMINATE : Mode.TLS_PASSTHROUGH;
            case "TCP" -> Mode.TCP;
            case "UDP" -> Mode.UDP;
            default -> Mode.UNSUPPORTED;
        };
    }

    boolean terminatesTls() {
        return mode == Mode.HTTPS || mode == Mode.TLS_TERMINATE;
    }

    boolean accepted() {
        return notAcceptedReason == null;
    }

    boolean conflicted() {
        return conflictReason != null;
    }

    /** Whether this listener goes into the proxy configuration. */
    boolean programmable() {
        return accepted() && !conflicted() && (!terminatesTls() || !certificateSecrets.isEmpty());
    }

    /** Which listeners can share a socket with this one. */
    PortClass portClass() {
        return switch (mode) {
            case HTTP -> PortClass.HTTP;
            case HTTPS, TLS_PASSTHROUGH, TLS_TERMINATE -> PortClass.TLS;
            case TCP -> PortClass.TCP;
            case UDP -> PortClass.UDP;
            case UNSUPPORTED -> PortClass.UNSUPPORTED;
        };
    }

    boolean isUdp() {
        return mode == Mode.UDP;
    }

    /** A label that names the listener in messages without leaking other tenants' objects. */
    String describe() {
        return owner.kind() + " " + owner.key() + " listener '" + name + "'";
    }

    ListenerStatusIr status(int attachedRoutes) {
        long generation = owner.generation();
        List<ConditionIr> conditions = new ArrayList<>(4);
        if (conflicted()) {
            conditions.add(ConditionIr.of(Reasons.ACCEPTED, false, conflictReason, conflictMessage, generation));
        } else if (accepted()) {
            conditions.add(ConditionIr.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Listener is valid", generation));
        } else {
            conditions.add(ConditionIr.of(Reasons.ACCEPTED, false, notAcceptedReason, notAcceptedMessage, generation));
        }
        if (refsReason == null) {
            conditions.add(ConditionIr.of(
                    Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS, "All references resolved", generation));
        } else {
            conditions.add(ConditionIr.of(Reasons.RESOLVED_REFS, false, refsReason, refsMessage, generation));
        }
        if (programmable()) {
            conditions.add(
                    ConditionIr.of(Reasons.PROGRAMMED, true, Reasons.PROGRAMMED, "Listener is programmed", generation));
        } else if (conflicted()) {
            conditions.add(ConditionIr.of(Reasons.PROGRAMMED, false, conflictReason, conflictMessage, generation));
        } else {
            String why = !accepted() ? notAcceptedMessage : refsMessage;
            conditions.add(ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.INVALID, why, generation));
        }
        if (conflicted()) {
            conditions.add(ConditionIr.of(Reasons.CONFLICTED, true, conflictReason, conflictMessage, generation));
        } else {
            conditions.add(ConditionIr.of(Reasons.CONFLICTED, false, Reasons.NO_CONFLICTS, "No conflicts", generation));
        }
        if (overlapReason != null) {
            // Negative polarity: the condition is there only while it holds.
            conditions.add(
                    ConditionIr.of(Reasons.OVERLAPPING_TLS_CONFIG, true, overlapReason, overlapMessage, generation));
        }
        return new ListenerStatusIr(name, supportedKinds, attachedRoutes, conditions);
    }
}
