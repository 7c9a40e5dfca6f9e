package dev.gantry.controller;

import dev.gantry.model.RouteKind;
import dev.gantry.status.AddressIr;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.ParentRefIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.RouteGroupKindIr;
import dev.gantry.status.RouteParentStatusIr;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSetStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeature;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Merges the status Gantry wants into an object's current status, as a new status object. Pure: the current
 * object is not modified.
 *
 * <ul>
 *   <li>A condition whose status did not change keeps its {@code lastTransitionTime}.</li>
 *   <li>Condition types Gantry does not own are kept as they are.</li>
 *   <li>In {@code status.parents} and {@code status.ancestors}, entries of other controllers are kept; Gantry's
 *       own entries are exactly the desired ones.</li>
 * </ul>
 */
final class StatusMerger {

    /** The v1.6.1 CRDs' limits on status: a longer list or message makes the API server refuse the whole write. */
    static final int MAX_ANCESTORS = 16;

    static final int MAX_PARENTS = 32;
    static final int MAX_CONDITIONS = 8;
    static final int MAX_SUPPORTED_KINDS = 8;
    static final int MAX_MESSAGE = 32768;
    private static final Set<String> CLASS_TYPES = Set.of("Accepted", "SupportedVersion");
    private static final Set<String> GATEWAY_TYPES =
            Set.of("Accepted", "Programmed", "ResolvedRefs", "InsecureFrontendValidationMode");
    private static final Set<String> LISTENER_TYPES =
            Set.of("Accepted", "Programmed", "ResolvedRefs", "Conflicted", "OverlappingTLSConfig");
    private static final Set<String> SET_TYPES = Set.of("Accepted", "Programmed");

    private StatusMerger() {}

