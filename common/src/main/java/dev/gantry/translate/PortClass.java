package dev.gantry.translate;

/**
 * Which listeners can share a socket: plain HTTP, TLS-based ones (HTTPS and TLS routed by SNI), TCP and UDP each need
 * a socket of their own.
 */
enum PortClass {
    HTTP,
    TLS,
    TCP,
    UDP,
    UNSUPPORTED
}
