package dev.gantry.xds;

import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.pki.ProxyCertificateVerifier;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.math.BigInteger;

/**
 * Whether an authenticated proxy credential is still good for its Gateway, by what the cluster says now: the
 * Gateway exists with the uid the credential names, and the credential's serial number is among those its
 * credential Secret lists (deleting that Secret revokes every certificate issued before). Pure.
 */
final class ProxyAuthorization {

    /**
     * Why a credential is no longer good.
     *
     * @param reason the failure metric's label
     * @param message for the proxy's operator
     */
    record Refusal(String reason, String message) {}

    private ProxyAuthorization() {}

    /**
     * @param gateway the Gateway the credential names, as cached now (null when there is none)
     * @param credential the Gateway's credential Secret as cached now (null when there is none)
     * @return null when the credential is good
     */
    static Refusal check(ProxyCertificateVerifier.Verdict.Accepted proxy, Gateway gateway, Secret credential) {
        ObjectKey key = proxy.identity().gateway();
        if (gateway == null) {
            return new Refusal(
                    "gateway_deleted",
                    "Gateway " + key + " does not exist: the credential of a deleted" + " Gateway is no longer valid");
        }
        if (!proxy.identity().uid().equals(gateway.getMetadata().getUid())) {
            return new Refusal(
                    "gateway_replaced",
                    "Gateway " + key + " was deleted and created again: this credential"
                            + " belongs to the deleted one");
        }
        String secretName = CredentialSecrets.proxyCredentialName(key);
        if (credential == null || !CredentialSecrets.isLabelled(credential, CredentialSecrets.LABEL_PROXY)) {
            return new Refusal(
                    "revoked",
                    "the credential Secret " + key.namespace() + "/" + secretName + " of Gateway " + key
                            + " is missing: its certificates are revoked until the controller issues a new one");
        }
        String serials = credential.getMetadata().getAnnotations() == null
                ? null
                : credential.getMetadata().getAnnotations().get(CredentialSecrets.SERIALS);
        BigInteger serial = proxy.serial();
        if (!CredentialSecrets.parseSerials(serials).containsKey(serial)) {
            return new Refusal(
                    "revoked",
                    "certificate " + serial.toString(16) + " is not among the current credentials" + " of Gateway "
                            + key + " (revoked, or replaced long ago)");
        }
        return null;
    }
}
