package dev.gantry.ir;

import java.util.List;

/**
 * One listening socket: a port and transport, and the filter chains that share it.
 *
 * @param port port number
 * @param transport TCP or UDP
 * @param filterChains chains in match order: SNI-specific chains first, a chain without server names last
 */
public record PortIr(int port, Transport transport, List<FilterChainIr> filterChains) {

    public PortIr {
        filterChains = List.copyOf(filterChains);
    }

    /** The socket type a port listens on. */
    public enum Transport {
        TCP,
        UDP
    }

    public String name() {
        return transport == Transport.TCP ? "tcp-" + port : "udp-" + port;
    }
}
