package dev.gantry.pki;

import dev.gantry.config.GantrySettings;
import dev.gantry.model.ObjectKey;
import dev.gantry.model.ProxyNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the Secrets of the xDS plane should hold, given what they hold now: the CA, the shards' serving
 * certificate and each Gateway's proxy credential. The controller leader writes what it returns; nothing here does
 * I/O, and apart from new keys and serial numbers the answer depends only on the arguments.
 *
 * <p>Renewal: a proxy credential at half of its lifetime, the serving certificate at two thirds, so the certificate
 * in use always has the other half (or third) left while the new one reaches proxies and shards. A renewed proxy
 * credential lists the serial it replaces beside its own until that one expires, so connected proxies keep their
 * streams; deleting the Secret revokes everything issued before.
 */
public final class CredentialPlanner {

    /** Lifetime of a CA the controller creates. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);

    public static final String CA_COMMON_NAME = "Gantry xDS CA";

    private final String namespace;
    private final String caSecret;
    private final String servingSecret;
    private final List<String> servingNames;
    private final Duration proxyTtl;
    private final Duration servingTtl;

    /**
     * @param servingNames DNS names and addresses the shards are reached at
     */
    public CredentialPlanner(
            String namespace,
            String caSecret,
            String servingSecret,
            List<String> servingNames,
            Duration proxyTtl,
            Duration servingTtl) {
        this.namespace = namespace;
        this.caSecret = caSecret;
        this.servingSecret = servingSecret;
        this.servingNames = List.copyOf(servingNames);
        this.proxyTtl = proxyTtl;
        this.servingTtl = servingTtl;
    }

    public static CredentialPlanner from(GantrySettings settings) {
        return new CredentialPlanner(
                settings.namespace(),
                settings.caSecret(),
                settings.xdsServingSecret(),
                servingNames(settings),
                settings.proxyCredentialTtl(),
                settings.xdsServingCertTtl());
    }

    /**
     * The names proxies reach the shards at: every shard's stable DNS name (one wildcard over the headless Service)
     * and the xDS Service when the chart names them, else loopback (standalone and local processes); and any names
     * given in {@code GANTRY_XDS_SERVING_NAMES}.
     */
    public static List<String> servingNames(GantrySettings settings) {
        List<String> names = new ArrayList<>();
        String suffix = "." + settings.namespace() + ".svc";
        if (settings.shardService() != null) {
            names.add("*." + settings.shardService() + suffix + "." + settings.clusterDomain());
            names.add("*." + settings.shardService() + suffix);
        }
        if (settings.xdsService() != null) {
            names.add(settings.xdsService() + suffix + "." + settings.clusterDomain());
            names.add(settings.xdsService() + suffix);
        }
        if (names.isEmpty()) {
            names.add("localhost");
            names.add("127.0.0.1");
        }
        for (String extra : settings.xdsServingNames()) {
            if (!names.contains(extra)) {
                names.add(extra);
            }
        }
        return List.copyOf(names);
    }

    public ObjectKey caSecretKey() {
        return new ObjectKey(namespace, caSecret);
    }

    public ObjectKey servingSecretKey() {
        return new ObjectKey(namespace, servingSecret);
    }

    /** Why a Secret is written; the names are the values of the issuing metric's label. */
    public enum Reason {
        MISSING("missing"),
        UNUSABLE("unusable"),
        EXPIRED("expired"),
        OTHER_CA("other_ca"),
        OTHER_GATEWAY("other_gateway"),
        NAMES_CHANGED("names_changed"),
        RENEWAL("renewal"),
        METADATA("metadata");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * What to write, and why.
     *
     * @param value the CA or certificate in force once {@code write} is written
     * @param write the Secret to create or update (carrying the resourceVersion it replaces), or null when the Secret
     *     is right as it is
     * @param reason what was wrong (null when nothing)
     * @param why the same for the log, with details
     */
    public record Plan<T>(T value, Secret write, Reason reason, String why) {}

