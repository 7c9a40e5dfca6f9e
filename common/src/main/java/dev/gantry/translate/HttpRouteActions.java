package dev.gantry.translate;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.ActionIr.PathRewriteIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.status.Reasons;
import dev.gantry.translate.RouteRules.MatchedAction;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What the requests of each match of an HTTPRoute rule get: the rule's RequestRedirect, or its backends with its
 * URLRewrite, or 500 when it has no backend to forward to.
 */
final class HttpRouteActions {

    private static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);

    private HttpRouteActions() {}

    /**
     * Forwards to the rule's backends, rewritten as its URLRewrite says, or answers 500 when no backend has weight
     * (the rewrite of such a rule is not looked at).
     *
     * @param rewrite the rule's URLRewrite, or null
     */
    static List<MatchedAction> forward(
            String where, List<WeightedClusterIr> weighted, HTTPURLRewriteFilter rewrite, List<MatchIr> matches)
            throws InvalidRoute {
        if (weighted.isEmpty()) {
            return eachMatch(matches, null, path -> new ActionIr.DirectResponse(500, ""));
        }
        String hostRewrite = null;
        HTTPPathModifier pathRewrite = null;
        if (rewrite != null) {
            if (rewrite.getHostname() != null) {
                String problem = Hostnames.problem(rewrite.getHostname(), false);
                if (problem != null) {
                    throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, where + ": urlRewrite.hostname: " + problem);
                }
                hostRewrite = rewrite.getHostname();
            }
            pathRewrite = checkPathModifier(where + ".urlRewrite.path", rewrite.getPath(), matches);
        }
        String host = hostRewrite;
        return eachMatch(matches, pathRewrite, path -> new ActionIr.Forward(weighted, host, path));
    }

    /** Answers with the rule's RequestRedirect. */
    static List<MatchedAction> redirect(String where, HTTPRequestRedirectFilter redirect, List<MatchIr> matches)
            throws InvalidRoute {
        int status = redirect.getStatusCode() == null ? 302 : redirect.getStatusCode();
        if (!REDIRECT_CODES.contains(status)) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE,
                    where + ".requestRedirect.statusCode: " + status + " is not 301, 302, 303, 307 or 308");
        }
        String scheme = redirect.getScheme();
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE,
                    where + ".requestRedirect.scheme: '" + scheme + "' is not http or https");
        }
        Integer port = redirect.getPort();
        if (port != null && (port < 1 || port > 65535)) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE, where + ".requestRedirect.port: " + port + " is outside 1-65535");
        }
        if (redirect.getHostname() != null) {
            String problem = Hostnames.problem(redirect.getHostname(), false);
            if (problem != null) {
                throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, where + ".requestRedirect.hostname: " + problem);
            }
        }
        HTTPPathModifier path = checkPathModifier(where + ".requestRedirect.path", redirect.getPath(), matches);
        // Gateway API port defaulting: an explicit port wins, else a changed scheme brings its well-known port;
        // else the listener's port, which only the route table knows.
        Integer defaulted = port != null ? port : scheme == null ? null : "https".equals(scheme) ? 443 : 80;
        String hostname = redirect.getHostname();
        return eachMatch(matches, path, rewrite -> new ActionIr.Redirect(scheme, hostname, rewrite, defaulted, status));
    }

    /**
     * Each match with its action. The matches share one action unless a ReplacePrefixMatch names each match's own
     * prefix.
     *
     * @param path a checked path modifier, or null
     * @param action the action with a given path rewrite (null when there is none)
     */
    private static List<MatchedAction> eachMatch(
            List<MatchIr> matches, HTTPPathModifier path, Function<PathRewriteIr, ActionIr> action) {
        List<MatchedAction> result = new ArrayList<>(matches.size());
        if (path != null && "ReplacePrefixMatch".equals(path.getType())) {
            for (MatchIr match : matches) {
                PathRewriteIr rewrite =
                        new PathRewriteIr.PrefixMatch(match.path().value(), path.getReplacePrefixMatch());
                result.add(new MatchedAction(match, action.apply(rewrite)));
            }
            return result;
        }
        ActionIr shared = action.apply(path == null ? null : new PathRewriteIr.FullPath(path.getReplaceFullPath()));
        for (MatchIr match : matches) {
            result.add(new MatchedAction(match, shared));
        }
        return result;
    }

    /** Returns the modifier once it is known to be one Envoy can apply to every match of the rule. */
    private static HTTPPathModifier checkPathModifier(String at, HTTPPathModifier modifier, List<MatchIr> matches)
            throws InvalidRoute {
        if (modifier == null) {
            return null;
        }
        String type = modifier.getType() == null ? "" : modifier.getType();
        switch (type) {
            case "ReplaceFullPath" -> {
                String value = modifier.getReplaceFullPath();
                if (value == null || !value.startsWith("/")) {
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE, at + ".replaceFullPath must be set and start with /");
                }
                checkNoLineBreak(at + ".replaceFullPath", value);
            }
            case "ReplacePrefixMatch" -> {
                String value = modifier.getReplacePrefixMatch();
                if (value == null || !value.startsWith("/")) {
                    throw new InvalidRoute(
                            Reasons.UNSUPPORTED_VALUE, at + ".replacePrefixMatch must be set and start with /");
                }
                checkNoLineBreak(at + ".replacePrefixMatch", value);
                for (MatchIr match : matches) {
                    if (!(match.path() instanceof PathMatchIr.Prefix)) {
                        throw new InvalidRoute(
                                Reasons.UNSUPPORTED_VALUE,
                                at + ": ReplacePrefixMatch needs every match of the rule to be a PathPrefix match");
                    }
                }
            }
            default ->
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        at + ".type: '" + type + "' is not ReplaceFullPath or ReplacePrefixMatch");
        }
        return modifier;
    }

    /** The CRD bounds only the length of a path modifier; Envoy takes no CR, LF or NUL in a path it writes. */
    private static void checkNoLineBreak(String at, String value) throws InvalidRoute {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, at + " contains CR, LF or NUL");
        }
    }
}
