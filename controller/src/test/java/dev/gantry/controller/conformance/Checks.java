package dev.gantry.controller.conformance;

import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerEntryStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.PolicyAncestorStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The status assertions of the upstream suite ({@code conformance/utils/kubernetes/helpers.go}), with the
 * semantics INDEX.md's legend gives them. Each polls until it holds or the timeout passes; a condition whose
 * {@code observedGeneration} is not the object's generation never counts (the poll goes on).
 */
class Checks {

    static final String GROUP = Kinds.GATEWAY_GROUP;
    /** Gateways with this annotation set to "true" are left out of NMR. */
    static final String SKIP_READINESS = "gateway-api/skip-this-for-readiness";
    /** Any reason (or, as a status, any status). */
    static final String ANY = null;

    /**
     * An expected condition.
     *
     * @param type condition type
     * @param status "True", "False", or null for any
     * @param reason reason, or null for any
     */
    record Cond(String type, String status, String reason) {
        @Override
        public String toString() {
            return type + "=" + (status == null ? "*" : status) + "/" + (reason == null ? "*" : reason);
        }
    }

    /** {@code Type=True/reason}; a null reason means any. */
    static Cond isTrue(String type, String reason) {
        return new Cond(type, "True", reason);
    }

    static Cond isTrue(String type) {
        return new Cond(type, "True", ANY);
    }

    /** {@code Type=False/reason}; a null reason means any. */
    static Cond isFalse(String type, String reason) {
        return new Cond(type, "False", reason);
    }

    static Cond isFalse(String type) {
        return new Cond(type, "False", ANY);
    }

    /** ResolvedRefs, Accepted and Programmed all True, any reason: what ACC-* require of every listener. */
    static final List<Cond> LISTENER_READY = List.of(isTrue("ResolvedRefs"), isTrue("Accepted"), isTrue("Programmed"));

    /**
     * An expected entry of {@code status.listeners} (LST / LSLST).
     *
     * @param name listener name
     * @param kinds route kinds that must be in supportedKinds (group gateway.networking.k8s.io); empty: the actual
     *     list must be empty
     * @param attachedRoutes expected attachedRoutes
     * @param conditions conditions that must be present
     */
    record ExpectedListener(String name, List<String> kinds, int attachedRoutes, List<Cond> conditions) {}

    static ExpectedListener listener(String name, List<String> kinds, int attachedRoutes, Cond... conditions) {
        return new ExpectedListener(name, kinds, attachedRoutes, List.of(conditions));
    }

    static ExpectedListener listener(String name, List<String> kinds, int attachedRoutes, List<Cond> conditions) {
        return new ExpectedListener(name, kinds, attachedRoutes, conditions);
    }

    final ConformanceSuite suite;
    final KubernetesClient client;
    final String controllerName;
    final Duration timeout;

