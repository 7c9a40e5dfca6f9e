package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.Routes;
import dev.gantry.model.Routes.ParentKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ParentRefIr;
import dev.gantry.status.Reasons;
import dev.gantry.status.RouteParentStatusIr;
import dev.gantry.translate.RouteTables.Placement;
import dev.gantry.translate.RouteTables.PlacementKey;
import dev.gantry.view.ClusterView;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The route-status rules of one translated route on one Gateway: for each parentRef naming the Gateway or one of its
 * ListenerSets, whether the route attaches ({@link RouteAttacher}) and is valid ({@code Accepted}), whether its
 * references resolved ({@code ResolvedRefs}), which rules were dropped ({@code PartiallyInvalid}), and on which
 * listeners it is placed. Pure; the engine records the placements.
 */
final class RouteAttachment {

    private RouteAttachment() {}

    /** A route placed on a listener. */
    record Placed(ListenerState listener, Placement placement) {}

    /**
     * @param parents the route's parent status entries for this Gateway
     * @param placed where the route is placed (each listener once)
     * @param oneRouteListeners per entry of {@code parents}, the TCP and UDP listeners it attached to (only the oldest
     *     route is served there: see {@link L4RouteServing}); empty when none
     */
    record Result(
            List<GatewayTranslation.RouteParent> parents,
            List<Placed> placed,
            List<List<ListenerState>> oneRouteListeners) {
        Result {
            parents = List.copyOf(parents);
            placed = List.copyOf(placed);
            oneRouteListeners = List.copyOf(oneRouteListeners);
        }
    }

    /**
     * @param view answers the namespace lookups of {@code allowedRoutes} selectors
     * @param parentsHere per parentRef, its parent when it is this Gateway or one of its ListenerSets, else null
     * @param rules the route translated on its own
     */
    static Result attach(
            ClusterView view,
            RouteAttacher attacher,
            RouteId id,
            HasMetadata route,
            ParentKey[] parentsHere,
            RouteRules rules,
            String controllerName) {
        long generation = Metadata.generation(route);
        PlacementKey order = new PlacementKey(Metadata.created(route), Kinds.ROUTES.indexOf(id.kind()), id.key());
        List<GatewayTranslation.RouteParent> parents = new ArrayList<>();
        List<Placed> placed = new ArrayList<>();
        // Few listeners per route: a list searched by identity is cheaper than a set.
        List<ListenerState> attachedTo = new ArrayList<>(2);
        List<List<ListenerState>> oneRouteListeners = null;
        List<ParentReference> refs = Routes.parentRefs(route);
        for (int i = 0; i < refs.size(); i++) {
            ParentReference ref = refs.get(i);
            ParentKey parent = parentsHere[i];
            if (parent == null) {
                continue;
            }
            RouteAttacher.Outcome outcome = attacher.attach(view, route, ref, parent);
            List<ListenerState> competing = List.of();
            ConditionIr accepted;
            if (!outcome.attached()) {
                accepted = ConditionIr.of(Reasons.ACCEPTED, false, outcome.reason(), outcome.message(), generation);
            } else if (!rules.valid()) {
                accepted = ConditionIr.of(
                        Reasons.ACCEPTED, false, rules.invalidReason(), rules.invalidMessage(), generation);
            } else {
                accepted = ConditionIr.of(Reasons.ACCEPTED, true, Reasons.ACCEPTED, "Route is accepted", generation);
                for (RouteAttacher.Attachment attachment : outcome.attachments()) {
                    if (L4RouteServing.servesOneRoute(attachment.listener())) {
                        competing = competing.isEmpty() ? new ArrayList<>(1) : competing;
                        competing.add(attachment.listener());
                    }
                    if (!containsIdentical(attachedTo, attachment.listener())) {
                        attachedTo.add(attachment.listener());
                        placed.add(
                                new Placed(attachment.listener(), new Placement(rules, attachment.hostnames(), order)));
                    }
                }
            }
            ConditionIr resolved = rules.refsReason() == null
                    ? ConditionIr.of(
                            Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS, "All references resolved", generation)
                    : ConditionIr.of(Reasons.RESOLVED_REFS, false, rules.refsReason(), rules.refsMessage(), generation);
            ParentRefIr parentRef = new ParentRefIr(
                    parent.group(),
                    parent.kind(),
                    parent.key().namespace(),
                    parent.key().name(),
                    ref.getSectionName(),
                    ref.getPort());
            List<ConditionIr> conditions = rules.droppedMessage() == null
                    ? List.of(accepted, resolved)
                    : List.of(
                            accepted,
                            resolved,
                            ConditionIr.of(
                                    Reasons.PARTIALLY_INVALID,
                                    true,
                                    Reasons.UNSUPPORTED_VALUE,
                                    rules.droppedMessage(),
                                    generation));
            if (!competing.isEmpty() && oneRouteListeners == null) {
                oneRouteListeners = new ArrayList<>(Collections.nCopies(parents.size(), List.of()));
            }
            if (oneRouteListeners != null) {
                oneRouteListeners.add(List.copyOf(competing));
            }
            parents.add(new GatewayTranslation.RouteParent(
                    id.kind(), id.key(), i, new RouteParentStatusIr(parentRef, controllerName, conditions)));
        }
        return new Result(parents, placed, oneRouteListeners == null ? List.of() : oneRouteListeners);
    }

    private static boolean containsIdentical(List<ListenerState> listeners, ListenerState listener) {
        for (ListenerState l : listeners) {
            if (l == listener) {
                return true;
            }
        }
        return false;
    }
}
