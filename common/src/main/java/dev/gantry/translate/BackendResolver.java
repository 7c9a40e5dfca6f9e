package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Dependency;
import dev.gantry.view.RecordingView;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Resolves a route's backend references: kind, ReferenceGrant, Service and port, and the BackendTLSPolicy that
 * applies. The cluster itself (endpoints, protocol, TLS) is built separately by {@link ClusterBuilder}, so an
 * endpoint change rebuilds one cluster without touching the routes that use it.
 */
final class BackendResolver {

    /** Outcome of resolving one backend reference. */
    sealed interface Backend {
        /** The reference resolved to a cluster. */
        record Resolved(ClusterKey cluster) implements Backend {}

        /**
         * The reference did not resolve.
         *
         * @param refsReason the route's ResolvedRefs=False reason
         * @param message detail
         */
        record Unresolved(String refsReason, String message) implements Backend {}

        /** The reference resolved, but its BackendTLSPolicy is invalid: the backend's share answers 500. */
        record Unusable(String message) implements Backend {}
    }

    /**
     * A Service port used by a route, with the BackendTLSPolicy that applies to it, the policies as specific that
     * lose to it, and the less specific ones (naming only the Service) that give way to it here (for policy status).
     */
    record PolicyUse(
            BackendTlsPolicies.Evaluation evaluation,
            ObjectKey service,
            ServicePort port,
            List<BackendTLSPolicy> losers,
            List<BackendTlsPolicies.Evaluation> outranked) {}

    /**
     * Resolutions shared by the routes of one full translation. Tens of thousands of routes name a few hundred
     * Services; each distinct reference is resolved once, with the reads it made, and every route naming it takes
     * the same answer and records the same reads. Thread-safe: routes translate side by side.
     */
    static final class Shared {
        private final ClusterView view;
        private final UnaryOperator<Dependency> canonical;
        private final ClusterKey.Factory clusterKeys;
        private final ConcurrentHashMap<Reference, Resolution> resolutions = new ConcurrentHashMap<>();

        /**
         * @param view the view the references are resolved in
         * @param canonical the canonical function of the routes' recording views
         * @param clusterKeys makes the keys of resolved clusters
         */
        Shared(ClusterView view, UnaryOperator<Dependency> canonical, ClusterKey.Factory clusterKeys) {
            this.view = view;
            this.canonical = canonical;
            this.clusterKeys = clusterKeys;
        }

        private Resolution resolution(Reference reference) {
            Resolution known = resolutions.get(reference);
            if (known != null) {
                return known;
            }
            // Two routes may resolve the same reference at once; both answers are equal, the first is kept.
            RecordingView reading = new RecordingView(view, canonical);
            Resolution resolved = Resolution.resolve(reading, new BackendTlsPolicies(reading), clusterKeys, reference);
            Resolution made = new Resolution(resolved.backend(), resolved.policyUse(), List.copyOf(reading.reads()));
            Resolution kept = resolutions.putIfAbsent(reference, made);
            return kept != null ? kept : made;
        }
    }

    /** What a resolution depends on: the route's kind and namespace, the reference, and the HTTP/2 need. */
    private record Reference(String routeKind, String routeNamespace, BackendRefIr ref, boolean http2) {}

    /**
     * One reference resolved.
     *
     * @param backend the outcome
     * @param policyUse the BackendTLSPolicy the Service port uses, or null
     * @param reads what resolving it read, when it was resolved to be shared (empty otherwise)
     */
    private record Resolution(Backend backend, PolicyUse policyUse, List<Dependency> reads) {

