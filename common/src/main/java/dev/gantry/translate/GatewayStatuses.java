package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ListenerStatusIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.ParentRefIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The status rules of a Gateway, of its ListenerSets and listeners, and of the BackendTLSPolicies its routes' backends
 * use, from its {@link GatewayPlan} and what the engine counted (routes attached per listener, the policies met).
 * Pure.
 */
final class GatewayStatuses {

    private GatewayStatuses() {}

    /** A listener's status; a listener of a Gateway that is not accepted is valid on its own but serves nothing. */
    static ListenerStatusIr listener(GatewayPlan plan, ObjectKey gateway, ListenerState listener, int attachedRoutes) {
        ListenerStatusIr status = listener.status(attachedRoutes);
        if (!(plan.verdict() instanceof GatewayPlan.Verdict.NotAccepted notAccepted)) {
            return status;
        }
        List<ConditionIr> conditions = new ArrayList<>(status.conditions().size());
        for (ConditionIr condition : status.conditions()) {
            conditions.add(
                    !condition.type().equals(Reasons.PROGRAMMED) || !condition.isTrue()
                            ? condition
                            : ConditionIr.of(
                                    Reasons.PROGRAMMED,
                                    false,
                                    Reasons.INVALID,
                                    "Gateway " + gateway + " is not accepted: " + notAccepted.message(),
                                    condition.observedGeneration()));
        }
        return new ListenerStatusIr(status.name(), status.supportedKinds(), status.attachedRoutes(), conditions);
    }

