package dev.gantry.ir;

import java.util.List;

/** How the connections matched on one port (and possibly one SNI) are handled. */
public sealed interface FilterChainIr {

    /** Unique name of the chain within its port. */
    String name();

    /** SNI server names this chain matches; empty means any (or no) SNI. */
    List<String> serverNames();

    /**
     * HTTP traffic, plain or TLS-terminated, routed by a route table served over RDS. The chain names its table
     * rather than holding it, so a route edit changes the table and never the listener.
     *
     * @param certificateSecrets names of the {@link SecretIr}s served for TLS termination; empty for plain text
     * @param routeTable name of the {@link RouteTableIr} in the Gateway's IR
     * @param clientValidation how client certificates are validated, or null when they are not asked for
     */
    record Http(
            String name,
            List<String> serverNames,
            List<String> certificateSecrets,
            String routeTable,
            ClientValidationIr clientValidation)
            implements FilterChainIr {
        public Http {
            serverNames = List.copyOf(serverNames);
            certificateSecrets = List.copyOf(certificateSecrets);
        }

        /** A chain that asks for no client certificate. */
        public Http(String name, List<String> serverNames, List<String> certificateSecrets, String routeTable) {
            this(name, serverNames, certificateSecrets, routeTable, null);
        }
    }

    /**
     * Client certificate validation of a TLS-terminating chain (a Gateway's {@code spec.tls.frontend}).
     *
     * @param caSecret name of the {@link SecretIr.TrustedCa} the client's certificate must chain to
     * @param insecureFallback whether a connection without a valid client certificate is let through all the same
     *     (AllowInsecureFallback) instead of refused (AllowValidOnly)
     */
    record ClientValidationIr(String caSecret, boolean insecureFallback) {}

    /**
     * Layer-4 proxying: TLS passthrough (SNI-matched, no termination), TLS terminated then proxied, or plain TCP.
     *
     * @param certificateSecrets secrets for TLS termination; empty for passthrough or plain TCP
     * @param backends weighted upstream clusters; an unresolved one (null cluster) refuses its share
     */
    record TcpProxy(
            String name, List<String> serverNames, List<String> certificateSecrets, List<WeightedClusterIr> backends)
            implements FilterChainIr {
        public TcpProxy {
            serverNames = List.copyOf(serverNames);
            certificateSecrets = List.copyOf(certificateSecrets);
            backends = List.copyOf(backends);
        }
    }

    /** UDP datagrams proxied to weighted upstream clusters. */
    record UdpProxy(String name, List<WeightedClusterIr> backends) implements FilterChainIr {
        public UdpProxy {
            backends = List.copyOf(backends);
        }

        @Override
        public List<String> serverNames() {
            return List.of();
        }
    }
}