        /** Resolves a reference, reading through {@code view}; the reads are left out (the view records them). */
        static Resolution resolve(
                ClusterView view, BackendTlsPolicies policies, ClusterKey.Factory clusterKeys, Reference reference) {
            BackendRefIr ref = reference.ref();
            String routeKind = reference.routeKind();
            String routeNamespace = reference.routeNamespace();
            if (!ref.isService()) {
                return unresolved(
                        Reasons.INVALID_KIND,
                        "backendRef " + ref.describe() + " is not a Service; only core Services are supported");
            }
            if (!ReferenceGrants.permits(
                    view, Kinds.GATEWAY_GROUP, routeKind, routeNamespace, "", "Service", ref.namespace(), ref.name())) {
                return unresolved(
                        Reasons.REF_NOT_PERMITTED,
                        "No ReferenceGrant in namespace " + ref.namespace() + " allows " + routeKind + "s in namespace "
                                + routeNamespace + " to reference Service " + ref.name());
            }
            ObjectKey serviceKey = new ObjectKey(ref.namespace(), ref.name());
            Service service = view.get(Kinds.SERVICE, serviceKey).orElse(null);
            if (service == null) {
                return unresolved(Reasons.BACKEND_NOT_FOUND, "Service " + serviceKey + " does not exist");
            }
            if (ref.port() == null) {
                return unresolved(Reasons.BACKEND_NOT_FOUND, "backendRef to Service " + serviceKey + " needs a port");
            }
            ServicePort port = ClusterBuilder.servicePort(service, ref.port());
            if (port == null) {
                return unresolved(Reasons.BACKEND_NOT_FOUND, "Service " + serviceKey + " has no port " + ref.port());
            }
            boolean udp = Kinds.UDP_ROUTE.kind().equals(routeKind);
            String needed = udp ? "UDP" : "TCP";
            if (!"ExternalName".equals(service.getSpec().getType())
                    && !ClusterBuilder.hasPort(service, ref.port(), needed)) {
                return unresolved(
                        Reasons.UNSUPPORTED_PROTOCOL_BACKEND,
                        "Service " + serviceKey + " has port " + ref.port() + " only for " + protocolOf(port) + "; a "
                                + routeKind + " needs it for " + needed);
            }
            // The port of the route's protocol: a Service may declare the number for TCP and UDP alike (DNS does).
            port = ClusterBuilder.servicePort(service, ref.port(), needed);
            BackendTlsPolicies.Evaluation policy = policies.forServicePort(serviceKey, port);
            PolicyUse use = policy == null
                    ? null
                    : new PolicyUse(
                            policy,
                            serviceKey,
                            port,
                            policies.conflictingWith(serviceKey, port, policy.policy()),
                            policies.outrankedBy(serviceKey, port, policy.policy()));
            if (policy != null && !policy.valid()) {
                return new Resolution(
                        new Backend.Unusable("BackendTLSPolicy " + ObjectKey.of(policy.policy()) + " is invalid: "
                                + policy.message()),
                        use,
                        List.of());
            }
            boolean serviceIsH2c = "kubernetes.io/h2c".equals(port.getAppProtocol());
            ClusterKey cluster = clusterKeys.of(serviceKey, ref.port(), udp, reference.http2() && !serviceIsH2c);
            return new Resolution(new Backend.Resolved(cluster), use, List.of());
        }

        private static String protocolOf(ServicePort port) {
            return port.getProtocol() == null ? "TCP" : port.getProtocol();
        }

        private static Resolution unresolved(String reason, String message) {
            return new Resolution(new Backend.Unresolved(reason, message), null, List.of());
        }
    }

    private final ClusterView view;
    private final BackendTlsPolicies policies;
    private final Shared shared;
    private final List<PolicyUse> policyUses = new ArrayList<>();
    private final Set<ClusterKey> resolved = new HashSet<>();
    /** {@link #resolved} in the order first met, so that what a dropped rule resolved can be taken back. */
    private final List<ClusterKey> resolvedInOrder = new ArrayList<>();

    private final ClusterKey.Factory clusterKeys;

    BackendResolver(ClusterView view) {
        this(view, ClusterKey::of);
    }

    /** @param clusterKeys makes the keys of resolved clusters */
    BackendResolver(ClusterView view, ClusterKey.Factory clusterKeys) {
        this.view = view;
        this.policies = new BackendTlsPolicies(view);
        this.clusterKeys = clusterKeys;
        this.shared = null;
    }

    /**
     * A resolver taking its answers from resolutions shared with the other routes of a full translation.
     *
     * @param recording the route's recording view: the reads of each shared resolution are recorded in it
     */
    BackendResolver(RecordingView recording, Shared shared) {
        this.view = recording;
        this.policies = null; // each shared resolution evaluates policies in a view of its own
        this.clusterKeys = shared.clusterKeys;
        this.shared = shared;
    }

    /**
     * @param routeKind kind of the referring route
     * @param routeNamespace namespace of the referring route
     * @param ref the reference
     * @param http2 whether the route needs HTTP/2 upstream (gRPC)
     */
    Backend resolve(String routeKind, String routeNamespace, BackendRefIr ref, boolean http2) {
        Reference reference = new Reference(routeKind, routeNamespace, ref, http2);
        Resolution resolution;
        if (shared == null) {
            resolution = Resolution.resolve(view, policies, clusterKeys, reference);
        } else {
            resolution = shared.resolution(reference);
            ((RecordingView) view).recordAll(resolution.reads());
        }
        if (resolution.policyUse() != null) {
            policyUses.add(resolution.policyUse());
        }
        if (resolution.backend() instanceof Backend.Resolved r && resolved.add(r.cluster())) {
            resolvedInOrder.add(r.cluster());
        }
        return resolution.backend();
    }

    /** How far resolution had got: what a rule resolves after it can be taken back if the rule is dropped. */
    record Mark(int policyUses, int resolved) {}

    Mark mark() {
        return new Mark(policyUses.size(), resolvedInOrder.size());
    }

    /**
     * Forgets the clusters and policy uses resolved since {@code mark}: a dropped rule serves nothing, so neither its
     * clusters nor its policies' ancestors are the route's. The reads stay recorded, as they must for the route to be
     * translated again when what it read changes.
     */
    void dropSince(Mark mark) {
        policyUses.subList(mark.policyUses(), policyUses.size()).clear();
        List<ClusterKey> added = resolvedInOrder.subList(mark.resolved(), resolvedInOrder.size());
        added.forEach(resolved::remove);
        added.clear();
    }

    /** Clusters the resolved references name. */
    Set<ClusterKey> resolvedClusters() {
        return resolved;
    }

    /** BackendTLSPolicies met while resolving. */
    List<PolicyUse> policyUses() {
        return policyUses;
    }
}
