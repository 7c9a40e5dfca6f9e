package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves a route's backend references: kind, ReferenceGrant, Service and port, and the BackendTLSPolicy that
 * applies. The cluster itself (endpoints, protocol, TLS) is built separately by {@link ClusterBuilder}, so an
 * endpoint change rebuilds one cluster without touching the routes that use it.
 */
final class BackendResolver {

  /** Outcome of resolving one backend reference. */
  sealed interface Backend {
    /** The reference resolved to a cluster. */
    record Resolved(ClusterKey cluster) implements Backend {
    }

    /**
     * The reference did not resolve.
     *
     * @param refsReason the route's ResolvedRefs=False reason
     * @param message detail
     */
    record Unresolved(String refsReason, String message) implements Backend {
    }

    /** The reference resolved, but its BackendTLSPolicy is invalid: the backend's share answers 500. */
    record Unusable(String message) implements Backend {
    }
  }

  /**
   * A Service port used by a route, with the BackendTLSPolicy that applies to it and the policies on the same
   * target that lose to it (for policy status).
   */
  record PolicyUse(BackendTlsPolicies.Evaluation evaluation, ObjectKey service, ServicePort port,
      List<io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy> losers) {
  }

  private final ClusterView view;
  private final BackendTlsPolicies policies;
  private final List<PolicyUse> policyUses = new ArrayList<>();
  private final java.util.Set<ClusterKey> resolved = new java.util.HashSet<>();

  private final ClusterKey.Factory clusterKeys;

  BackendResolver(ClusterView view) {
    this(view, ClusterKey::of);
  }

  /** @param clusterKeys makes the keys of resolved clusters */
  BackendResolver(ClusterView view, ClusterKey.Factory clusterKeys) {
    this.view = view;
    this.policies = new BackendTlsPolicies(view);
    this.clusterKeys = clusterKeys;
  }

  /**
   * @param routeKind kind of the referring route
   * @param routeNamespace namespace of the referring route
   * @param ref the reference
   * @param http2 whether the route needs HTTP/2 upstream (gRPC)
   */
  Backend resolve(String routeKind, String routeNamespace, BackendRefIr ref, boolean http2) {
    if (!ref.isService()) {
      return new Backend.Unresolved(Reasons.INVALID_KIND,
          "backendRef " + ref.describe() + " is not a Service; only core Services are supported");
    }
    if (!ReferenceGrants.permits(view, Kinds.GATEWAY_GROUP, routeKind, routeNamespace, "", "Service",
        ref.namespace(), ref.name())) {
      return new Backend.Unresolved(Reasons.REF_NOT_PERMITTED, "No ReferenceGrant in namespace " + ref.namespace()
          + " allows " + routeKind + "s in namespace " + routeNamespace + " to reference Service " + ref.name());
    }
    ObjectKey serviceKey = new ObjectKey(ref.namespace(), ref.name());
    Service service = view.get(Kinds.SERVICE, serviceKey).orElse(null);
    if (service == null) {
      return new Backend.Unresolved(Reasons.BACKEND_NOT_FOUND, "Service " + serviceKey + " does not exist");
    }
    if (ref.port() == null) {
      return new Backend.Unresolved(Reasons.BACKEND_NOT_FOUND, "backendRef to Service " + serviceKey
          + " needs a port");
    }
    ServicePort port = ClusterBuilder.servicePort(service, ref.port());
    if (port == null) {
      return new Backend.Unresolved(Reasons.BACKEND_NOT_FOUND, "Service " + serviceKey + " has no port " + ref.port());
    }
    BackendTlsPolicies.Evaluation policy = policies.forServicePort(serviceKey, port);
    if (policy != null) {
      policyUses.add(new PolicyUse(policy, serviceKey, port,
          policies.conflictingWith(serviceKey, port, policy.policy())));
      if (!policy.valid()) {
        return new Backend.Unusable("BackendTLSPolicy " + ObjectKey.of(policy.policy()) + " is invalid: "
            + policy.message());
      }
    }
    boolean serviceIsH2c = "kubernetes.io/h2c".equals(port.getAppProtocol());
    ClusterKey cluster = clusterKeys.of(serviceKey, ref.port(), http2 && !serviceIsH2c);
    resolved.add(cluster);
    return new Backend.Resolved(cluster);
  }

  /** Clusters the resolved references name. */
  java.util.Set<ClusterKey> resolvedClusters() {
    return resolved;
  }

  /** BackendTLSPolicies met while resolving. */
  List<PolicyUse> policyUses() {
    return policyUses;
  }

  BackendTlsPolicies policies() {
    return policies;
  }
}