    /** The CA of its Secret, or a new one when the Secret is missing or does not hold a usable CA. */
    public Plan<CertificateAuthority> ca(Secret existing, Instant now) {
        String why;
        Reason reason;
        if (existing == null) {
            why = "missing";
            reason = Reason.MISSING;
        } else {
            try {
                CertificateAuthority ca = CertificateAuthority.of(KeyedCertificate.fromPem(
                        CredentialSecrets.text(existing, CredentialSecrets.TLS_CRT),
                        CredentialSecrets.text(existing, CredentialSecrets.TLS_KEY)));
                if (!ca.certificate().getNotAfter().toInstant().isAfter(now)) {
                    why = "expired at " + ca.certificate().getNotAfter().toInstant();
                    reason = Reason.EXPIRED;
                } else {
                    return new Plan<>(ca, null, null, null);
                }
            } catch (PemException e) {
                why = "unusable: " + e.getMessage();
                reason = Reason.UNUSABLE;
            }
        }
        CertificateAuthority ca = CertificateAuthority.create(CA_COMMON_NAME, now, CA_VALIDITY);
        Map<String, String> data = new TreeMap<>();
        data.put(CredentialSecrets.TLS_CRT, CredentialSecrets.data(ca.keyed().certificatePem()));
        data.put(CredentialSecrets.TLS_KEY, CredentialSecrets.data(ca.keyed().keyPem()));
        return new Plan<>(
                ca,
                secret(caSecret, namespace, CredentialSecrets.LABEL_CA, Map.of(), null, data, existing),
                reason,
                why);
    }

    /** When a certificate should be replaced: after {@code share} of its lifetime. */
    static Instant renewAt(KeyedCertificate certificate, double share) {
        Instant issued = certificate.notBefore().plus(CertificateAuthority.CLOCK_SKEW);
        long lifetime = Duration.between(issued, certificate.notAfter()).toMillis();
        return issued.plusMillis((long) (lifetime * share));
    }

    /** When a serving certificate is due for renewal: at two thirds of its lifetime. */
    public Instant servingRenewAt(KeyedCertificate serving) {
        return renewAt(serving, 2.0 / 3);
    }

    /** When a proxy credential is due for renewal: at half of its lifetime. */
    public Instant proxyRenewAt(KeyedCertificate credential) {
        return renewAt(credential, 0.5);
    }

    /** The shards' serving certificate: kept while it is good, else issued again. */
    public Plan<KeyedCertificate> serving(CertificateAuthority ca, Secret existing, Instant now) {
        String caPem = Pem.certificates(List.of(ca.certificate()));
        KeyedCertificate current = read(existing);
        Fault fault = fault(existing, current, ca);
        if (fault == null && !names(current.leaf()).equals(normalized(servingNames))) {
            fault = new Fault(Reason.NAMES_CHANGED, "names changed to " + servingNames);
        }
        if (fault == null && !now.isBefore(servingRenewAt(current))) {
            fault = new Fault(Reason.RENEWAL, "due for renewal (expires " + current.notAfter() + ")");
        }
        if (fault == null && !caPem.equals(CredentialSecrets.text(existing, CredentialSecrets.CA_CRT))) {
            fault = new Fault(Reason.METADATA, "CA certificate out of date");
        }
        if (fault == null) {
            return new Plan<>(current, null, null, null);
        }
        KeyedCertificate issued =
                fault.reason() == Reason.METADATA ? current : ca.issueServing(servingNames, now, servingTtl);
        Map<String, String> data = new TreeMap<>();
        data.put(CredentialSecrets.TLS_CRT, CredentialSecrets.data(issued.certificatePem()));
        data.put(CredentialSecrets.TLS_KEY, CredentialSecrets.data(issued.keyPem()));
        data.put(CredentialSecrets.CA_CRT, CredentialSecrets.data(caPem));
        return new Plan<>(
                issued,
                secret(servingSecret, namespace, CredentialSecrets.LABEL_SERVING, Map.of(), null, data, existing),
                fault.reason(),
                fault.why());
    }

