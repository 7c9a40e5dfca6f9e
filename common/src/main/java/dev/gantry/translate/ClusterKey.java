package dev.gantry.translate;

import dev.gantry.model.ObjectKey;

/**
 * Identifies an upstream cluster: a Service port (its number and protocol: a Service may declare one number for TCP
 * and UDP alike, as DNS does, each with its own target port), and whether a route forces HTTP/2 on it (gRPC).
 *
 * @param service the Service
 * @param port the Service port number
 * @param udp whether it is the Service's UDP port of that number (else TCP)
 * @param forceHttp2 whether the cluster speaks HTTP/2 although the Service port does not say so
 * @param name the cluster's name, {@code svc/<namespace>/<name>/<port>[/udp][/h2]}
 */
record ClusterKey(ObjectKey service, int port, boolean udp, boolean forceHttp2, String name) {

    /** Makes cluster keys; a translation may hand out one instance per cluster instead of one per reference. */
    @FunctionalInterface
    interface Factory {
        ClusterKey of(ObjectKey service, int port, boolean udp, boolean forceHttp2);
    }

    static ClusterKey of(ObjectKey service, int port, boolean udp, boolean forceHttp2) {
        return new ClusterKey(
                service,
                port,
                udp,
                forceHttp2,
                "svc/" + service + "/" + port + (udp ? "/udp" : "") + (forceHttp2 ? "/h2" : ""));
    }

    /** The Service port protocol the cluster is of, as Kubernetes names it. */
    String protocol() {
        return udp ? "UDP" : "TCP";
    }
}
