package dev.gantry.translate;

import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.FrontendTLSValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TLSPortConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Gateway's client certificate validation ({@code spec.tls.frontend}): for each port, the validation its HTTPS
 * listeners apply (the port's own {@code perPort} entry, else the {@code default}), with its CA references checked
 * as the spec asks. Every HTTPS listener on the port takes it, the Gateway's own and those its ListenerSets add: the
 * Gateway's owner sets it for the port, and a ListenerSet cannot opt out of it.
 *
 * <p>Each reference is checked on its own: a ConfigMap (else {@code InvalidCACertificateKind}), in another
 * namespace only with a ReferenceGrant to the Gateway ({@code RefNotPermitted}), that exists and whose {@code ca.crt}
 * is a bundle of certificates ({@code InvalidCACertificateRef}). With none usable the listeners are not accepted
 * ({@code NoValidCACertificate}) and serve nothing: serving them without the validation asked for would let in
 * clients the owner meant to keep out.
 */
final class FrontendValidation {

    /**
     * What one port's listeners validate clients with.
     *
     * @param ca the trusted CAs of the usable references, or null when none is usable
     * @param insecureFallback whether the mode is AllowInsecureFallback
     * @param refsReason null when every reference resolved, else the listeners' ResolvedRefs=False reason
     * @param message what is wrong with the references, or ""
     * @param windows when the certificates of each usable CA ConfigMap are valid
     */
    record PortValidation(
            SecretIr.TrustedCa ca,
            boolean insecureFallback,
            String refsReason,
            String message,
            Map<ObjectKey, CertificateUse.Window> windows) {}

    static final String ALLOW_INSECURE_FALLBACK = "AllowInsecureFallback";

    private final ClusterView view;
    private final Gateway gateway;
    private final FrontendTLSConfig frontend;
    private final Map<String, PortValidation> resolved = new HashMap<>();

    FrontendValidation(ClusterView view, Gateway gateway) {
        this.view = view;
        this.gateway = gateway;
        this.frontend = gateway.getSpec().getTls() == null
                ? null
                : gateway.getSpec().getTls().getFrontend();
    }

    /** The validation of HTTPS listeners on this port, or null when the Gateway asks for none there. */
    PortValidation forPort(int port) {
        if (frontend == null) {
            return null;
        }
        for (TLSPortConfig perPort : frontend.getPerPort() == null ? List.<TLSPortConfig>of() : frontend.getPerPort()) {
            if (perPort != null && perPort.getPort() != null && perPort.getPort() == port) {
                FrontendTLSValidation validation =
                        perPort.getTls() == null ? null : perPort.getTls().getValidation();
                return validation == null
                        ? null
                        : resolved.computeIfAbsent("port-" + port, k -> resolve(k, validation));
            }
        }
        FrontendTLSValidation validation =
                frontend.getDefault() == null ? null : frontend.getDefault().getValidation();
        return validation == null ? null : resolved.computeIfAbsent("default", k -> resolve(k, validation));
    }

    private PortValidation resolve(String source, FrontendTLSValidation validation) {
        String gatewayNamespace = Metadata.namespace(gateway);
        // Only AllowInsecureFallback lets a client through without a valid certificate; anything else is strict.
        boolean insecure = ALLOW_INSECURE_FALLBACK.equals(validation.getMode());
        StringBuilder pem = new StringBuilder();
        Map<ObjectKey, CertificateUse.Window> windows = new TreeMap<>();
        String refsReason = null;
        List<String> problems = new ArrayList<>();
        List<ObjectReference> refs =
                validation.getCaCertificateRefs() == null ? List.of() : validation.getCaCertificateRefs();
        for (ObjectReference ref : refs) {
            if (ref == null) {
                continue;
            }
            String group = ref.getGroup() == null ? "" : ref.getGroup();
            String namespace =
                    ref.getNamespace() == null || ref.getNamespace().isEmpty() ? gatewayNamespace : ref.getNamespace();
            String reason;
            String problem;
            if (!group.isEmpty() || !"ConfigMap".equals(ref.getKind())) {
                reason = Reasons.INVALID_CA_CERTIFICATE_KIND;
                problem = "caCertificateRef " + (group.isEmpty() ? "" : group + "/") + ref.getKind() + " "
                        + ref.getName() + " is not a ConfigMap, the only kind supported";
            } else if (!ReferenceGrants.permits(
                    view,
                    Kinds.GATEWAY_GROUP,
                    "Gateway",
                    gatewayNamespace,
                    "",
                    "ConfigMap",
                    namespace,
                    ref.getName())) {
                reason = Reasons.REF_NOT_PERMITTED;
                problem = "No ReferenceGrant in namespace " + namespace + " allows Gateways in namespace "
                        + gatewayNamespace + " to use ConfigMap " + ref.getName();
            } else {
                reason = Reasons.INVALID_CA_CERTIFICATE_REF;
                problem = TlsSecrets.appendCaBundle(view, namespace, ref.getName(), pem, windows);
            }
            if (problem != null) {
                refsReason = refsReason == null ? reason : refsReason;
                problems.add(problem);
            }
        }
        String message = String.join("; ", problems);
        if (pem.isEmpty()) {
            return new PortValidation(
                    null,
                    insecure,
                    refsReason == null ? Reasons.INVALID_CA_CERTIFICATE_REF : refsReason,
                    "No usable CA certificate for client certificate validation (spec.tls.frontend): "
                            + (message.isEmpty() ? "caCertificateRefs is empty" : message),
                    Map.of());
        }
        SecretIr.TrustedCa ca =
                new SecretIr.TrustedCa("client-ca/" + ObjectKey.of(gateway) + "/" + source, pem.toString());
        return new PortValidation(
                ca,
                insecure,
                refsReason,
                message.isEmpty() ? "" : message + "; clients are validated with the other CA certificates",
                windows);
    }
}