    Checks(ConformanceSuite suite) {
        this.suite = suite;
        this.client = suite.client;
        this.controllerName = suite.controllerName;
        this.timeout = suite.timeout;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Polling

    /**
     * Polls {@code problem} (null when the expectation holds, else what is wrong) until it returns null.
     */
    void await(String what, Supplier<String> problem) {
        await(what, timeout, Duration.ofMillis(25), problem);
    }

    static void await(String what, Duration timeout, Duration interval, Supplier<String> problem) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "never evaluated";
        while (true) {
            try {
                last = problem.get();
            } catch (RuntimeException e) {
                last = e.toString();
            }
            if (last == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout.toSeconds() + " s waiting for " + what + ": " + last);
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading objects

    Gateway gateway(ObjectKey key) {
        return client.resources(Gateway.class)
                .inNamespace(key.namespace())
                .withName(key.name())
                .get();
    }

    ListenerSet listenerSet(ObjectKey key) {
        return client.resources(ListenerSet.class)
                .inNamespace(key.namespace())
                .withName(key.name())
                .get();
    }

    GatewayClass gatewayClass(String name) {
        return client.resources(GatewayClass.class).withName(name).get();
    }

    HasMetadata route(Kind<?> kind, ObjectKey key) {
        return client.resources(kind.type())
                .inNamespace(key.namespace())
                .withName(key.name())
                .get();
    }

    BackendTLSPolicy policy(ObjectKey key) {
        return client.resources(BackendTLSPolicy.class)
                .inNamespace(key.namespace())
                .withName(key.name())
                .get();
    }

    static List<RouteParentStatus> parents(HasMetadata route) {
        List<RouteParentStatus> parents = switch (route) {
            case HTTPRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            case GRPCRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            case TLSRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            case TCPRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            case UDPRoute r -> r.getStatus() == null ? null : r.getStatus().getParents();
            default -> throw new IllegalArgumentException("not a route: " + route.getKind());
        };
        return parents == null ? List.of() : parents;
    }

    static List<Condition> conditions(Gateway gateway) {
        return gateway.getStatus() == null || gateway.getStatus().getConditions() == null
                ? List.of()
                : gateway.getStatus().getConditions();
    }

    static List<Condition> conditions(ListenerSet set) {
        return set.getStatus() == null || set.getStatus().getConditions() == null
                ? List.of()
                : set.getStatus().getConditions();
    }

    static List<ListenerStatus> listeners(Gateway gateway) {
        return gateway.getStatus() == null || gateway.getStatus().getListeners() == null
                ? List.of()
                : gateway.getStatus().getListeners();
    }

    static List<ListenerEntryStatus> listeners(ListenerSet set) {
        return set.getStatus() == null || set.getStatus().getListeners() == null
                ? List.of()
                : set.getStatus().getListeners();
    }

    static long generation(HasMetadata object) {
        Long generation = object.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    /** Null when every condition observed the object's generation (ConditionsHaveLatestObservedGeneration). */
    static String stale(HasMetadata object, List<Condition> conditions) {
        List<String> stale = new ArrayList<>();
        for (Condition c : conditions == null ? List.<Condition>of() : conditions) {
            long observed = c.getObservedGeneration() == null ? 0 : c.getObservedGeneration();
            if (observed != generation(object)) {
                stale.add(c.getType() + " (generation " + observed + ")");
            }
        }
        return stale.isEmpty()
                ? null
                : object.getKind() + " " + ObjectKey.of(object) + " has conditions older than " + "generation "
                        + generation(object) + ": " + stale;
    }

    /** findConditionInList: a condition of that type with that status (null: any) and reason (null: any). */
    static boolean has(List<Condition> conditions, Cond expected) {
        for (Condition c : conditions == null ? List.<Condition>of() : conditions) {
            if (c.getType().equals(expected.type())
                    && (expected.status() == null || expected.status().equals(c.getStatus()))
                    && (expected.reason() == null || expected.reason().equals(c.getReason()))) {
                return true;
            }
        }
        return false;
    }

    static String describe(List<Condition> conditions) {
        if (conditions == null || conditions.isEmpty()) {
            return "[]";
        }
        StringBuilder text = new StringBuilder("[");
        for (Condition c : conditions) {
            text.append(c.getType())
                    .append('=')
                    .append(c.getStatus())
                    .append('/')
                    .append(c.getReason())
                    .append('@')
                    .append(c.getObservedGeneration())
                    .append(' ');
        }
        return text.append(']').toString();
    }

    static String describeParents(List<RouteParentStatus> parents) {
        StringBuilder text = new StringBuilder("[");
        for (RouteParentStatus p : parents) {
            text.append("{")
                    .append(p.getParentRef().getGroup())
                    .append('/')
                    .append(p.getParentRef().getKind())
                    .append(' ')
                    .append(p.getParentRef().getNamespace())
                    .append('/')
                    .append(p.getParentRef().getName())
                    .append(
                            p.getParentRef().getSectionName() == null
                                    ? ""
                                    : "#" + p.getParentRef().getSectionName())
                    .append(" by ")
                    .append(p.getControllerName())
                    .append(' ')
                    .append(describe(p.getConditions()))
                    .append("} ");
        }
        return text.append(']').toString();
    }

    private static String missing(List<Condition> actual, List<Cond> expected) {
        List<Cond> absent = expected.stream().filter(c -> !has(actual, c)).toList();
        return absent.isEmpty() ? null : "missing " + absent + " in " + describe(actual);
    }

    // ---------------------------------------------------------------------------------------------------------
    // GatewayClass

    /** GWCMustHaveAcceptedConditionTrue. */
    void gatewayClassMustBeAccepted(String name) {
        await("GatewayClass " + name + " Accepted=True", () -> {
            GatewayClass gc = gatewayClass(name);
            if (gc == null) {
                return "GatewayClass " + name + " does not exist";
            }
            List<Condition> conditions =
                    gc.getStatus() == null ? List.of() : gc.getStatus().getConditions();
            String stale = stale(gc, conditions);
            return stale != null ? stale : missing(conditions, List.of(isTrue("Accepted")));
        });
    }

    /** GatewayClassMustHaveLatestConditions, plus an Accepted condition of any status. */
    void gatewayClassMustHaveLatestConditionsWithAccepted(String name) {
        await("GatewayClass " + name + " conditions of the current generation, with Accepted", () -> {
            GatewayClass gc = gatewayClass(name);
            if (gc == null) {
                return "GatewayClass " + name + " does not exist";
            }
            List<Condition> conditions =
                    gc.getStatus() == null ? List.of() : gc.getStatus().getConditions();
            String stale = stale(gc, conditions);
            return stale != null ? stale : missing(conditions, List.of(new Cond("Accepted", ANY, ANY)));
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Gateways

    /** NMR: every Gateway (not annotated skip-readiness) Accepted and Programmed at its generation; Pods Ready. */
    void namespacesMustBeReady(String... namespaces) {
        await("namespaces " + Arrays.toString(namespaces) + " ready", () -> {
            for (String namespace : namespaces) {
                for (Gateway gw : client.resources(Gateway.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems()) {
                    Map<String, String> annotations = gw.getMetadata().getAnnotations();
                    if (annotations != null && "true".equals(annotations.get(SKIP_READINESS))) {
                        continue;
                    }
                    String stale = stale(gw, conditions(gw));
                    if (stale != null) {
                        return stale;
                    }
                    String problem = missing(conditions(gw), List.of(isTrue("Accepted"), isTrue("Programmed")));
                    if (problem != null) {
                        return "Gateway " + ObjectKey.of(gw) + ": " + problem;
                    }
                }
                for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
                    boolean ready = pod.getStatus() != null
                            && pod.getStatus().getConditions() != null
                            && pod.getStatus().getConditions().stream()
                                    .anyMatch((PodCondition c) ->
                                            "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
                    boolean succeeded = pod.getStatus() != null
                            && "Succeeded".equals(pod.getStatus().getPhase());
                    if (!ready && !succeeded && pod.getMetadata().getDeletionTimestamp() == null) {
                        return "Pod " + ObjectKey.of(pod) + " not ready";
                    }
                }
            }
            return null;
        });
    }

    /** WaitForGatewayAddress: conditions current and at least one status address with a type. */
    void gatewayMustHaveAddress(ObjectKey key) {
        await("Gateway " + key + " has a typed address", () -> {
            Gateway gw = gateway(key);
            if (gw == null) {
                return "Gateway " + key + " does not exist";
            }
            String stale = stale(gw, conditions(gw));
            if (stale != null) {
                return stale;
            }
            List<GatewayStatusAddress> addresses =
                    gw.getStatus() == null || gw.getStatus().getAddresses() == null
                            ? List.of()
                            : gw.getStatus().getAddresses();
            return addresses.stream().anyMatch(a -> a.getType() != null) ? null : "status.addresses " + addresses;
        });
    }

    /** GWC: the Gateway's conditions are current and include the expected one. */
    void gatewayMustHaveCondition(ObjectKey key, Cond expected) {
        await("Gateway " + key + " " + expected, () -> {
            Gateway gw = gateway(key);
            if (gw == null) {
                return "Gateway " + key + " does not exist";
            }
            String stale = stale(gw, conditions(gw));
            return stale != null ? stale : missing(conditions(gw), List.of(expected));
        });
    }

    /** LATEST(gateway): every condition observed the current generation. */
    void gatewayMustHaveLatestConditions(ObjectKey key) {
        await("Gateway " + key + " conditions of the current generation", () -> {
            Gateway gw = gateway(key);
            return gw == null ? "Gateway " + key + " does not exist" : stale(gw, conditions(gw));
        });
    }

    /**
     * GLC: the named listeners (every listener when none is named) carry the conditions; each named listener must
     * be present.
     */
    void gatewayListenersMustHaveConditions(ObjectKey key, List<Cond> expected, String... names) {
        List<String> wanted = List.of(names);
        await("Gateway " + key + " listeners " + (wanted.isEmpty() ? "(all)" : wanted) + " with " + expected, () -> {
            Gateway gw = gateway(key);
            if (gw == null) {
                return "Gateway " + key + " does not exist";
            }
            List<String> seen = new ArrayList<>();
            for (ListenerStatus listener : listeners(gw)) {
                if (!wanted.isEmpty() && !wanted.contains(listener.getName())) {
                    continue;
                }
                String problem = missing(listener.getConditions(), expected);
                if (problem == null) {
                    problem = stale(gw, listener.getConditions());
                }
                if (problem != null) {
                    return "listener " + listener.getName() + ": " + problem;
                }
                seen.add(listener.getName());
            }
            List<String> absent = wanted.stream().filter(n -> !seen.contains(n)).toList();
            return absent.isEmpty() ? null : "no listener status for " + absent;
        });
    }

    /** ALS: status.attachedListenerSets (absent: 0), with current conditions. */
    void gatewayMustHaveAttachedListeners(ObjectKey key, int expected) {
        await("Gateway " + key + " attachedListenerSets=" + expected, () -> {
            Gateway gw = gateway(key);
            if (gw == null) {
                return "Gateway " + key + " does not exist";
            }
            String stale = stale(gw, conditions(gw));
            if (stale != null) {
                return stale;
            }
            int actual = gw.getStatus() == null || gw.getStatus().getAttachedListenerSets() == null
                    ? 0
                    : gw.getStatus().getAttachedListenerSets();
            return actual == expected ? null : "attachedListenerSets is " + actual;
        });
    }

    /** ZR: no listener status, or exactly one with attachedRoutes 0. */
    void gatewayMustHaveZeroRoutes(ObjectKey key) {
        await("Gateway " + key + " has zero routes", () -> {
            Gateway gw = gateway(key);
            if (gw == null) {
                return "Gateway " + key + " does not exist";
            }
            String stale = stale(gw, conditions(gw));
            if (stale != null) {
                return stale;
            }
            List<ListenerStatus> listeners = listeners(gw);
            return listeners.isEmpty()
                            || (listeners.size() == 1 && listeners.getFirst().getAttachedRoutes() == 0)
                    ? null
                    : "listeners "
                            + listeners.stream()
                                    .map(l -> l.getName() + "=" + l.getAttachedRoutes())
                                    .toList();
        });
    }

    /** LST: exactly these listeners, each with the kinds, attachedRoutes and conditions given. */
    void gatewayStatusMustHaveListeners(ObjectKey key, ExpectedListener... expected) {
        await("Gateway " + key + " listeners " + Arrays.toString(expected), () -> {
            Gateway gw = gateway(key);
            if (gw == null) {
                return "Gateway " + key + " does not exist";
            }
            String stale = stale(gw, conditions(gw));
            if (stale != null) {
                return stale;
            }
            List<ActualListener> actual = listeners(gw).stream()
                    .map(l -> new ActualListener(
                            l.getName(), l.getSupportedKinds(), l.getAttachedRoutes(), l.getConditions()))
                    .toList();
            return listenersMatch(gw, actual, expected);
        });
    }

    private record ActualListener(
            String name, List<RouteGroupKind> kinds, Integer attachedRoutes, List<Condition> conditions) {}

    private static String listenersMatch(HasMetadata owner, List<ActualListener> actual, ExpectedListener[] expected) {
        if (actual.size() != expected.length) {
            return "expected " + expected.length + " listeners, got "
                    + actual.stream().map(ActualListener::name).toList();
        }
        for (ExpectedListener e : expected) {
            ActualListener a = actual.stream()
                    .filter(l -> e.name().equals(l.name()))
                    .findFirst()
                    .orElse(null);
            if (a == null) {
                return "no status for listener " + e.name();
            }
            List<RouteGroupKind> kinds = a.kinds() == null ? List.of() : a.kinds();
            if (e.kinds().isEmpty() && !kinds.isEmpty()) {
                return "listener " + e.name() + ": supportedKinds should be empty, is " + kinds;
            }
            for (String kind : e.kinds()) {
                if (kinds.stream()
                        .noneMatch(k -> kind.equals(k.getKind())
                                && GROUP.equals(k.getGroup() == null ? GROUP : k.getGroup()))) {
                    return "listener " + e.name() + ": supportedKinds " + kinds + " lack " + kind;
                }
            }
            int attached = a.attachedRoutes() == null ? 0 : a.attachedRoutes();
            if (attached != e.attachedRoutes()) {
                return "listener " + e.name() + ": attachedRoutes is " + attached + ", expected " + e.attachedRoutes();
            }
            String problem = missing(a.conditions(), e.conditions());
            if (problem == null) {
                problem = stale(owner, a.conditions());
            }
            if (problem != null) {
                return "listener " + e.name() + ": " + problem;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // ListenerSets

    /** LSC. */
    void listenerSetMustHaveCondition(ObjectKey key, Cond expected) {
        await("ListenerSet " + key + " " + expected, () -> {
            ListenerSet set = listenerSet(key);
            if (set == null) {
                return "ListenerSet " + key + " does not exist";
            }
            String stale = stale(set, conditions(set));
            return stale != null ? stale : missing(conditions(set), List.of(expected));
        });
    }

    /** LSLC: the named listeners (all when none is named) carry the conditions; ListenerSet conditions current. */
    void listenerSetListenersMustHaveConditions(ObjectKey key, List<Cond> expected, String... names) {
        List<String> wanted = List.of(names);
        await(
                "ListenerSet " + key + " listeners " + (wanted.isEmpty() ? "(all)" : wanted) + " with " + expected,
                () -> {
                    ListenerSet set = listenerSet(key);
                    if (set == null) {
                        return "ListenerSet " + key + " does not exist";
                    }
                    String stale = stale(set, conditions(set));
                    if (stale != null) {
                        return stale;
                    }
                    List<String> seen = new ArrayList<>();
                    for (ListenerEntryStatus listener : listeners(set)) {
                        if (!wanted.isEmpty() && !wanted.contains(listener.getName())) {
                            continue;
                        }
                        String problem = missing(listener.getConditions(), expected);
                        if (problem == null) {
                            problem = stale(set, listener.getConditions());
                        }
                        if (problem != null) {
                            return "listener " + listener.getName() + ": " + problem;
                        }
                        seen.add(listener.getName());
                    }
                    List<String> absent =
                            wanted.stream().filter(n -> !seen.contains(n)).toList();
                    return absent.isEmpty() ? null : "no listener status for " + absent;
                });
    }

    /** LSLST. */
    void listenerSetStatusMustHaveListeners(ObjectKey key, ExpectedListener... expected) {
        await("ListenerSet " + key + " listeners " + Arrays.toString(expected), () -> {
            ListenerSet set = listenerSet(key);
            if (set == null) {
                return "ListenerSet " + key + " does not exist";
            }
            String stale = stale(set, conditions(set));
            if (stale != null) {
                return stale;
            }
            List<ActualListener> actual = listeners(set).stream()
                    .map(l -> new ActualListener(
                            l.getName(), l.getSupportedKinds(), l.getAttachedRoutes(), l.getConditions()))
                    .toList();
            return listenersMatch(set, actual, expected);
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Routes

    /** ACC-HTTP / ACC-GRPC / ACC-TCP / ACC-UDP: address, routes accepted by the Gateway, every listener ready. */
    void gatewayAndRoutesMustBeAccepted(Kind<?> routeKind, ObjectKey gateway, ObjectKey... routes) {
        gatewayMustHaveAddress(gateway);
        routesMustHaveAcceptedParent(routeKind, "Gateway", gateway, routes);
        gatewayListenersMustHaveConditions(gateway, LISTENER_READY);
    }

    /** ACC-TLS: address and routes accepted by the Gateway (no listener check). */
    void gatewayAndTlsRoutesMustBeAccepted(ObjectKey gateway, ObjectKey... routes) {
        gatewayMustHaveAddress(gateway);
        routesMustHaveAcceptedParent(Kinds.TLS_ROUTE, "Gateway", gateway, routes);
    }

    /** ACC-LS: routes accepted by the ListenerSet (kind ListenerSet), every listener of the ListenerSet ready. */
    void listenerSetAndRoutesMustBeAccepted(Kind<?> routeKind, ObjectKey listenerSet, ObjectKey... routes) {
        routesMustHaveAcceptedParent(routeKind, "ListenerSet", listenerSet, routes);
        listenerSetListenersMustHaveConditions(listenerSet, LISTENER_READY);
    }

    /**
     * RouteMustHaveParents with one expected parent: an entry by this controller whose parentRef has group and kind
     * set (and equal), the parent's name, its namespace (may be omitted only when the route is in the parent's
     * namespace), and Accepted=True/Accepted. The sectionName is not compared.
     */
    void routesMustHaveAcceptedParent(Kind<?> routeKind, String parentKind, ObjectKey parent, ObjectKey... routes) {
        for (ObjectKey routeKey : routes) {
            boolean namespaceRequired = !routeKey.namespace().equals(parent.namespace());
            await(routeKind.kind() + " " + routeKey + " accepted by " + parentKind + " " + parent, () -> {
                HasMetadata route = route(routeKind, routeKey);
                if (route == null) {
                    return routeKind.kind() + " " + routeKey + " does not exist";
                }
                List<RouteParentStatus> parents = parents(route);
                for (RouteParentStatus p : parents) {
                    String stale = stale(route, p.getConditions());
                    if (stale != null) {
                        return stale;
                    }
                }
                for (RouteParentStatus p : parents) {
                    if (controllerName.equals(p.getControllerName())
                            && GROUP.equals(p.getParentRef().getGroup())
                            && parentKind.equals(p.getParentRef().getKind())
                            && parent.name().equals(p.getParentRef().getName())
                            && (parent.namespace().equals(p.getParentRef().getNamespace())
                                    || (!namespaceRequired && p.getParentRef().getNamespace() == null))
                            && has(p.getConditions(), isTrue("Accepted", "Accepted"))) {
                        return null;
                    }
                }
                return "parents " + describeParents(parents);
            });
        }
    }

    /**
     * RC: some parent entry naming {@code parent} (by name, and namespace when set; the kind is not compared) has
     * the condition; every parent's conditions must be current.
     */
    void routeMustHaveCondition(Kind<?> routeKind, ObjectKey routeKey, ObjectKey parent, Cond expected) {
        await(routeKind.kind() + " " + routeKey + " parent " + parent + " " + expected, () -> {
            HasMetadata route = route(routeKind, routeKey);
            if (route == null) {
                return routeKind.kind() + " " + routeKey + " does not exist";
            }
            boolean found = false;
            for (RouteParentStatus p : parents(route)) {
                String stale = stale(route, p.getConditions());
                if (stale != null) {
                    return stale;
                }
                if (parent.name().equals(p.getParentRef().getName())
                        && (p.getParentRef().getNamespace() == null
                                || parent.namespace().equals(p.getParentRef().getNamespace()))
                        && has(p.getConditions(), expected)) {
                    found = true;
                }
            }
            return found ? null : "parents " + describeParents(parents(route));
        });
    }

    /** RR. */
    void httpRouteMustHaveResolvedRefsTrue(ObjectKey route, ObjectKey gateway) {
        routeMustHaveCondition(Kinds.HTTP_ROUTE, route, gateway, isTrue("ResolvedRefs", "ResolvedRefs"));
    }

    /** NAP: no parents (seen twice, a second apart), or exactly one parent entry with Accepted=False. */
    void routeMustHaveNoAcceptedParents(Kind<?> routeKind, ObjectKey routeKey) {
        boolean[] emptySeen = {false};
        await(routeKind.kind() + " " + routeKey + " has no accepted parents", timeout, Duration.ofSeconds(1), () -> {
            HasMetadata route = route(routeKind, routeKey);
            if (route == null) {
                return routeKind.kind() + " " + routeKey + " does not exist";
            }
            List<RouteParentStatus> parents = parents(route);
            if (parents.isEmpty()) {
                if (!emptySeen[0]) {
                    emptySeen[0] = true;
                    return "no parents yet (looking again)";
                }
                return null;
            }
            if (parents.size() > 1) {
                return "more than one parent: " + describeParents(parents);
            }
            String stale = stale(route, parents.getFirst().getConditions());
            if (stale != null) {
                return stale;
            }
            return has(parents.getFirst().getConditions(), isFalse("Accepted"))
                    ? null
                    : "parents " + describeParents(parents);
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Policies

    /** BackendTLSPolicyMustHaveCondition: an ancestor entry naming the Gateway carries the condition. */
    void policyMustHaveCondition(ObjectKey policyKey, ObjectKey gateway, Cond expected) {
        await("BackendTLSPolicy " + policyKey + " ancestor " + gateway + " " + expected, () -> {
            BackendTLSPolicy policy = policy(policyKey);
            if (policy == null) {
                return "BackendTLSPolicy " + policyKey + " does not exist";
            }
            List<PolicyAncestorStatus> ancestors =
                    policy.getStatus() == null || policy.getStatus().getAncestors() == null
                            ? List.of()
                            : policy.getStatus().getAncestors();
            for (PolicyAncestorStatus a : ancestors) {
                String stale = stale(policy, a.getConditions());
                if (stale != null) {
                    return stale;
                }
                if (gateway.name().equals(a.getAncestorRef().getName())
                        && (a.getAncestorRef().getNamespace() == null
                                || gateway.namespace().equals(a.getAncestorRef().getNamespace()))
                        && has(a.getConditions(), expected)) {
                    return null;
                }
            }
            return "ancestors "
                    + ancestors.stream()
                            .map(a -> a.getAncestorRef().getName() + " " + describe(a.getConditions()))
                            .toList();
        });
    }

    /** BackendTLSPolicyMustHaveLatestConditions (checked once, as upstream). */
    void policyMustHaveLatestConditions(ObjectKey policyKey) {
        BackendTLSPolicy policy = policy(policyKey);
        Objects.requireNonNull(policy, "BackendTLSPolicy " + policyKey);
        List<PolicyAncestorStatus> ancestors =
                policy.getStatus() == null || policy.getStatus().getAncestors() == null
                        ? List.of()
                        : policy.getStatus().getAncestors();
        for (PolicyAncestorStatus a : ancestors) {
            String stale = stale(policy, a.getConditions());
            if (stale != null) {
                throw new AssertionError(stale);
            }
        }
    }
}
