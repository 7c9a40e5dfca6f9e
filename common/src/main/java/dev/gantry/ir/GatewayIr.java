package dev.gantry.ir;

import dev.gantry.model.ObjectKey;
import java.util.List;

/**
 * Everything the proxies of one Gateway need, in Gantry's own terms (no Envoy types): one entry per port with its
 * filter chains, the route tables of its HTTP chains, the upstream clusters they reference and the TLS secrets
 * they serve.
 *
 * @param gateway the Gateway this configuration belongs to
 * @param ports listening ports, ordered by port then transport
 * @param routeTables route tables named by HTTP filter chains, ordered by name
 * @param clusters upstream clusters, ordered by name
 * @param secrets TLS material, ordered by name
 */
public record GatewayIr(
        ObjectKey gateway,
        List<PortIr> ports,
        List<RouteTableIr> routeTables,
        List<ClusterIr> clusters,
        List<SecretIr> secrets) {

    public GatewayIr {
        ports = List.copyOf(ports);
        routeTables = List.copyOf(routeTables);
        clusters = List.copyOf(clusters);
        secrets = List.copyOf(secrets);
    }

    public static GatewayIr empty(ObjectKey gateway) {
        return new GatewayIr(gateway, List.of(), List.of(), List.of(), List.of());
    }
}