    /**
     * The merged status for {@code current}, or null when it equals the current status apart from
     * {@code lastTransitionTime} (nothing to write).
     *
     * @param current the object as last read
     * @param desired what translation decided
     * @param controllerName Gantry's controllerName (identifies its route and policy entries)
     * @param now timestamp for conditions that changed, RFC 3339
     */
    static Object merge(HasMetadata current, ObjectStatusIr desired, String controllerName, String now) {
        return switch (current) {
            case GatewayClass gc
            when desired instanceof ObjectStatusIr.GatewayClassStatus d -> {
                GatewayClassStatus existing = gc.getStatus() == null ? new GatewayClassStatus() : gc.getStatus();
                GatewayClassStatus merged = new GatewayClassStatus();
                merged.setConditions(conditions(existing.getConditions(), d.conditions(), CLASS_TYPES, now));
                merged.setSupportedFeatures(d.supportedFeatures().stream()
                        .map(SupportedFeature::new)
                        .toList());
                yield sameConditions(existing.getConditions(), merged.getConditions())
                                && Objects.equals(names(existing.getSupportedFeatures()), d.supportedFeatures())
                        ? null
                        : merged;
            }
            case Gateway g
            when desired instanceof ObjectStatusIr.GatewayStatus d -> {
                GatewayStatus existing = g.getStatus() == null ? new GatewayStatus() : g.getStatus();
                GatewayStatus merged = new GatewayStatus();
                merged.setConditions(conditions(existing.getConditions(), d.conditions(), GATEWAY_TYPES, now));
                merged.setAddresses(d.addresses().stream()
                        .map(a -> new GatewayStatusAddress(a.type(), a.value()))
                        .toList());
                merged.setAttachedListenerSets(d.attachedListenerSets());
                Map<String, ListenerStatus> previous = new HashMap<>();
                for (ListenerStatus l : nullSafe(existing.getListeners())) {
                    previous.put(l.getName(), l);
                }
                List<ListenerStatus> listeners = new ArrayList<>();
                for (ListenerStatusIr l : d.listeners()) {
                    ListenerStatus before = previous.get(l.name());
                    listeners.add(new ListenerStatus(
                            l.attachedRoutes(),
                            conditions(
                                    before == null ? null : before.getConditions(),
                                    l.conditions(),
                                    LISTENER_TYPES,
                                    now),
                            l.name(),
                            kinds(l.supportedKinds())));
                }
                merged.setListeners(listeners);
                boolean same = sameConditions(existing.getConditions(), merged.getConditions())
                        && sameAddresses(existing.getAddresses(), d.addresses())
                        && Objects.equals(
                                existing.getAttachedListenerSets() == null ? 0 : existing.getAttachedListenerSets(),
                                d.attachedListenerSets())
                        && sameListeners(existing.getListeners(), listeners);
                yield same ? null : merged;
            }
            case ListenerSet s
            when desired instanceof ObjectStatusIr.ListenerSetStatus d -> {
                ListenerSetStatus existing = s.getStatus() == null ? new ListenerSetStatus() : s.getStatus();
                ListenerSetStatus merged = new ListenerSetStatus();
                merged.setConditions(conditions(existing.getConditions(), d.conditions(), SET_TYPES, now));
                Map<String, ListenerEntryStatus> previous = new HashMap<>();
                for (ListenerEntryStatus l : nullSafe(existing.getListeners())) {
                    previous.put(l.getName(), l);
                }
                List<ListenerEntryStatus> listeners = new ArrayList<>();
                for (ListenerStatusIr l : d.listeners()) {
                    ListenerEntryStatus before = previous.get(l.name());
                    listeners.add(new ListenerEntryStatus(
                            l.attachedRoutes(),
                            conditions(
                                    before == null ? null : before.getConditions(),
                                    l.conditions(),
                                    LISTENER_TYPES,
                                    now),
                            l.name(),
                            kinds(l.supportedKinds())));
                }
                merged.setListeners(listeners);
                boolean same = sameConditions(existing.getConditions(), merged.getConditions())
                        && sameEntryListeners(existing.getListeners(), listeners);
                yield same ? null : merged;
            }
            case BackendTLSPolicy p
            when desired instanceof ObjectStatusIr.PolicyStatus d -> {
                PolicyStatus existing = p.getStatus() == null ? new PolicyStatus() : p.getStatus();
                List<PolicyAncestorStatus> kept = new ArrayList<>();
                List<PolicyAncestorStatus> ours = new ArrayList<>();
                for (PolicyAncestorStatus a : nullSafe(existing.getAncestors())) {
                    (controllerName.equals(a.getControllerName()) ? ours : kept).add(a);
                }
                List<PolicyAncestorStatus> merged = new ArrayList<>();
                for (PolicyAncestorStatusIr a : d.ancestors()) {
                    PolicyAncestorStatus before = ours.stream()
                            .filter(o -> sameRef(o.getAncestorRef(), a.ancestorRef()))
                            .findFirst()
                            .orElse(null);
                    merged.add(new PolicyAncestorStatus(
                            parentReference(a.ancestorRef()),
                            conditions(before == null ? null : before.getConditions(), a.conditions(), Set.of(), now),
                            a.controllerName()));
                }
                // Once the list is full the spec forbids adding to it, and an API server refuses a longer one outright.
                merged = merged.subList(0, Math.max(0, Math.min(merged.size(), MAX_ANCESTORS - kept.size())));
                boolean same = ours.size() == merged.size();
                for (int i = 0; same && i < merged.size(); i++) {
                    PolicyAncestorStatus before = ours.get(i);
                    same = sameRef(before.getAncestorRef(), d.ancestors().get(i).ancestorRef())
                            && sameConditions(
                                    before.getConditions(), merged.get(i).getConditions());
                }
                List<PolicyAncestorStatus> all = new ArrayList<>(kept);
                all.addAll(merged);
                yield same ? null : new PolicyStatus(all);
            }
            default -> {
                if (!(desired instanceof ObjectStatusIr.RouteStatus d)) {
                    throw new IllegalArgumentException(
                            "status " + desired.getClass().getSimpleName() + " does not fit a " + current.getKind());
                }
                List<RouteParentStatus> existing = routeParents(current);
                List<RouteParentStatus> kept = new ArrayList<>();
                List<RouteParentStatus> ours = new ArrayList<>();
                for (RouteParentStatus p : existing) {
                    (controllerName.equals(p.getControllerName()) ? ours : kept).add(p);
                }
                List<RouteParentStatus> merged = new ArrayList<>();
                for (RouteParentStatusIr p : d.parents()) {
                    RouteParentStatus before = ours.stream()
                            .filter(o -> sameRef(o.getParentRef(), p.parentRef()))
                            .findFirst()
                            .orElse(null);
                    merged.add(new RouteParentStatus(
                            conditions(before == null ? null : before.getConditions(), p.conditions(), Set.of(), now),
                            p.controllerName(),
                            parentReference(p.parentRef())));
                }
                // The API refuses more than 32 parents in all: others' entries stay, ours fill what is left.
                merged = merged.subList(0, Math.max(0, Math.min(merged.size(), MAX_PARENTS - kept.size())));
                boolean same = ours.size() == merged.size();
                for (int i = 0; same && i < merged.size(); i++) {
                    same = sameRef(
                                    ours.get(i).getParentRef(),
                                    d.parents().get(i).parentRef())
                            && sameConditions(
                                    ours.get(i).getConditions(), merged.get(i).getConditions());
                }
                List<RouteParentStatus> all = new ArrayList<>(kept);
                all.addAll(merged);
                yield same ? null : routeStatus(current, all);
            }
        };
    }

