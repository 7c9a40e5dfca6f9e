package dev.gantry.translate;

import dev.gantry.ir.PortIr;
import dev.gantry.ir.SecretIr;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.status.AddressIr;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Gateway is before any route is placed on it: whether it is Gantry's and accepted, its proxy parameters and
 * addresses, its ListenerSets, its listeners with their verdicts, the parents routes may name, the certificates its
 * listeners serve, the ports it exposes, and the units routes will fill. Made by {@link GatewayPlanner}; the
 * translation's engine places routes on it.
 *
 * @param gateway the Gateway (null when it does not exist or is not Gantry's)
 * @param verdict whether the Gateway is Gantry's, and whether it is accepted
 * @param proxy how its proxies are provisioned, or null when its parameters are invalid
 * @param addresses its addresses: the requested static ones, else those of its proxy Service
 * @param sets every ListenerSet naming it, in precedence order (allowed or not)
 * @param listeners its listeners and those of its allowed ListenerSets, in precedence order, with their verdicts
 * @param owners the listeners of each owner (the Gateway and each allowed ListenerSet), by the owner's parent key
 * @param parents the parents a route may name to reach this Gateway: itself and each of its ListenerSets
 * @param certificates the TLS secrets its listeners serve, by name
 * @param exposed the ports of its served listeners, for the proxy Service
 * @param units what routes fill, and the ports that need no route
 */
record GatewayPlan(
        Gateway gateway,
        Verdict verdict,
        ProxyParameters proxy,
        List<AddressIr> addresses,
        List<ListenerSet> sets,
        List<ListenerState> listeners,
        Map<String, List<ListenerState>> owners,
        Set<ParentKey> parents,
        Map<String, SecretIr> certificates,
        List<ExposedPort> exposed,
        Units units) {

    /** A Gateway that is missing or of a class Gantry does not serve. */
    static final GatewayPlan NOT_OURS = new GatewayPlan(
            null,
            new Verdict.NotOurs(),
            null,
            List.of(),
            List.of(),
            List.of(),
            Map.of(),
            Set.of(),
            Map.of(),
            List.of(),
            Units.NONE);

    GatewayPlan {
        addresses = List.copyOf(addresses);
        sets = List.copyOf(sets);
        listeners = List.copyOf(listeners);
        certificates = Map.copyOf(certificates);
        exposed = List.copyOf(exposed);
    }

    /** Whether the Gateway is Gantry's, and if so whether it is accepted. */
    sealed interface Verdict {
        /** Missing, or of a class Gantry does not serve: Gantry writes nothing for it. */
        record NotOurs() implements Verdict {}

        /** Gantry's and accepted: its listeners are served. */
        record Accepted() implements Verdict {}

        /** Gantry's but not accepted (its class, parameters or addresses): nothing of it is served. */
        record NotAccepted(String reason, String message) implements Verdict {}
    }

    boolean ours() {
        return !(verdict instanceof Verdict.NotOurs);
    }

    boolean usable() {
        return verdict instanceof Verdict.Accepted;
    }

    /**
     * The units routes fill, and the ports that need no route.
     *
     * @param unitOf the unit each served listener's routes go to
     * @param members the listeners of each unit (for a port, the first is the one that owns it)
     * @param httpsClaims per TLS socket, the hostnames its HTTPS listeners claim (a TLS route's SNI must not)
     * @param fixedPorts per socket, the ports whose filter chains do not depend on routes (plain HTTP)
     */
    record Units(
            Map<ListenerState, Unit> unitOf,
            Map<Unit, List<ListenerState>> members,
            Map<String, Set<String>> httpsClaims,
            Map<String, PortIr> fixedPorts) {

        static final Units NONE = new Units(Map.of(), Map.of(), Map.of(), Map.of());
    }
}
