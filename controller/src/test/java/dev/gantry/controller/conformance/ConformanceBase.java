package dev.gantry.controller.conformance;

import dev.gantry.model.ObjectKey;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/** What every conformance test class shares: the extension, the cluster lock, and shorthands for the checks. */
@ExtendWith(ConformanceExtension.class)
@ResourceLock(providers = ConformanceExtension.Locks.class)
abstract class ConformanceBase {

    static final String INFRA = ConformanceSuite.INFRA;
    static final String APP_BACKEND = ConformanceSuite.APP_BACKEND;
    static final String WEB_BACKEND = ConformanceSuite.WEB_BACKEND;

    static final String HTTP_ROUTE_KIND = "HTTPRoute";
    static final String GRPC_ROUTE_KIND = "GRPCRoute";
    static final String TLS_ROUTE_KIND = "TLSRoute";
    static final String TCP_ROUTE_KIND = "TCPRoute";
    static final String UDP_ROUTE_KIND = "UDPRoute";

    static ObjectKey infra(String name) {
        return new ObjectKey(INFRA, name);
    }

    static ObjectKey key(String namespace, String name) {
        return new ObjectKey(namespace, name);
    }

    static List<String> kinds(String... kinds) {
        return List.of(kinds);
    }
}
