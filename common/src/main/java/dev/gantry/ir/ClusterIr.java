package dev.gantry.ir;

import java.util.List;

/**
 * An upstream cluster: a Service port (endpoints from EndpointSlices) or an external DNS name.
 *
 * @param name cluster name, unique within the Gateway
 * @param discovery how endpoints are found
 * @param endpoints ready endpoints (for {@link Discovery#ENDPOINTS})
 * @param dnsName host name to resolve (for {@link Discovery#DNS}), or null
 * @param dnsPort port used with the DNS name
 * @param protocol upstream HTTP protocol
 * @param tls upstream TLS settings, or null for plain text
 */
public record ClusterIr(
        String name,
        Discovery discovery,
        List<EndpointIr> endpoints,
        String dnsName,
        int dnsPort,
        UpstreamProtocol protocol,
        UpstreamTlsIr tls) {

    public ClusterIr {
        endpoints = List.copyOf(endpoints);
    }

    /** Where endpoints come from. */
    public enum Discovery {
        ENDPOINTS,
        DNS
    }

    /** The protocol Envoy speaks to the upstream. */
    public enum UpstreamProtocol {
        HTTP1,
        HTTP2
    }

    /** One endpoint address. */
    public record EndpointIr(String address, int port) implements Comparable<EndpointIr> {
        @Override
        public int compareTo(EndpointIr other) {
            int byAddress = address.compareTo(other.address);
            return byAddress != 0 ? byAddress : Integer.compare(port, other.port);
        }
    }

    /**
     * Upstream TLS from a BackendTLSPolicy.
     *
     * @param sni server name sent and verified
     * @param subjectAltNames accepted SANs (DNS names or URIs); empty means the SNI hostname
     * @param caSecret name of the validation-context {@link SecretIr}, or null with system CAs
     * @param systemCertificates whether the system trust store is used
     */
    public record UpstreamTlsIr(String sni, List<SanIr> subjectAltNames, String caSecret, boolean systemCertificates) {
        public UpstreamTlsIr {
            subjectAltNames = List.copyOf(subjectAltNames);
        }
    }

    /** A subject alternative name to accept: a DNS name or a URI. */
    public record SanIr(boolean uri, String value) {}
}
