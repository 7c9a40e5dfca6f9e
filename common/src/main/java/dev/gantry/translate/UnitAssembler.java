package dev.gantry.translate;

import dev.gantry.ir.FilterChainIr;
import dev.gantry.ir.PortIr;
import dev.gantry.ir.RouteTableIr;
import dev.gantry.translate.RouteTables.Placement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Assembles one unit from the routes placed on its listeners: the route table of an HTTP port or of an HTTPS
 * listener, or the filter chains of a port (a TLS port's HTTPS chains, one per hostname, beside its TLS route
 * chains; a TCP or UDP port's one route). Pure: it reads the placements it is given and changes nothing, so units
 * can be assembled side by side.
 */
final class UnitAssembler {

    private UnitAssembler() {}

    /**
     * The content of one unit.
     *
     * @param unit the unit
     * @param table its route table (a table unit); null for a port unit
     * @param port its port, null when it has no filter chain (or for a table unit)
     * @param used clusters it names
     * @param secrets secrets its chains name (a port unit); null for a table unit
     */
    record Built(Unit unit, RouteTableIr table, PortIr port, Set<String> used, Set<String> secrets) {}

    /**
     * @param members the unit's listeners (for a port, the first owns it)
     * @param placements the routes placed on a listener, in precedence order
     * @param httpsClaims per TLS socket, the hostnames its HTTPS listeners claim
     */
    static Built assemble(
            Unit unit,
            List<ListenerState> members,
            Function<ListenerState, Collection<Placement>> placements,
            Map<String, Set<String>> httpsClaims) {
        Set<String> used = new HashSet<>();
        ListenerState first = members.getFirst();
        return switch (unit) {
            case Unit.Table table ->
                new Built(
                        unit,
                        first.mode == ListenerState.Mode.HTTPS
                                ? RouteTables.httpsTable(first, placements.apply(first), used)
                                : RouteTables.httpTable(table.name(), members, placements, used),
                        null,
                        used,
                        null);
            case Unit.Port port -> port(port, members, placements, httpsClaims, used);
        };
    }

    private static Built port(
            Unit.Port unit,
            List<ListenerState> members,
            Function<ListenerState, Collection<Placement>> placements,
            Map<String, Set<String>> httpsClaims,
            Set<String> used) {
        ListenerState first = members.getFirst();
        Set<String> secrets = new TreeSet<>();
        PortIr port;
        if (first.portClass() == PortClass.TLS) {
            List<ListenerState> tlsRouted = members.stream()
                    .filter(l -> l.mode != ListenerState.Mode.HTTPS)
                    .toList();
            Set<String> claimed = new HashSet<>(httpsClaims.getOrDefault(unit.socket(), Set.of()));
            List<FilterChainIr> routeChains = RouteTables.tlsRouteChains(tlsRouted, placements, claimed, used, secrets);
            secrets.addAll(httpsSecrets(members));
            PortIr tls = tlsPort(members, routeChains);
            port = tls.filterChains().isEmpty() ? null : tls;
        } else {
            FilterChainIr chain = RouteTables.l4Chain(first, placements.apply(first), used);
            port = chain == null
                    ? null
                    : new PortIr(
                            first.port, first.isUdp() ? PortIr.Transport.UDP : PortIr.Transport.TCP, List.of(chain));
        }
        return new Built(unit, null, port, used, secrets);
    }

    /** The certificates and client CAs of a TLS port's HTTPS chains (the first listener of each hostname). */
    private static Set<String> httpsSecrets(List<ListenerState> onSocket) {
        Set<String> secrets = new TreeSet<>();
        Set<String> claimed = new HashSet<>();
        for (ListenerState listener : onSocket) {
            if (listener.mode == ListenerState.Mode.HTTPS
                    && claimed.add(listener.hostname == null ? "" : listener.hostname)) {
                secrets.addAll(listener.certificateSecrets);
                if (listener.clientValidation != null) {
                    secrets.add(listener.clientValidation.caSecret());
                }
            }
        }
        return secrets;
    }

    /** A TLS port: HTTPS chains (one per hostname, naming their tables) and the given TLS route chains. */
    private static PortIr tlsPort(List<ListenerState> onSocket, List<FilterChainIr> routeChains) {
        List<FilterChainIr> specific = new ArrayList<>();
        List<FilterChainIr> catchAll = new ArrayList<>();
        Set<String> claimed = new HashSet<>();
        for (ListenerState listener : onSocket) {
            if (listener.mode == ListenerState.Mode.HTTPS
                    && claimed.add(listener.hostname == null ? "" : listener.hostname)) {
                FilterChainIr chain = new FilterChainIr.Http(
                        "https-" + (listener.hostname == null ? "*" : listener.hostname),
                        listener.hostname == null ? List.of() : List.of(listener.hostname),
                        listener.certificateSecrets,
                        RouteTables.httpsTableName(listener),
                        listener.clientValidation);
                (listener.hostname == null ? catchAll : specific).add(chain);
            }
        }
        for (FilterChainIr chain : routeChains) {
            (chain.serverNames().isEmpty() ? catchAll : specific).add(chain);
        }
        specific.sort(Comparator.comparing(FilterChainIr::name));
        List<FilterChainIr> chains = new ArrayList<>(specific);
        chains.addAll(catchAll);
        return new PortIr(onSocket.getFirst().port, PortIr.Transport.TCP, chains);
    }
}
