package dev.gantry.translate;

import dev.gantry.ir.PortIr;

/**
 * A port a Gateway's proxies listen on: one per port and transport of its valid listeners (its own and its
 * ListenerSets'), whether or not a route uses it yet. The proxy Service exposes exactly these.
 *
 * @param port port number
 * @param transport TCP or UDP
 */
public record ExposedPort(int port, PortIr.Transport transport) implements Comparable<ExposedPort> {

    /** {@code tcp-443}: the name of the port on the proxy Service and container. */
    public String name() {
        return (transport == PortIr.Transport.UDP ? "udp-" : "tcp-") + port;
    }

    @Override
    public int compareTo(ExposedPort other) {
        int byPort = Integer.compare(port, other.port);
        return byPort != 0 ? byPort : transport.compareTo(other.transport);
    }
}