    /**
     * Sets a merged status on a copy-safe target object (the caller owns it). A route or policy status left without
     * any entry is removed instead: the CRDs require {@code parents} and {@code ancestors} in any status, and an empty
     * list is left out when the object is written, so the API server would refuse it.
     */
    static void apply(HasMetadata target, Object status) {
        switch (target) {
            case GatewayClass o -> o.setStatus((GatewayClassStatus) status);
            case Gateway o -> o.setStatus((GatewayStatus) status);
            case ListenerSet o -> o.setStatus((ListenerSetStatus) status);
            case BackendTLSPolicy o -> {
                PolicyStatus policy = (PolicyStatus) status;
                o.setStatus(policy == null || nullSafe(policy.getAncestors()).isEmpty() ? null : policy);
            }
            default -> {
                RouteKind<?> kind = RouteKind.ofRoute(target);
                kind.setStatusOf(target, status);
                if (status != null && nullSafe(kind.parentsOf(target)).isEmpty()) {
                    kind.setStatusOf(target, null);
                }
            }
        }
    }

    private static List<RouteParentStatus> routeParents(HasMetadata route) {
        return nullSafe(RouteKind.ofRoute(route).parentsOf(route));
    }

    private static Object routeStatus(HasMetadata route, List<RouteParentStatus> parents) {
        return RouteKind.ofRoute(route).newStatus().apply(parents);
    }

    /**
     * Desired conditions (keeping lastTransitionTime where status is unchanged), then the existing conditions of
     * types Gantry does not own. With {@code owned} empty, every existing type not desired is dropped.
     */
    static List<Condition> conditions(
            List<Condition> existing, List<ConditionIr> desired, Set<String> owned, String now) {
        Map<String, Condition> byType = new HashMap<>();
        for (Condition c : nullSafe(existing)) {
            byType.put(c.getType(), c);
        }
        List<Condition> result = new ArrayList<>();
        for (ConditionIr d : desired) {
            Condition before = byType.remove(d.type());
            String since =
                    before != null && d.status().equals(before.getStatus()) && before.getLastTransitionTime() != null
                            ? before.getLastTransitionTime()
                            : now;
            result.add(new Condition(
                    since, limited(d.message()), d.observedGeneration(), d.reason(), d.status(), d.type()));
        }
        if (!owned.isEmpty()) {
            for (Condition c : nullSafe(existing)) {
                if (byType.containsKey(c.getType()) && !owned.contains(c.getType()) && result.size() < MAX_CONDITIONS) {
                    result.add(c);
                }
            }
        }
        return result.size() <= MAX_CONDITIONS ? result : result.subList(0, MAX_CONDITIONS);
    }

