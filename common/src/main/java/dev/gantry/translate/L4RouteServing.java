package dev.gantry.translate;

import dev.gantry.status.ConditionIr;
import dev.gantry.translate.RouteTables.PlacementKey;

/**
 * A TCP or UDP listener has nothing to tell its routes' connections apart by, so it forwards to one route only: the
 * oldest attached (the conformance suite's TCPRoute and UDPRoute multiple-attachment tests expect every route
 * {@code Accepted}, and traffic for the oldest). The spec leaves the other routes' status open; Gantry does not let it
 * claim what the proxy does not do: each of them carries {@code gantry.dev/Served=False/OlderRouteServed} for its
 * parentRef, naming the listener (and the route served, when it is in the same namespace: another team's route is
 * not named to it). The condition goes away when the route is served, e.g. once the older route is gone.
 */
final class L4RouteServing {

    /** An implementation-specific route condition type (domain-prefixed, as the Kubernetes condition type allows). */
    static final String SERVED = "gantry.dev/Served";

    static final String OLDER_ROUTE_SERVED = "OlderRouteServed";

    private L4RouteServing() {}

    /** Whether routes placed on this listener compete for it, only the oldest being served. */
    static boolean servesOneRoute(ListenerState listener) {
        return listener.mode == ListenerState.Mode.TCP || listener.mode == ListenerState.Mode.UDP;
    }

    /**
     * The condition of a route not served on a listener that serves {@code served} instead, or null when the route is
     * the one served.
     */
    static ConditionIr notServed(ListenerState listener, PlacementKey route, PlacementKey served, long generation) {
        if (served == null || served.equals(route)) {
            return null;
        }
        String which = served.key().namespace().equals(route.key().namespace())
                ? "the older route " + served.key().name() + " of this namespace"
                : "an older route of another namespace";
        return ConditionIr.of(
                SERVED,
                false,
                OLDER_ROUTE_SERVED,
                listener.describe() + " (" + listener.protocol
                        + ") forwards every connection to one route, the oldest attached: " + which
                        + ". This route gets traffic there once that one is gone",
                generation);
    }
}
