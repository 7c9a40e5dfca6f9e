package dev.gantry.ir;

import java.util.List;

/**
 * The routes behind one HTTP filter chain, sent to Envoy as one RouteConfiguration.
 *
 * @param name RDS resource name, unique within the Gateway
 * @param virtualHosts virtual hosts ordered by name
 */
public record RouteTableIr(String name, List<VirtualHostIr> virtualHosts) {

    public RouteTableIr {
        virtualHosts = List.copyOf(virtualHosts);
    }
}
