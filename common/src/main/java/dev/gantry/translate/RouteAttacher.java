package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.Routes;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.status.Reasons;
import dev.gantry.status.RouteGroupKindIr;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, for one parentRef of a route, which listeners the route attaches to: the direct parent's listeners
 * only (a Gateway parentRef never reaches ListenerSet listeners), narrowed by sectionName and port, then by the
 * listeners' allowed kinds and namespaces, then by hostname intersection.
 */
final class RouteAttacher {

    /**
     * The route on one listener, with the hostnames it serves there.
     *
     * @param listener the listener
     * @param hostnames effective hostnames; a single null entry means "any host" (no hostname on either side)
     */
    record Attachment(ListenerState listener, List<String> hostnames) {}

    /**
     * Result for one parentRef: attachments, or the Accepted=False reason.
     *
     * @param attachments where the route attaches (empty when it does not)
     * @param reason null when attached, else the Accepted=False reason
     * @param message detail
     */
    record Outcome(List<Attachment> attachments, String reason, String message) {
        boolean attached() {
            return reason == null;
        }
    }

    private final Map<String, List<ListenerState>> listenersByOwner;

    /**
     * @param listenersByOwner listeners by {@link ParentKey#indexKey()} of their owner: the Gateway's own, and each
     *     accepted ListenerSet's; ListenerSets absent from the map are not attached to the Gateway
     */
    RouteAttacher(Map<String, List<ListenerState>> listenersByOwner) {
        this.listenersByOwner = listenersByOwner;
    }

    /** Attaches one parentRef; {@code view} answers namespace lookups for allowedRoutes selectors. */
    Outcome attach(ClusterView view, HasMetadata route, ParentReference ref, ParentKey parent) {
        List<ListenerState> owned = listenersByOwner.get(parent.indexKey());
        if (owned == null) {
            return new Outcome(
                    List.of(), Reasons.NO_MATCHING_PARENT, label(parent) + " is not attached to its Gateway");
        }
        List<ListenerState> candidates = new ArrayList<>();
        for (ListenerState listener : owned) {
            if (ref.getSectionName() != null && !ref.getSectionName().equals(listener.name)) {
                continue;
            }
            if (ref.getPort() != null && ref.getPort() != listener.port) {
                continue;
            }
            candidates.add(listener);
        }
        if (candidates.isEmpty()) {
            String what = ref.getSectionName() != null && ref.getPort() != null
                    ? "no listener named '" + ref.getSectionName() + "' on port " + ref.getPort()
                    : ref.getSectionName() != null
                            ? "no listener named '" + ref.getSectionName() + "'"
                            : ref.getPort() != null ? "no listener on port " + ref.getPort() : "no listeners";
            return new Outcome(List.of(), Reasons.NO_MATCHING_PARENT, label(parent) + " has " + what);
        }
        RouteGroupKindIr routeKind =
                new RouteGroupKindIr(Kinds.GATEWAY_GROUP, Routes.kindOf(route).kind());
        String routeNamespace = Metadata.namespace(route);
        List<ListenerState> allowed = new ArrayList<>();
        for (ListenerState listener : candidates) {
            if (listener.accepted()
                    && listener.supportedKinds.contains(routeKind)
                    && namespaceAllowed(view, listener, routeNamespace)) {
                allowed.add(listener);
            }
        }
        if (allowed.isEmpty()) {
            return new Outcome(
                    List.of(),
                    Reasons.NOT_ALLOWED_BY_LISTENERS,
                    notAllowedMessage(view, label(parent), candidates, routeKind, routeNamespace));
        }
        boolean hasHostnames = route instanceof HTTPRoute || route instanceof GRPCRoute || route instanceof TLSRoute;
        List<String> routeHostnames = new ArrayList<>();
        for (String hostname : Routes.hostnames(route)) {
            String normalized = Hostnames.normalize(hostname);
            if (normalized != null) {
                routeHostnames.add(normalized);
            }
        }
        List<Attachment> attachments = new ArrayList<>();
        for (ListenerState listener : allowed) {
            if (!hasHostnames || routeHostnames.isEmpty()) {
                attachments.add(new Attachment(listener, Collections.singletonList(listener.hostname)));
                continue;
            }
            Set<String> effective = new LinkedHashSet<>();
            for (String hostname : routeHostnames) {
                String intersection = Hostnames.intersect(listener.hostname, hostname);
                if (intersection != null) {
                    effective.add(intersection);
                }
            }
            if (!effective.isEmpty()) {
                attachments.add(new Attachment(listener, List.copyOf(effective)));
            }
        }
        if (attachments.isEmpty()) {
            return new Outcome(
                    List.of(),
                    Reasons.NO_MATCHING_LISTENER_HOSTNAME,
                    "No hostname of the route matches a" + " listener hostname of " + label(parent));
        }
        return new Outcome(attachments, null, null);
    }

    /** The parent as messages name it, {@code Kind namespace/name}; made only for a message (every route asks). */
    private static String label(ParentKey parent) {
        return parent.kind() + " " + parent.key();
    }

    /** Says why no candidate listener takes the route, naming the first obstacle met, most basic first. */
    private static String notAllowedMessage(
            ClusterView view,
            String parentLabel,
            List<ListenerState> candidates,
            RouteGroupKindIr routeKind,
            String routeNamespace) {
        List<ListenerState> accepted =
                candidates.stream().filter(ListenerState::accepted).toList();
        if (accepted.isEmpty()) {
            ListenerState first = candidates.get(0);
            return "No listener of " + parentLabel + " that matches the parentRef is accepted (listener '" + first.name
                    + "': " + first.notAcceptedMessage + ")";
        }
        if (accepted.stream().noneMatch(l -> l.supportedKinds.contains(routeKind))) {
            return "No listener of " + parentLabel + " that matches the parentRef accepts " + routeKind.kind() + "s";
        }
        return "No listener of " + parentLabel + " that matches the parentRef allows " + routeKind.kind()
                + "s from namespace " + routeNamespace;
    }

    private static boolean namespaceAllowed(ClusterView view, ListenerState listener, String routeNamespace) {
        RouteNamespaces namespaces = listener.allowedRoutes == null ? null : listener.allowedRoutes.getNamespaces();
        String from = namespaces == null || namespaces.getFrom() == null ? "Same" : namespaces.getFrom();
        return switch (from) {
            case "All" -> true;
            case "Same" -> listener.owner.namespace().equals(routeNamespace);
            case "Selector" -> {
                Namespace namespace = view.get(Kinds.NAMESPACE, ObjectKey.cluster(routeNamespace))
                        .orElse(null);
                yield namespace != null
                        && LabelSelectors.matches(
                                namespaces.getSelector(),
                                namespace.getMetadata().getLabels());
            }
            default -> false;
        };
    }
}
