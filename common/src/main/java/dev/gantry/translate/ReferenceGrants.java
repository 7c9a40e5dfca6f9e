package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFrom;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantTo;

/**
 * Whether a ReferenceGrant in the target namespace permits a cross-namespace reference. Grants are matched on
 * the exact {@code from} kind: a grant for Gateways does not cover ListenerSets.
 */
public final class ReferenceGrants {

    private ReferenceGrants() {}

    /**
     * @param fromGroup group of the referring object
     * @param fromKind kind of the referring object
     * @param fromNamespace namespace of the referring object
     * @param toGroup group of the referenced object ("" for core)
     * @param toKind kind of the referenced object
     * @param toNamespace namespace of the referenced object
     * @param toName name of the referenced object
     */
    public static boolean permits(
            ClusterView view,
            String fromGroup,
            String fromKind,
            String fromNamespace,
            String toGroup,
            String toKind,
            String toNamespace,
            String toName) {
        if (fromNamespace.equals(toNamespace)) {
            return true;
        }
        for (ReferenceGrant grant : view.inNamespace(Kinds.REFERENCE_GRANT, toNamespace)) {
            if (grant.getSpec() == null
                    || grant.getSpec().getFrom() == null
                    || grant.getSpec().getTo() == null) {
                continue;
            }
            boolean fromMatches = false;
            for (ReferenceGrantFrom from : grant.getSpec().getFrom()) {
                if (from != null
                        && nullToEmpty(from.getGroup()).equals(fromGroup)
                        && fromKind.equals(from.getKind())
                        && fromNamespace.equals(from.getNamespace())) {
                    fromMatches = true;
                    break;
                }
            }
            if (!fromMatches) {
                continue;
            }
            for (ReferenceGrantTo to : grant.getSpec().getTo()) {
                if (to != null
                        && nullToEmpty(to.getGroup()).equals(toGroup)
                        && toKind.equals(to.getKind())
                        && (to.getName() == null
                                || to.getName().isEmpty()
                                || to.getName().equals(toName))) {
                    return true;
                }
            }
        }
        return false;
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