    /**
     * The Gateway's status: accepted unless its class, parameters or addresses are not, or none of its own listeners
     * is valid ({@code ListenersNotValid}, True while some are); programmed once accepted and reachable.
     */
    static ObjectStatusIr.GatewayStatus gateway(
            GatewayPlan plan, ObjectKey gateway, Function<ListenerState, ListenerStatusIr> listenerStatus) {
        List<ListenerState> own =
                plan.owners().getOrDefault(GatewayPlanner.gatewayParent(gateway).indexKey(), List.of());
        List<ListenerStatusIr> statuses = new ArrayList<>(own.size());
        own.forEach(l -> statuses.add(listenerStatus.apply(l)));
        long generation = Metadata.generation(plan.gateway());
        ConditionIr accepted;
        long acceptedCount =
                own.stream().filter(l -> l.accepted() && !l.conflicted()).count();
        if (plan.verdict() instanceof GatewayPlan.Verdict.NotAccepted notAccepted) {
            accepted = ConditionIr.of(Reasons.ACCEPTED, false, notAccepted.reason(), notAccepted.message(), generation);
        } else if (acceptedCount == 0) {
            accepted = ConditionIr.of(
                    Reasons.ACCEPTED,
                    false,
                    Reasons.LISTENERS_NOT_VALID,
                    "No listener is valid: " + ListenerVerdicts.describe(own),
                    generation);
        } else if (acceptedCount < own.size()) {
            accepted = ConditionIr.of(
                    Reasons.ACCEPTED,
                    true,
                    Reasons.LISTENERS_NOT_VALID,
                    (own.size() - acceptedCount) + " of " + own.size() + " listeners are not valid: "
                            + ListenerVerdicts.describe(own),
                    generation);
        } else {
            accepted = ConditionIr.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Gateway is accepted", generation);
        }
        ConditionIr programmed;
        if (!accepted.isTrue()) {
            programmed = ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.INVALID, accepted.message(), generation);
        } else if (plan.addresses().isEmpty()) {
            programmed = ConditionIr.of(
                    Reasons.PROGRAMMED,
                    false,
                    Reasons.ADDRESS_NOT_ASSIGNED,
                    "No address assigned yet: spec.addresses is empty and the proxy Service "
                            + ProxyNames.proxyName(gateway) + " does not exist",
                    generation);
        } else {
            programmed =
                    ConditionIr.of(Reasons.PROGRAMMED, true, Reasons.PROGRAMMED, "Gateway is programmed", generation);
        }
        int attachedSets = 0;
        for (ListenerSet set : plan.sets()) {
            if (setAccepted(plan, set)) {
                attachedSets++;
            }
        }
        List<ConditionIr> conditions = new ArrayList<>(3);
        conditions.add(accepted);
        conditions.add(programmed);
        ConditionIr insecure = insecureFrontendValidation(plan, generation);
        if (insecure != null) {
            conditions.add(insecure);
        }
        return new ObjectStatusIr.GatewayStatus(conditions, statuses, plan.addresses(), attachedSets);
    }

    /**
     * {@code InsecureFrontendValidationMode=True/ConfigurationChanged} while a served listener lets clients through
     * without a valid certificate (AllowInsecureFallback), as the spec asks; absent otherwise.
     */
    private static ConditionIr insecureFrontendValidation(GatewayPlan plan, long generation) {
        if (!plan.usable()) {
            return null;
        }
        Set<Integer> ports = new TreeSet<>();
        for (ListenerState listener : plan.listeners()) {
            if (listener.programmable()
                    && listener.clientValidation != null
                    && listener.clientValidation.insecureFallback()) {
                ports.add(listener.port);
            }
        }
        if (ports.isEmpty()) {
            return null;
        }
        return ConditionIr.of(
                Reasons.INSECURE_FRONTEND_VALIDATION_MODE,
                true,
                Reasons.CONFIGURATION_CHANGED,
                "HTTPS listeners on port" + (ports.size() == 1 ? " " : "s ")
                        + ports.stream().map(String::valueOf).collect(Collectors.joining(", "))
                        + " accept clients without a valid certificate"
                        + " (spec.tls.frontend mode AllowInsecureFallback): the backends must authorize them",
                generation);
    }

    private static boolean setAccepted(GatewayPlan plan, ListenerSet set) {
        List<ListenerState> own =
                plan.owners().get(GatewayPlanner.setParent(ObjectKey.of(set)).indexKey());
        return plan.usable() && own != null && own.stream().anyMatch(ListenerState::programmable);
    }

    /** The status of every ListenerSet naming the Gateway, allowed or not. */
    static Map<ObjectKey, ObjectStatusIr.ListenerSetStatus> listenerSets(
            GatewayPlan plan, ObjectKey gateway, Function<ListenerState, ListenerStatusIr> listenerStatus) {
        Map<ObjectKey, ObjectStatusIr.ListenerSetStatus> result = new TreeMap<>();
        for (ListenerSet set : plan.sets()) {
            result.put(ObjectKey.of(set), listenerSet(plan, gateway, set, listenerStatus));
        }
        return result;
    }

    private static ObjectStatusIr.ListenerSetStatus listenerSet(
            GatewayPlan plan,
            ObjectKey gateway,
            ListenerSet set,
            Function<ListenerState, ListenerStatusIr> listenerStatus) {
        long generation = Metadata.generation(set);
        if (!plan.usable()) {
            String message = "Gateway " + gateway + " is not accepted";
            return new ObjectStatusIr.ListenerSetStatus(
                    List.of(
                            ConditionIr.of(Reasons.ACCEPTED, false, Reasons.PARENT_NOT_ACCEPTED, message, generation),
                            ConditionIr.of(
                                    Reasons.PROGRAMMED, false, Reasons.PARENT_NOT_ACCEPTED, message, generation)),
                    List.of());
        }
        List<ListenerState> own =
                plan.owners().get(GatewayPlanner.setParent(ObjectKey.of(set)).indexKey());
        if (own == null) {
            String message = "Gateway " + gateway + " does not allow ListenerSets from namespace "
                    + Metadata.namespace(set) + " (spec.allowedListeners)";
            return new ObjectStatusIr.ListenerSetStatus(
                    List.of(
                            ConditionIr.of(Reasons.ACCEPTED, false, Reasons.NOT_ALLOWED, message, generation),
                            ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.NOT_ALLOWED, message, generation)),
                    List.of());
        }
        List<ListenerStatusIr> statuses = new ArrayList<>(own.size());
        int valid = 0;
        ListenerStatusIr firstInvalid = null;
        for (ListenerState listener : own) {
            ListenerStatusIr status = listenerStatus.apply(listener);
            statuses.add(status);
            if (listener.programmable()) {
                valid++;
            } else if (firstInvalid == null) {
                firstInvalid = status;
            }
        }
        List<ConditionIr> conditions;
        if (valid == 0) {
            String message = "No listener is valid"
                    + (firstInvalid == null
                            ? ""
                            : "; listener '" + firstInvalid.name()
                                    + "': "
                                    + firstInvalid.conditions().stream()
                                            .filter(c ->
                                                    !c.isTrue() && !c.type().equals(Reasons.CONFLICTED))
                                            .map(ConditionIr::message)
                                            .findFirst()
                                            .orElse(""));
            conditions = List.of(
                    ConditionIr.of(Reasons.ACCEPTED, false, Reasons.LISTENERS_NOT_VALID, message, generation),
                    ConditionIr.of(Reasons.PROGRAMMED, false, Reasons.LISTENERS_NOT_VALID, message, generation));
        } else {
            String suffix = valid == own.size()
                    ? ""
                    : " (" + (own.size() - valid) + " of " + own.size() + " listeners are not valid)";
            conditions = List.of(
                    ConditionIr.of(
                            Reasons.ACCEPTED, true, Reasons.ACCEPTED, "ListenerSet is accepted" + suffix, generation),
                    ConditionIr.of(
                            Reasons.PROGRAMMED,
                            true,
                            Reasons.PROGRAMMED,
                            "ListenerSet is programmed" + suffix,
                            generation));
        }
        return new ObjectStatusIr.ListenerSetStatus(conditions, statuses);
    }

    /**
     * The Gateway's ancestor entry on each BackendTLSPolicy its routes' backends met: the policy that applies, those
     * that lose to it on the same target ({@code Conflicted}), and those naming only the Service where one naming the
     * port applies (accepted: they apply to the Service's other ports).
     *
     * @param uses the policy uses of each route that met a policy
     */
    static Map<ObjectKey, PolicyAncestorStatusIr> policyAncestors(
            ObjectKey gateway, String controllerName, Collection<List<BackendResolver.PolicyUse>> uses) {
        Map<ObjectKey, PolicyAncestorStatusIr> ancestors = new TreeMap<>();
        ParentRefIr ancestor =
                new ParentRefIr(Kinds.GATEWAY_GROUP, "Gateway", gateway.namespace(), gateway.name(), null, null);
        for (List<BackendResolver.PolicyUse> routeUses : uses) {
            for (BackendResolver.PolicyUse use : routeUses) {
                BackendTlsPolicies.Evaluation evaluation = use.evaluation();
                BackendTLSPolicy policy = evaluation.policy();
                long generation = Metadata.generation(policy);
                List<ConditionIr> conditions = new ArrayList<>();
                conditions.add(
                        evaluation.valid()
                                ? ConditionIr.of(
                                        Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Policy is accepted", generation)
                                : ConditionIr.of(
                                        Reasons.ACCEPTED,
                                        false,
                                        evaluation.acceptedReason(),
                                        evaluation.message(),
                                        generation));
                conditions.add(
                        evaluation.refsReason() == null
                                ? ConditionIr.of(
                                        Reasons.RESOLVED_REFS,
                                        true,
                                        Reasons.RESOLVED_REFS,
                                        "All references resolved",
                                        generation)
                                : ConditionIr.of(
                                        Reasons.RESOLVED_REFS,
                                        false,
                                        evaluation.refsReason(),
                                        evaluation.message(),
                                        generation));
                ancestors.put(ObjectKey.of(policy), new PolicyAncestorStatusIr(ancestor, controllerName, conditions));
            }
        }
        for (List<BackendResolver.PolicyUse> routeUses : uses) {
            for (BackendResolver.PolicyUse use : routeUses) {
                BackendTLSPolicy winner = use.evaluation().policy();
                for (BackendTLSPolicy loser : use.losers()) {
                    ancestors.put(
                            ObjectKey.of(loser),
                            new PolicyAncestorStatusIr(
                                    ancestor,
                                    controllerName,
                                    List.of(ConditionIr.of(
                                            Reasons.ACCEPTED,
                                            false,
                                            "Conflicted",
                                            "BackendTLSPolicy " + ObjectKey.of(winner)
                                                    + " targets the same Service port and takes precedence",
                                            Metadata.generation(loser)))));
                }
            }
        }
        for (List<BackendResolver.PolicyUse> routeUses : uses) {
            for (BackendResolver.PolicyUse use : routeUses) {
                for (BackendTlsPolicies.Evaluation general : use.outranked()) {
                    long generation = Metadata.generation(general.policy());
                    ConditionIr accepted = general.valid()
                            ? ConditionIr.of(
                                    Reasons.ACCEPTED,
                                    true,
                                    Reasons.ACCEPTED,
                                    "Policy is accepted; on port "
                                            + use.port().getPort() + " of Service " + use.service()
                                            + " BackendTLSPolicy "
                                            + ObjectKey.of(use.evaluation().policy()) + " names the port and applies",
                                    generation)
                            : ConditionIr.of(
                                    Reasons.ACCEPTED, false, general.acceptedReason(), general.message(), generation);
                    ancestors.putIfAbsent(
                            ObjectKey.of(general.policy()),
                            new PolicyAncestorStatusIr(ancestor, controllerName, List.of(accepted)));
                }
            }
        }
        return ancestors;
    }
}
