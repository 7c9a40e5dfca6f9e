package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalParametersReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParametersReference;

/**
 * Resolves the proxy parameters of a Gateway: defaults, then its GatewayClass's {@code parametersRef}, then its
 * own {@code spec.infrastructure.parametersRef}. Both must name core ConfigMaps; anything else, a missing
 * ConfigMap or a malformed one is a problem reported as {@code InvalidParameters}.
 */
public final class ProxyParametersResolver {

    private ProxyParametersResolver() {}

    /** Parameters of a GatewayClass alone, or why its parametersRef is unusable. */
    public static ProxyParameters.Result forClass(
            ClusterView view, GatewayClass gatewayClass, ProxyParameters defaults) {
        ParametersReference ref =
                gatewayClass.getSpec() == null ? null : gatewayClass.getSpec().getParametersRef();
        if (ref == null) {
            return new ProxyParameters.Result.Valid(defaults);
        }
        String group = ref.getGroup() == null ? "" : ref.getGroup();
        if (!group.isEmpty() || !"ConfigMap".equals(ref.getKind())) {
            return new ProxyParameters.Result.Invalid("parametersRef must name a core ConfigMap, not "
                    + (group.isEmpty() ? "" : group + "/") + ref.getKind());
        }
        if (ref.getNamespace() == null || ref.getNamespace().isEmpty()) {
            return new ProxyParameters.Result.Invalid(
                    "parametersRef of a GatewayClass must set the ConfigMap's namespace");
        }
        ConfigMap configMap = view.get(Kinds.CONFIG_MAP, new ObjectKey(ref.getNamespace(), ref.getName()))
                .orElse(null);
        if (configMap == null) {
            return new ProxyParameters.Result.Invalid(
                    "parametersRef: ConfigMap " + ref.getNamespace() + "/" + ref.getName() + " does not exist");
        }
        return defaults.overriddenBy(configMap);
    }

    /** Parameters of a Gateway (class parameters first), or why they are unusable. */
    public static ProxyParameters.Result forGateway(
            ClusterView view, Gateway gateway, GatewayClass gatewayClass, ProxyParameters defaults) {
        ProxyParameters.Result base = gatewayClass == null
                ? new ProxyParameters.Result.Valid(defaults)
                : forClass(view, gatewayClass, defaults);
        if (!(base instanceof ProxyParameters.Result.Valid(ProxyParameters classParameters))) {
            return base;
        }
        LocalParametersReference ref = gateway.getSpec().getInfrastructure() == null
                ? null
                : gateway.getSpec().getInfrastructure().getParametersRef();
        if (ref == null) {
            return base;
        }
        String group = ref.getGroup() == null ? "" : ref.getGroup();
        if (!group.isEmpty() || !"ConfigMap".equals(ref.getKind())) {
            return new ProxyParameters.Result.Invalid("infrastructure.parametersRef must name a core ConfigMap, not "
                    + (group.isEmpty() ? "" : group + "/") + ref.getKind());
        }
        String namespace = Metadata.namespace(gateway);
        ConfigMap configMap = view.get(Kinds.CONFIG_MAP, new ObjectKey(namespace, ref.getName()))
                .orElse(null);
        if (configMap == null) {
            return new ProxyParameters.Result.Invalid(
                    "infrastructure.parametersRef: ConfigMap " + namespace + "/" + ref.getName() + " does not exist");
        }
        return classParameters.overriddenBy(configMap);
    }
}