    /**
     * A Gateway's proxy credential: kept while it is good, else issued again.
     *
     * @param existing the Secret of that name in the Gateway's namespace; it must be Gantry's (labelled) to be
     *     replaced: the caller leaves anyone else's alone
     */
    public Plan<KeyedCertificate> proxyCredential(
            CertificateAuthority ca, Gateway gateway, Secret existing, Instant now) {
        ObjectKey key = ObjectKey.of(gateway);
        ProxyIdentity identity = new ProxyIdentity(key, gateway.getMetadata().getUid());
        String caPem = Pem.certificates(List.of(ca.certificate()));
        KeyedCertificate current = read(existing);
        Map<BigInteger, Instant> listed = existing == null
                ? Map.of()
                : CredentialSecrets.parseSerials(annotation(existing, CredentialSecrets.SERIALS));
        Fault fault = fault(existing, current, ca);
        if (fault == null && !identity.equals(identityOf(current))) {
            fault = new Fault(Reason.OTHER_GATEWAY, "issued for another Gateway (or a deleted one of the same name)");
        }
        if (fault == null && !now.isBefore(proxyRenewAt(current))) {
            fault = new Fault(Reason.RENEWAL, "due for renewal (expires " + current.notAfter() + ")");
        }
        if (fault == null
                && (!caPem.equals(CredentialSecrets.text(existing, CredentialSecrets.CA_CRT))
                        || !listed.containsKey(current.serial())
                        || !key.toString().equals(annotation(existing, CredentialSecrets.GATEWAY))
                        || !ownedBy(existing, gateway))) {
            fault = new Fault(Reason.METADATA, "metadata out of date");
        }
        if (fault == null) {
            return new Plan<>(current, null, null, null);
        }
        boolean keep = fault.reason() == Reason.METADATA;
        KeyedCertificate issued = keep ? current : ca.issueProxy(identity, now, proxyTtl);
        // The serials the shards accept: the new one, and those listed before that are still valid and were the same
        // Gateway's under this CA (the one being replaced among them), so connected proxies keep their streams.
        Map<BigInteger, Instant> serials = new LinkedHashMap<>();
        serials.put(issued.serial(), issued.notAfter());
        boolean previousGood = current != null && issuedBy(current, ca) && identity.equals(identityOf(current));
        if (previousGood) {
            listed.forEach((serial, notAfter) -> {
                if (notAfter.isAfter(now)) {
                    serials.putIfAbsent(serial, notAfter);
                }
            });
            if (!keep
                    && listed.containsKey(current.serial())
                    && current.notAfter().isAfter(now)) {
                serials.putIfAbsent(current.serial(), current.notAfter());
            }
        }
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(CredentialSecrets.GATEWAY, key.toString());
        annotations.put(CredentialSecrets.SERIALS, CredentialSecrets.formatSerials(serials));
        Map<String, String> labels = Map.of(ProxyNames.GATEWAY_NAME, ProxyNames.gatewayLabel(key));
        Map<String, String> data = new TreeMap<>();
        data.put(CredentialSecrets.TLS_CRT, CredentialSecrets.data(issued.certificatePem()));
        data.put(CredentialSecrets.TLS_KEY, CredentialSecrets.data(issued.keyPem()));
        data.put(CredentialSecrets.CA_CRT, CredentialSecrets.data(caPem));
        Secret write = secret(
                CredentialSecrets.proxyCredentialName(key),
                key.namespace(),
                CredentialSecrets.LABEL_PROXY,
                labels,
                annotations,
                data,
                existing);
        write.getMetadata()
                .setOwnerReferences(List.of(new OwnerReferenceBuilder()
                        .withApiVersion("gateway.networking.k8s.io/v1")
                        .withKind("Gateway")
                        .withName(gateway.getMetadata().getName())
                        .withUid(gateway.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build()));
        return new Plan<>(issued, write, fault.reason(), fault.why());
    }

    /** What is wrong with a certificate Secret, for the log and the metric. */
    private record Fault(Reason reason, String why) {}

    /** The faults every certificate Secret can have: missing, unusable, or of another CA; null when none. */
    private static Fault fault(Secret existing, KeyedCertificate current, CertificateAuthority ca) {
        if (existing == null) {
            return new Fault(Reason.MISSING, "missing");
        }
        if (current == null) {
            return new Fault(Reason.UNUSABLE, "unusable");
        }
        return issuedBy(current, ca) ? null : new Fault(Reason.OTHER_CA, "issued by another CA");
    }

    private static Secret secret(
            String name,
            String namespace,
            String kind,
            Map<String, String> extraLabels,
            Map<String, String> annotations,
            Map<String, String> data,
            Secret existing) {
        Map<String, String> labels = new TreeMap<>();
        if (existing != null && existing.getMetadata().getLabels() != null) {
            labels.putAll(existing.getMetadata().getLabels());
        }
        labels.putAll(extraLabels);
        labels.put(ProxyNames.MANAGED_BY, ProxyNames.MANAGED_BY_VALUE);
        labels.put(CredentialSecrets.LABEL, kind);
        Map<String, String> allAnnotations = new TreeMap<>();
        if (existing != null && existing.getMetadata().getAnnotations() != null) {
            allAnnotations.putAll(existing.getMetadata().getAnnotations());
        }
        if (annotations != null) {
            allAnnotations.putAll(annotations);
        }
        return new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(namespace)
                        .withLabels(labels)
                        .withAnnotations(allAnnotations.isEmpty() ? null : allAnnotations)
                        .withResourceVersion(
                                existing == null ? null : existing.getMetadata().getResourceVersion())
                        .build())
                .withType(CredentialSecrets.TYPE)
                .withData(data)
                .build();
    }

