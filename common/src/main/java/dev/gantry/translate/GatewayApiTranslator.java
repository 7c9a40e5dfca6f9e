package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.status.PolicyAncestorStatusIr;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Gateway API translation: a pure function from a {@link ClusterView} to, per Gateway of Gantry's classes, the
 * proxy configuration ({@link dev.gantry.ir.GatewayIr}) and the status of every object involved. The
 * controller and every xds-shard call the same code, so status and xDS never disagree.
 */
public final class GatewayApiTranslator {

    private final TranslatorConfig config;

    public GatewayApiTranslator(TranslatorConfig config) {
        this.config = config;
    }

    public TranslatorConfig config() {
        return config;
    }

    /** Whether Gantry serves this GatewayClass. */
    public boolean serves(GatewayClass gatewayClass) {
        return gatewayClass.getSpec() != null
                && config.controllerName().equals(gatewayClass.getSpec().getControllerName());
    }

    /** Whether this Gateway's class is one Gantry serves. */
    public boolean serves(ClusterView view, Gateway gateway) {
        if (gateway.getSpec() == null || gateway.getSpec().getGatewayClassName() == null) {
            return false;
        }
        return view.get(Kinds.GATEWAY_CLASS, ObjectKey.cluster(gateway.getSpec().getGatewayClassName()))
                .map(this::serves)
                .orElse(false);
    }

    /** Status of a GatewayClass Gantry serves. */
    public ObjectStatusIr.GatewayClassStatus gatewayClassStatus(ClusterView view, GatewayClass gatewayClass) {
        long generation = Metadata.generation(gatewayClass);
        String problem = ProxyParametersResolver.forClass(view, gatewayClass, config.proxyDefaults())
                        instanceof ProxyParameters.Result.Invalid(String why)
                ? why
                : null;
        ConditionIr accepted = problem == null
                ? ConditionIr.of(
                        Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Gantry serves this GatewayClass", generation)
                : ConditionIr.of(Reasons.ACCEPTED, false, Reasons.INVALID_PARAMETERS, problem, generation);
        return new ObjectStatusIr.GatewayClassStatus(List.of(accepted), Features.SUPPORTED);
    }

    /** Translates one Gateway; empty when it does not exist or is not of a class Gantry serves. */
    public Optional<GatewayTranslation> translate(ClusterView view, ObjectKey gatewayKey) {
        Gateway gateway = view.get(Kinds.GATEWAY, gatewayKey).orElse(null);
        if (gateway == null || gateway.getSpec() == null || gateway.getSpec().getGatewayClassName() == null) {
            return Optional.empty();
        }
        GatewayClass gatewayClass = view.get(
                        Kinds.GATEWAY_CLASS, ObjectKey.cluster(gateway.getSpec().getGatewayClassName()))
                .orElse(null);
        if (gatewayClass == null || !serves(gatewayClass)) {
            return Optional.empty();
        }
        GatewayTranslator translator = new GatewayTranslator(config, gatewayKey);
        translator.translate(view);
        return Optional.ofNullable(translator.snapshot());
    }

    /** Translates every Gateway of Gantry's classes and gathers the desired status of every managed object. */
    public ClusterTranslation translateAll(ClusterView view) {
        Map<StatusKey, ObjectStatusIr> statuses = new HashMap<>();
        for (GatewayClass gatewayClass : view.list(Kinds.GATEWAY_CLASS)) {
            if (serves(gatewayClass)) {
                statuses.put(
                        new StatusKey(Kinds.GATEWAY_CLASS, ObjectKey.of(gatewayClass)),
                        gatewayClassStatus(view, gatewayClass));
            }
        }
        Map<ObjectKey, GatewayTranslation> gateways = new TreeMap<>();
        Map<StatusKey, List<GatewayTranslation.RouteParent>> routeParents = new HashMap<>();
        Map<ObjectKey, Map<ObjectKey, PolicyAncestorStatusIr>> ancestors = new HashMap<>();
        for (Gateway gateway : view.list(Kinds.GATEWAY)) {
            Optional<GatewayTranslation> translated = translate(view, ObjectKey.of(gateway));
            if (translated.isEmpty()) {
                continue;
            }
            GatewayTranslation translation = translated.get();
            gateways.put(translation.gateway(), translation);
            statuses.put(new StatusKey(Kinds.GATEWAY, translation.gateway()), translation.gatewayStatus());
            translation
                    .listenerSets()
                    .forEach((key, status) -> statuses.put(new StatusKey(Kinds.LISTENER_SET, key), status));
            for (GatewayTranslation.RouteParent parent : translation.routeParents()) {
                routeParents
                        .computeIfAbsent(new StatusKey(parent.routeKind(), parent.route()), k -> new ArrayList<>())
                        .add(parent);
            }
            translation
                    .policyAncestors()
                    .forEach((policy, ancestor) -> ancestors
                            .computeIfAbsent(policy, k -> new HashMap<>())
                            .put(translation.gateway(), ancestor));
        }
        routeParents.forEach((key, parents) -> statuses.put(key, StatusAggregation.route(List.of(parents))));
        ancestors.forEach((policy, byGateway) ->
                statuses.put(new StatusKey(Kinds.BACKEND_TLS_POLICY, policy), StatusAggregation.policy(byGateway)));
        return new ClusterTranslation(gateways, statuses);
    }
}
