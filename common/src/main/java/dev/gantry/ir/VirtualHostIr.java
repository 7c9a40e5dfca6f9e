package dev.gantry.ir;

import java.util.List;

/**
 * Routes for a set of domains, in the order Envoy must try them (Gateway API precedence already applied).
 *
 * @param name unique within its route table
 * @param domains Host header patterns ({@code foo.example.com}, {@code *.example.com} or {@code *})
 * @param routes ordered routes
 */
public record VirtualHostIr(String name, List<String> domains, List<RouteIr> routes) {

    public VirtualHostIr {
        domains = List.copyOf(domains);
        routes = List.copyOf(routes);
    }
}