    /** The certificate and key of a TLS Secret, or null when they are missing, unusable or do not match. */
    private static KeyedCertificate read(Secret secret) {
        if (secret == null) {
            return null;
        }
        try {
            return KeyedCertificate.fromPem(
                    CredentialSecrets.text(secret, CredentialSecrets.TLS_CRT),
                    CredentialSecrets.text(secret, CredentialSecrets.TLS_KEY));
        } catch (PemException e) {
            return null;
        }
    }

    private static boolean issuedBy(KeyedCertificate certificate, CertificateAuthority ca) {
        try {
            certificate.leaf().verify(ca.certificate().getPublicKey());
            return certificate
                    .leaf()
                    .getIssuerX500Principal()
                    .equals(ca.certificate().getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static ProxyIdentity identityOf(KeyedCertificate certificate) {
        try {
            var alternatives = certificate.leaf().getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (Integer.valueOf(6).equals(alternative.get(0)) && alternative.get(1) instanceof String uri) {
                        var identity = ProxyIdentity.fromUri(uri);
                        if (identity.isPresent()) {
                            return identity.get();
                        }
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return null;
        }
        return null;
    }

    private static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            var alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    Object value = alternative.get(1);
                    if (value instanceof String text) {
                        names.add(text);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return names;
    }

    /** Names as a certificate read by the JDK shows them: addresses written out in full ({@code ::1} as 0:0:...:1). */
    private static List<String> normalized(List<String> names) {
        List<String> normalized = new ArrayList<>();
        for (String name : names) {
            if (CertificateAuthority.isIpAddress(name)) {
                try {
                    normalized.add(InetAddress.getByName(name).getHostAddress());
                    continue;
                } catch (UnknownHostException e) {
                    // a literal address never needs a lookup; keep it as given
                }
            }
            normalized.add(name);
        }
        return normalized;
    }

    private static String annotation(Secret secret, String key) {
        return secret.getMetadata().getAnnotations() == null
                ? null
                : secret.getMetadata().getAnnotations().get(key);
    }

    private static boolean ownedBy(Secret secret, Gateway gateway) {
        return secret.getMetadata().getOwnerReferences() != null
                && secret.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> "Gateway".equals(o.getKind())
                                && Objects.equals(gateway.getMetadata().getUid(), o.getUid()));
    }
}
