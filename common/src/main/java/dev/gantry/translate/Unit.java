package dev.gantry.translate;

/**
 * The part of a Gateway's Envoy configuration that placed routes shape, and that is rebuilt when they change: a
 * route table (of a plain HTTP port, or of one HTTPS listener), or the filter chains of a port (its TLS routes with
 * the HTTPS chains beside them, or its one TCP or UDP route). Ordered ports first, then tables, by name.
 */
sealed interface Unit extends Comparable<Unit> {

    /** A route table, by its name in the Envoy configuration. */
    record Table(String name) implements Unit {}

    /** The filter chains of one socket ({@code 00443/tcp}). */
    record Port(String socket) implements Unit {}

    @Override
    default int compareTo(Unit other) {
        return switch (this) {
            case Port port -> other instanceof Port o ? port.socket().compareTo(o.socket()) : -1;
            case Table table -> other instanceof Table o ? table.name().compareTo(o.name()) : 1;
        };
    }
}
