package dev.gantry.translate;

import dev.gantry.ir.ClusterIr;
import dev.gantry.ir.ClusterIr.EndpointIr;
import dev.gantry.ir.ClusterIr.UpstreamProtocol;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.ClusterView;
import dev.gantry.view.Indexes;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/** Builds the cluster of a Service port: ready endpoints from EndpointSlices, protocol, upstream TLS. */
final class ClusterBuilder {

    /**
     * A built cluster and the CA secret its TLS settings name.
     *
     * @param cluster the cluster
     * @param caSecret trusted CAs for upstream TLS, or null
     */
    record Built(ClusterIr cluster, SecretIr caSecret) {}

    private ClusterBuilder() {}

    /** The Service's port of this number, whatever its protocol (the first declared), or null. */
    static ServicePort servicePort(Service service, int port) {
        return servicePort(service, port, null);
    }

    /**
     * The Service's port of this number and protocol (any protocol when null), or null. An ExternalName Service
     * forwards any port: one it does not declare is made up.
     */
    static ServicePort servicePort(Service service, int port, String protocol) {
        ServicePort declared = find(service, port, protocol);
        if (declared == null && "ExternalName".equals(service.getSpec().getType())) {
            ServicePort other = find(service, port, null);
            return other != null ? other : new ServicePort(null, null, null, port, protocol, null);
        }
        return declared;
    }

    private static String protocolOf(ServicePort port) {
        return port.getProtocol() == null ? "TCP" : port.getProtocol();
    }

    /** Whether the Service has this port for this protocol (a port without protocol is TCP, as Kubernetes has it). */
    static boolean hasPort(Service service, int port, String protocol) {
        return find(service, port, protocol) != null;
    }

    private static ServicePort find(Service service, int port, String protocol) {
        if (service.getSpec().getPorts() == null) {
            return null;
        }
        for (ServicePort candidate : service.getSpec().getPorts()) {
            if (candidate.getPort() != null
                    && candidate.getPort() == port
                    && (protocol == null || protocol.equals(protocolOf(candidate)))) {
                return candidate;
            }
        }
        return null;
    }

    /** The cluster, or null when the Service or its port no longer exists (its routes are then redone too). */
    static Built build(ClusterView view, ClusterKey key) {
        Service service = view.get(Kinds.SERVICE, key.service()).orElse(null);
        if (service == null) {
            return null;
        }
        ServicePort port = servicePort(service, key.port(), key.protocol());
        if (port == null) {
            return null;
        }
        BackendTlsPolicies.Evaluation policy = new BackendTlsPolicies(view).forServicePort(key.service(), port);
        ClusterIr.UpstreamTlsIr tls = policy != null && policy.valid() ? policy.tls() : null;
        SecretIr caSecret = policy != null && policy.valid() ? policy.caSecret() : null;
        boolean h2c = "kubernetes.io/h2c".equals(port.getAppProtocol());
        UpstreamProtocol protocol = key.forceHttp2() || h2c ? UpstreamProtocol.HTTP2 : UpstreamProtocol.HTTP1;
        ClusterIr cluster = "ExternalName".equals(service.getSpec().getType())
                ? new ClusterIr(
                        key.name(),
                        ClusterIr.Discovery.DNS,
                        List.of(),
                        service.getSpec().getExternalName(),
                        key.port(),
                        protocol,
                        tls)
                : new ClusterIr(
                        key.name(),
                        ClusterIr.Discovery.ENDPOINTS,
                        endpoints(view, key.service(), port),
                        null,
                        0,
                        protocol,
                        tls);
        return new Built(cluster, caSecret);
    }

    private static List<EndpointIr> endpoints(ClusterView view, ObjectKey service, ServicePort servicePort) {
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
                boolean ready = endpoint.getConditions() == null
                        || endpoint.getConditions().getReady() == null
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
}
