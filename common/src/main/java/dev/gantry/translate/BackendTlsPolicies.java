package dev.gantry.translate;

import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Indexes;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicyValidation;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalPolicyTargetReferenceWithSectionName;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SubjectAltName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates BackendTLSPolicies: which policy applies to a Service port (the oldest when several target it), and
 * whether its CA references resolve.
 */
final class BackendTlsPolicies {

    /**
     * What a policy amounts to.
     *
     * @param policy the policy
     * @param tls upstream TLS settings when valid, else null
     * @param caSecret trusted CA material when the policy names CA ConfigMaps, else null
     * @param acceptedReason null when accepted, else the Accepted=False reason
     * @param refsReason null when references resolved, else the ResolvedRefs=False reason
     * @param message detail for a failure
     * @param caWindows when the certificates of each usable CA ConfigMap are valid
     */
    record Evaluation(
            BackendTLSPolicy policy,
            ClusterIr.UpstreamTlsIr tls,
            SecretIr.TrustedCa caSecret,
            String acceptedReason,
            String refsReason,
            String message,
            Map<ObjectKey, CertificateUse.Window> caWindows) {
        Evaluation(
                BackendTLSPolicy policy,
                ClusterIr.UpstreamTlsIr tls,
                SecretIr.TrustedCa caSecret,
                String acceptedReason,
                String refsReason,
                String message) {
            this(policy, tls, caSecret, acceptedReason, refsReason, message, Map.of());
        }

        boolean valid() {
            return acceptedReason == null;
        }
    }

    /** How closely a policy targets a Service port (see {@link #specificity}). */
    private static final int NOT_TARGETED = 0;

    private static final int THE_SERVICE = 1;
    private static final int THE_PORT = 2;

    private final ClusterView view;
    private final Map<ObjectKey, Evaluation> evaluations = new HashMap<>();

    BackendTlsPolicies(ClusterView view) {
        this.view = view;
    }

    /**
     * The policy that applies to this Service port, or null. A policy naming the port (sectionName) applies before
     * one naming only the Service; among policies equally specific the oldest, then the first by name, applies and
     * the others are conflicted.
     */
    Evaluation forServicePort(ObjectKey service, ServicePort port) {
        List<BackendTLSPolicy> candidates = mostSpecific(service, port);
        return candidates.isEmpty() ? null : evaluate(candidates.getFirst());
    }

    /** Policies as specific for this Service port as the winning policy, which lose to it. */
    List<BackendTLSPolicy> conflictingWith(ObjectKey service, ServicePort port, BackendTLSPolicy winner) {
        List<BackendTLSPolicy> losers = new ArrayList<>(mostSpecific(service, port));
        losers.remove(winner);
        return losers;
    }

    /** Policies that target this Service port less specifically than the winning policy: they apply elsewhere. */
    List<Evaluation> outrankedBy(ObjectKey service, ServicePort port, BackendTLSPolicy winner) {
        int best = specificity(winner, service, port);
        List<Evaluation> outranked = new ArrayList<>();
        for (BackendTLSPolicy policy : view.byIndex(Indexes.BACKEND_TLS_POLICIES_BY_SERVICE, service.toString())) {
            int specificity = specificity(policy, service, port);
            if (specificity != NOT_TARGETED && specificity < best) {
                outranked.add(evaluate(policy));
            }
        }
        return outranked;
    }

    /** The policies that target this Service port most specifically, in order of precedence. */
    private List<BackendTLSPolicy> mostSpecific(ObjectKey service, ServicePort port) {
        List<BackendTLSPolicy> candidates = new ArrayList<>();
        int best = NOT_TARGETED;
        for (BackendTLSPolicy policy : view.byIndex(Indexes.BACKEND_TLS_POLICIES_BY_SERVICE, service.toString())) {
            int specificity = specificity(policy, service, port);
            if (specificity > best) {
                candidates.clear();
                best = specificity;
            }
            if (specificity == best && specificity != NOT_TARGETED) {
                candidates.add(policy);
            }
        }
        candidates.sort(Metadata.PRECEDENCE);
        return candidates;
    }

    /** How closely a policy targets a Service port: by its sectionName, by the Service alone, or not at all. */
    private static int specificity(BackendTLSPolicy policy, ObjectKey service, ServicePort port) {
        int specificity = NOT_TARGETED;
        for (LocalPolicyTargetReferenceWithSectionName ref : policy.getSpec().getTargetRefs()) {
            if (ref != null
                    && service.name().equals(ref.getName())
                    && "Service".equals(ref.getKind())
                    && (ref.getGroup() == null || ref.getGroup().isEmpty())) {
                if (ref.getSectionName() == null || ref.getSectionName().isEmpty()) {
                    specificity = Math.max(specificity, THE_SERVICE);
                } else if (ref.getSectionName().equals(port.getName())) {
                    specificity = THE_PORT;
                }
            }
        }
        return specificity;
    }