    /** Equal as sets of (type, status, reason, message, observedGeneration): lastTransitionTime is ignored. */
    static boolean sameConditions(List<Condition> a, List<Condition> b) {
        List<Condition> left = nullSafe(a);
        List<Condition> right = nullSafe(b);
        if (left.size() != right.size()) {
            return false;
        }
        Map<String, Condition> byType = new HashMap<>();
        left.forEach(c -> byType.put(c.getType(), c));
        for (Condition c : right) {
            Condition other = byType.get(c.getType());
            if (other == null
                    || !Objects.equals(other.getStatus(), c.getStatus())
                    || !Objects.equals(other.getReason(), c.getReason())
                    || !Objects.equals(nullToEmpty(other.getMessage()), nullToEmpty(c.getMessage()))
                    || !Objects.equals(other.getObservedGeneration(), c.getObservedGeneration())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameAddresses(List<GatewayStatusAddress> existing, List<AddressIr> desired) {
        List<GatewayStatusAddress> current = nullSafe(existing);
        if (current.size() != desired.size()) {
            return false;
        }
        for (int i = 0; i < desired.size(); i++) {
            if (!Objects.equals(current.get(i).getType(), desired.get(i).type())
                    || !Objects.equals(current.get(i).getValue(), desired.get(i).value())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameListeners(List<ListenerStatus> existing, List<ListenerStatus> merged) {
        List<ListenerStatus> current = nullSafe(existing);
        if (current.size() != merged.size()) {
            return false;
        }
        for (int i = 0; i < merged.size(); i++) {
            ListenerStatus a = current.get(i);
            ListenerStatus b = merged.get(i);
            if (!Objects.equals(a.getName(), b.getName())
                    || !Objects.equals(a.getAttachedRoutes(), b.getAttachedRoutes())
                    || !sameKinds(a.getSupportedKinds(), b.getSupportedKinds())
                    || !sameConditions(a.getConditions(), b.getConditions())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameEntryListeners(List<ListenerEntryStatus> existing, List<ListenerEntryStatus> merged) {
        List<ListenerEntryStatus> current = nullSafe(existing);
        if (current.size() != merged.size()) {
            return false;
        }
        for (int i = 0; i < merged.size(); i++) {
            ListenerEntryStatus a = current.get(i);
            ListenerEntryStatus b = merged.get(i);
            if (!Objects.equals(a.getName(), b.getName())
                    || !Objects.equals(a.getAttachedRoutes(), b.getAttachedRoutes())
                    || !sameKinds(a.getSupportedKinds(), b.getSupportedKinds())
                    || !sameConditions(a.getConditions(), b.getConditions())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameKinds(List<RouteGroupKind> a, List<RouteGroupKind> b) {
        List<RouteGroupKind> left = nullSafe(a);
        List<RouteGroupKind> right = nullSafe(b);
        if (left.size() != right.size()) {
            return false;
        }
        for (int i = 0; i < left.size(); i++) {
            if (!Objects.equals(
                            nullToEmpty(left.get(i).getGroup()),
                            nullToEmpty(right.get(i).getGroup()))
                    || !Objects.equals(left.get(i).getKind(), right.get(i).getKind())) {
                return false;
            }
        }
        return true;
    }

    /** A condition message as the API takes it: at most 32,768 characters, cut with a mark that it was. */
    static String limited(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message;
        }
        String mark = " ... (cut at the API's limit)";
        return message.substring(0, MAX_MESSAGE - mark.length()) + mark;
    }

    private static List<RouteGroupKind> kinds(List<RouteGroupKindIr> kinds) {
        return kinds.stream()
                .limit(MAX_SUPPORTED_KINDS)
                .map(k -> new RouteGroupKind(k.group(), k.kind()))
                .toList();
    }

    static ParentReference parentReference(ParentRefIr ref) {
        return new ParentReference(ref.group(), ref.kind(), ref.name(), ref.namespace(), ref.port(), ref.sectionName());
    }

    private static boolean sameRef(ParentReference actual, ParentRefIr desired) {
        if (actual == null) {
            return false;
        }
        return Objects.equals(nullToEmpty(actual.getGroup()), nullToEmpty(desired.group()))
                && Objects.equals(actual.getKind(), desired.kind())
                && Objects.equals(actual.getNamespace(), desired.namespace())
                && Objects.equals(actual.getName(), desired.name())
                && Objects.equals(actual.getSectionName(), desired.sectionName())
                && Objects.equals(actual.getPort(), desired.port());
    }

    private static List<String> names(List<SupportedFeature> features) {
        return nullSafe(features).stream().map(SupportedFeature::getName).toList();
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
