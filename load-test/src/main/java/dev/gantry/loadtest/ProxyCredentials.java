package dev.gantry.loadtest;

import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CertificateAuthority;
import dev.gantry.pki.CredentialPlanner;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.xds.client.AdsClient;
import dev.gantry.xds.client.ClientCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What simulated proxies connect with, as provisioned proxies do: TLS with their Gateway's credential, read from
 * the credential Secret the controller issues (one read per Gateway, shared by all its proxies). Without a
 * controller (shard-only runs) the load test issues the Secrets itself, the way the controller would.
 */
final class ProxyCredentials {

    private final KubernetesClient client;
    private final boolean insecure;
    private final Duration wait;
    private final CredentialPlanner issuer;
    private final CertificateAuthority ca;
    private final Map<ObjectKey, ClientCredentials> byGateway = new ConcurrentHashMap<>();

    /**
     * @param insecure the shards serve plaintext (the unsafe opt-out): proxies connect without TLS
     * @param wait how long to wait for a credential Secret to appear
     * @param issuer when not null, issue what is missing with it (a run without controller)
     */
    ProxyCredentials(KubernetesClient client, boolean insecure, Duration wait, CredentialPlanner issuer) {
        this.client = client;
        this.insecure = insecure;
        this.wait = wait;
        this.issuer = issuer;
        if (issuer != null && !insecure) {
            Secret caSecret = client.secrets()
                    .inNamespace(issuer.caSecretKey().namespace())
                    .withName(issuer.caSecretKey().name())
                    .get();
            CredentialPlanner.Plan<CertificateAuthority> ca = issuer.ca(caSecret, Instant.now());
            write(ca.write());
            this.ca = ca.value();
            Secret serving = client.secrets()
                    .inNamespace(issuer.servingSecretKey().namespace())
                    .withName(issuer.servingSecretKey().name())
                    .get();
            write(issuer.serving(this.ca, serving, Instant.now()).write());
        } else {
            this.ca = null;
        }
    }

    private void write(Secret secret) {
        if (secret != null) {
            client.resource(secret).createOr(NonDeletingOperation::update);
        }
    }

    /**
     * The transport of a proxy of this Gateway.
     *
     * @param authority the name the shard's serving certificate is checked against, or null for its host
     */
    AdsClient.Transport transport(ObjectKey gateway, String authority) {
        if (insecure) {
            return new AdsClient.Transport.Plaintext();
        }
        ClientCredentials credentials = byGateway.computeIfAbsent(gateway, this::read);
        return new AdsClient.Transport.Tls(() -> credentials, authority);
    }

    private ClientCredentials read(ObjectKey gateway) {
        String name = CredentialSecrets.proxyCredentialName(gateway);
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Secret secret = client.secrets()
                    .inNamespace(gateway.namespace())
                    .withName(name)
                    .get();
            if (secret == null && issuer != null) {
                Gateway object = client.resources(Gateway.class)
                        .inNamespace(gateway.namespace())
                        .withName(gateway.name())
                        .get();
                if (object != null) {
                    secret = issuer.proxyCredential(ca, object, null, Instant.now())
                            .write();
                    write(secret);
                }
            }
            if (secret != null) {
                return new ClientCredentials(
                        CredentialSecrets.text(secret, CredentialSecrets.CA_CRT),
                        CredentialSecrets.text(secret, CredentialSecrets.TLS_CRT),
                        CredentialSecrets.text(secret, CredentialSecrets.TLS_KEY));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no xDS credential Secret " + gateway.namespace() + "/" + name
                        + " appeared in " + wait.toSeconds() + " s: is the controller running?");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }
}