    Evaluation evaluate(BackendTLSPolicy policy) {
        return evaluations.computeIfAbsent(ObjectKey.of(policy), k -> doEvaluate(policy));
    }

    private Evaluation doEvaluate(BackendTLSPolicy policy) {
        BackendTLSPolicyValidation validation = policy.getSpec().getValidation();
        String namespace = Metadata.namespace(policy);
        if (validation == null
                || validation.getHostname() == null
                || validation.getHostname().isEmpty()) {
            return new Evaluation(policy, null, null, Reasons.INVALID, null, "validation.hostname is required");
        }
        String hostnameProblem = Hostnames.problem(validation.getHostname(), false);
        if (hostnameProblem != null) {
            return new Evaluation(policy, null, null, Reasons.INVALID, null, "validation.hostname: " + hostnameProblem);
        }
        List<ClusterIr.SanIr> sans = new ArrayList<>();
        for (SubjectAltName san :
                validation.getSubjectAltNames() == null ? List.<SubjectAltName>of() : validation.getSubjectAltNames()) {
            if ("Hostname".equals(san.getType()) && san.getHostname() != null) {
                sans.add(new ClusterIr.SanIr(false, san.getHostname()));
            } else if ("URI".equals(san.getType()) && san.getUri() != null) {
                sans.add(new ClusterIr.SanIr(true, san.getUri()));
            } else {
                return new Evaluation(
                        policy,
                        null,
                        null,
                        Reasons.INVALID,
                        null,
                        "subjectAltNames entry of type '" + san.getType() + "' lacks its value");
            }
        }
        boolean system = "System".equals(validation.getWellKnownCACertificates());
        if (validation.getWellKnownCACertificates() != null && !system) {
            return new Evaluation(
                    policy,
                    null,
                    null,
                    Reasons.INVALID,
                    null,
                    "wellKnownCACertificates '" + validation.getWellKnownCACertificates()
                            + "' is not supported; use System");
        }
        List<LocalObjectReference> caRefs =
                validation.getCaCertificateRefs() == null ? List.of() : validation.getCaCertificateRefs();
        if (caRefs.isEmpty() && !system) {
            return new Evaluation(
                    policy,
                    null,
                    null,
                    Reasons.NO_VALID_CA_CERTIFICATE,
                    Reasons.INVALID_CA_CERTIFICATE_REF,
                    "Neither caCertificateRefs nor wellKnownCACertificates is set");
        }
        // Each reference is checked on its own: a policy is not accepted only when none is usable (the spec's
        // NoValidCACertificate); otherwise it trusts the CAs that are, which fails closed for a backend whose
        // certificate only an unusable reference would have vouched for.
        StringBuilder pem = new StringBuilder();
        Map<ObjectKey, CertificateUse.Window> windows = new TreeMap<>();
        String refsReason = null;
        List<String> problems = new ArrayList<>();
        for (LocalObjectReference ref : caRefs) {
            String group = ref.getGroup() == null ? "" : ref.getGroup();
            String problem;
            String reason = Reasons.INVALID_CA_CERTIFICATE_REF;
            if (!group.isEmpty() || !"ConfigMap".equals(ref.getKind())) {
                reason = Reasons.INVALID_KIND;
                problem = "caCertificateRef " + (group.isEmpty() ? "" : group + "/") + ref.getKind() + " "
                        + ref.getName() + " is not a ConfigMap";
            } else {
                problem = TlsSecrets.appendCaBundle(view, namespace, ref.getName(), pem, windows);
            }
            if (problem != null) {
                refsReason = refsReason == null ? reason : refsReason;
                problems.add(problem);
            }
        }
        if (pem.isEmpty() && !caRefs.isEmpty()) {
            return new Evaluation(
                    policy, null, null, Reasons.NO_VALID_CA_CERTIFICATE, refsReason, String.join("; ", problems));
        }
        SecretIr.TrustedCa caSecret =
                pem.isEmpty() ? null : new SecretIr.TrustedCa("ca/" + ObjectKey.of(policy), pem.toString());
        ClusterIr.UpstreamTlsIr tls = new ClusterIr.UpstreamTlsIr(
                validation.getHostname(), sans, caSecret == null ? null : caSecret.name(), system);
        return new Evaluation(
                policy,
                tls,
                caSecret,
                null,
                refsReason,
                problems.isEmpty() ? "" : String.join("; ", problems) + "; the other CA certificates are trusted",
                windows);
    }
}
