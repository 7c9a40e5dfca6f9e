package dev.gantry.xds;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.pki.Pem;
import dev.gantry.pki.PemException;
import dev.gantry.view.Change;
import dev.gantry.view.StatusOnlyChanges;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.security.cert.X509Certificate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the informer events that concern the xDS plane's credentials where they matter: the serving Secret to the
 * serving certificate (a renewed one serves the next handshake), a Gateway or a proxy credential Secret to the
 * streams of that Gateway (which end if their credential is no longer good). Called on informer threads; never
 * blocks them for long.
 */
final class CredentialEvents {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialEvents.class);

    private final ObjectKey servingSecret;
    private final ServingCertificate serving;
    private final ProxyStreams streams;
    private final int shard;
    private final ShardMetrics.ForShard metrics;

    CredentialEvents(
            ObjectKey servingSecret,
            ServingCertificate serving,
            ProxyStreams streams,
            int shard,
            ShardMetrics.ForShard metrics) {
        this.servingSecret = servingSecret;
        this.serving = serving;
        this.streams = streams;
        this.shard = shard;
        this.metrics = metrics;
    }

    void observe(Change change) {
        if (change.kind().equals(Kinds.GATEWAY)) {
            // A Gateway's status (the controller writes it often) has no say in its credential.
            if (!StatusOnlyChanges.statusOnly(change)) {
                streams.recheck(change.key());
            }
        } else if (change.kind().equals(Kinds.SECRET)) {
            if (change.key().equals(servingSecret)) {
                load((Secret) change.current());
            }
            for (HasMetadata version : new HasMetadata[] {change.previous(), change.current()}) {
                ObjectKey gateway = version == null ? null : CredentialSecrets.gatewayOf((Secret) version);
                if (gateway != null) {
                    streams.recheck(gateway);
                }
            }
        }
    }

    /**
     * The informers have listed: loads the serving Secret as it is now and checks the streams that waited. Called
     * before the translation thread learns of the sync, so before any snapshot exists.
     */
    void synced(Secret servingNow) {
        load(servingNow);
        streams.markSynced();
    }

    /** Serves the certificate of the serving Secret from the next handshake on; a bad one leaves the current. */
    private void load(Secret secret) {
        if (secret == null) {
            if (serving.loaded()) {
                LOG.warn(
                        "shard {}: the serving Secret {} was deleted; the current certificate is served until the"
                                + " controller issues a new one",
                        shard,
                        servingSecret);
            }
            return;
        }
        try {
            KeyedCertificate certificate = KeyedCertificate.fromPem(
                    CredentialSecrets.text(secret, CredentialSecrets.TLS_CRT),
                    CredentialSecrets.text(secret, CredentialSecrets.TLS_KEY));
            List<X509Certificate> trusted =
                    Pem.parseCertificates(CredentialSecrets.text(secret, CredentialSecrets.CA_CRT));
            KeyedCertificate before = serving.serving();
            if (before != null
                    && before.serial().equals(certificate.serial())
                    && serving.trusted().equals(trusted)) {
                return;
            }
            serving.load(certificate, trusted);
            metrics.servingCertificateExpiry(certificate.notAfter().getEpochSecond());
            LOG.info(
                    "shard {}: serving certificate {} of Secret {} (valid until {}); proxy credentials must chain to {} CA"
                            + " certificate(s)",
                    shard,
                    certificate.serial().toString(16),
                    servingSecret,
                    certificate.notAfter(),
                    trusted.size());
        } catch (PemException e) {
            LOG.error(
                    "shard {}: Secret {} holds no usable serving certificate ({}); {}",
                    shard,
                    servingSecret,
                    e.getMessage(),
                    serving.loaded() ? "the current one is still served" : "no proxy can connect until it does");
        }
    }
}
