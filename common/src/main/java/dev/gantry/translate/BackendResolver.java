package dev.gantry.translate;

import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.ClusterIr.EndpointIr;
import dev.gantry.ir.ClusterIr.UpstreamProtocol;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Indexes;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Resolves route backend references to upstream clusters: kind, ReferenceGrant, Service and port checks, ready
 * endpoints from EndpointSlices, appProtocol and BackendTLSPolicy. Clusters are built once per translation and
 * shared by every route that uses the same Service port.
 */
final class BackendResolver {

  /** Outcome of resolving one backend reference. */
  sealed interface Backend {
    /** The reference resolved to a cluster. */
    record Resolved(String cluster) implements Backend {
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

  /** A Service port used by a Gateway, with the BackendTLSPolicy that applies to it (for policy status). */
  record PolicyUse(BackendTlsPolicies.Evaluation evaluation, ObjectKey service, ServicePort port) {
  }

  private final ClusterView view;
  private final String clusterDomain;
  private final BackendTlsPolicies policies;
  private final Map<String, ClusterIr> clusters = new LinkedHashMap<>();
  private final Map<String, SecretIr> caSecrets = new LinkedHashMap<>();
  private final Map<ObjectKey, List<PolicyUse>> policyUses = new LinkedHashMap<>();

  BackendResolver(ClusterView view, String clusterDomain) {
    this.view = view;
    this.clusterDomain = clusterDomain;
    this.policies = new BackendTlsPolicies(view);
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
    boolean externalName = "ExternalName".equals(service.getSpec().getType());
    ServicePort port = findPort(service, ref.port());
    if (port == null && !externalName) {
      return new Backend.Unresolved(Reasons.BACKEND_NOT_FOUND, "Service " + serviceKey + " has no port " + ref.port());
    }
    ServicePort effectivePort = port != null ? port : new ServicePort(null, null, ref.port(), null, null, null);
    BackendTlsPolicies.Evaluation policy = policies.forServicePort(serviceKey, effectivePort);
    if (policy != null) {
      policyUses.computeIfAbsent(ObjectKey.of(policy.policy()), k -> new ArrayList<>())
          .add(new PolicyUse(policy, serviceKey, effectivePort));
      if (!policy.valid()) {
        return new Backend.Unusable("BackendTLSPolicy " + ObjectKey.of(policy.policy()) + " is invalid: "
            + policy.message());
      }
    }
    boolean serviceIsH2c = "kubernetes.io/h2c".equals(effectivePort.getAppProtocol());
    UpstreamProtocol protocol = http2 || serviceIsH2c ? UpstreamProtocol.HTTP2 : UpstreamProtocol.HTTP1;
    String name = "svc/" + serviceKey + "/" + ref.port() + (http2 && !serviceIsH2c ? "/h2" : "");
    if (!clusters.containsKey(name)) {
      ClusterIr.UpstreamTlsIr tls = policy == null ? null : policy.tls();
      if (policy != null && policy.caSecret() != null) {
        caSecrets.putIfAbsent(policy.caSecret().name(), policy.caSecret());
      }
      clusters.put(name, externalName
          ? new ClusterIr(name, ClusterIr.Discovery.DNS, List.of(), service.getSpec().getExternalName(), ref.port(),
              protocol, tls)
          : new ClusterIr(name, ClusterIr.Discovery.ENDPOINTS, endpoints(serviceKey, effectivePort), null, 0,
              protocol, tls));
    }
    return new Backend.Resolved(name);
  }

  ClusterIr cluster(String name) {
    return clusters.get(name);
  }

  SecretIr caSecret(String name) {
    return caSecrets.get(name);
  }

  /** BackendTLSPolicies met while resolving, keyed by policy. */
  Map<ObjectKey, List<PolicyUse>> policyUses() {
    return policyUses;
  }

  BackendTlsPolicies policies() {
    return policies;
  }

  private static ServicePort findPort(Service service, int port) {
    if (service.getSpec().getPorts() == null) {
      return null;
    }
    for (ServicePort candidate : service.getSpec().getPorts()) {
      if (candidate.getPort() != null && candidate.getPort() == port) {
        return candidate;
      }
    }
    return null;
  }

  private List<EndpointIr> endpoints(ObjectKey service, ServicePort servicePort) {
    TreeSet<EndpointIr> endpoints = new TreeSet<>();
    String portName = servicePort.getName() == null ? "" : servicePort.getName();
    for (EndpointSlice slice : view.byIndex(Indexes.ENDPOINT_SLICES_BY_SERVICE, service.toString())) {
      if ("FQDN".equals(slice.getAddressType())) {
        continue;
      }
      Integer port = null;
      for (EndpointPort candidate : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
        if (Objects.equals(candidate.getName() == null ? "" : candidate.getName(), portName)) {
          port = candidate.getPort();
          break;
        }
      }
      if (port == null) {
        continue;
      }
      for (Endpoint endpoint : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
        boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
            || endpoint.getConditions().getReady();
        if (!ready || endpoint.getAddresses() == null) {
          continue;
        }
        for (String address : endpoint.getAddresses()) {
          endpoints.add(new EndpointIr(address, port));
        }
      }
    }
    return List.copyOf(endpoints);
  }

  /** The DNS name of a Service in this cluster. */
  String serviceDnsName(ObjectKey service) {
    return service.name() + "." + service.namespace() + ".svc." + clusterDomain;
  }
}
