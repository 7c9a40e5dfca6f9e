package dev.gantry.translate;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.RouteIr.CorsIr;
import dev.gantry.ir.RouteIr.MirrorIr;
import dev.gantry.ir.RouteIr.RetryIr;
import dev.gantry.ir.RouteIr.TimeoutsIr;
import dev.gantry.ir.WeightedClusterIr;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * A route translated on its own, before it meets a listener: its validity, whether its references resolved, and
 * its rules. For HTTP-like routes the rules carry matches; a TLS, TCP or UDP route's rules send every connection to
 * their backends.
 *
 * @param route the route object
 * @param invalidReason null when the route is valid, else its Accepted=False reason
 * @param invalidMessage detail for invalidReason
 * @param refsReason null when every reference resolved, else the ResolvedRefs=False reason
 * @param refsMessage detail for refsReason
 * @param rules the translated rules that are served, in spec order
 * @param droppedMessage null when every rule is served, else the PartiallyInvalid message naming the rules that
 *     are not (the spec's "Dropped Rule" form)
 */
record RouteRules(
        HasMetadata route,
        String invalidReason,
        String invalidMessage,
        String refsReason,
        String refsMessage,
        List<RuleIr> rules,
        String droppedMessage) {

    public RouteRules {
        rules = List.copyOf(rules);
    }

    RouteRules(
            HasMetadata route,
            String invalidReason,
            String invalidMessage,
            String refsReason,
            String refsMessage,
            List<RuleIr> rules) {
        this(route, invalidReason, invalidMessage, refsReason, refsMessage, rules, null);
    }

    boolean valid() {
        return invalidReason == null;
    }

    /** A rule the route cannot serve, and why; the route's other rules are served without it. */
    record DroppedRule(int index, String name, String reason, String message) {
        /** The message, which starts with the rule's location, with the rule's name after that location if it has one. */
        String described() {
            String at = Locations.rule(index);
            if (name == null || name.isEmpty()) {
                return message.startsWith(at) ? message : at + ": " + message;
            }
            String named = at + " (name " + name + ")";
            return message.startsWith(at) ? named + message.substring(at.length()) : named + ": " + message;
        }
    }

    /** Longest PartiallyInvalid or Accepted message written; status condition messages are limited to 32768. */
    private static final int MAX_MESSAGE = 4096;

    /**
     * A route of which each rule was translated on its own. Rules that cannot be served are dropped and named in a
     * PartiallyInvalid message (the spec's "Drop Rule(s)" approach: the route stays Accepted); only when no rule is
     * left is the route invalid, with the first dropped rule's reason.
     */
    static RouteRules ofRules(
            HasMetadata route, List<RuleIr> kept, List<DroppedRule> dropped, String refsReason, String refsMessage) {
        if (dropped.isEmpty()) {
            return new RouteRules(route, null, null, refsReason, refsMessage, kept);
        }
        if (kept.isEmpty()) {
            String message =
                    dropped.size() == 1 ? dropped.getFirst().described() : "No rule is valid: " + joined(dropped);
            return new RouteRules(
                    route, dropped.getFirst().reason(), clipped(message), refsReason, refsMessage, List.of());
        }
        String message = (dropped.size() == 1 ? "Dropped Rule " : "Dropped Rules ") + joined(dropped);
        return new RouteRules(route, null, null, refsReason, refsMessage, kept, clipped(message));
    }

    private static String joined(List<DroppedRule> dropped) {
        StringBuilder text = new StringBuilder();
        for (DroppedRule rule : dropped) {
            if (!text.isEmpty()) {
                text.append("; ");
            }
            text.append(rule.described());
        }
        return text.toString();
    }

    private static String clipped(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
    }

    /**
     * One rule, ready to be placed under any listener.
     *
     * @param index position in the route's rules
     * @param matches the rule's matches, each with what its requests get (at least one; a rule without matches
     *     matches every path)
     * @param requestHeaders request header edits
     * @param responseHeaders response header edits
     * @param mirrors request mirrors
     * @param cors CORS policy or null
     * @param timeouts timeouts or null
     * @param retry retry policy or null
     */
    record RuleIr(
            int index,
            List<MatchedAction> matches,
            HeaderEditsIr requestHeaders,
            HeaderEditsIr responseHeaders,
            List<MirrorIr> mirrors,
            CorsIr cors,
            TimeoutsIr timeouts,
            RetryIr retry) {
        public RuleIr {
            matches = List.copyOf(matches);
            mirrors = List.copyOf(mirrors);
        }

        /** A layer-4 rule: every connection goes to its backends, with nothing else to apply. */
        static RuleIr backendsOnly(int index, List<WeightedClusterIr> backends) {
            return new RuleIr(
                    index,
                    List.of(new MatchedAction(EVERY_REQUEST, new ActionIr.Forward(backends, null, null))),
                    HeaderEditsIr.NONE,
                    HeaderEditsIr.NONE,
                    List.of(),
                    null,
                    null,
                    null);
        }
    }

    /** The match of a rule without matches, and of a layer-4 rule: every path. */
    static final MatchIr EVERY_REQUEST = new MatchIr(new PathMatchIr.Prefix("/"), List.of(), List.of(), null);

    /**
     * One match of a rule and what the requests it matches get. The action is the IR's, with the match's own prefix
     * in a prefix rewrite; only a redirect that sets neither port nor scheme waits for the listener: its port is
     * null here and becomes the listener's (Gateway API port defaulting).
     */
    record MatchedAction(MatchIr match, ActionIr action) {}
}
