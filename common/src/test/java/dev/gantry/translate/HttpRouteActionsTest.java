package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.ir.ActionIr;
import dev.gantry.ir.ActionIr.PathRewriteIr;
import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.MatchIr.PathMatchIr;
import dev.gantry.ir.WeightedClusterIr;
import dev.gantry.status.Reasons;
import dev.gantry.translate.RouteRules.MatchedAction;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpRouteActionsTest {

    private static final MatchIr PREFIX_A = match(new PathMatchIr.Prefix("/a"));
    private static final MatchIr PREFIX_B = match(new PathMatchIr.Prefix("/b"));
    private static final List<WeightedClusterIr> BACKENDS =
            List.of(new WeightedClusterIr("default/svc:80", 1, HeaderEditsIr.NONE, HeaderEditsIr.NONE));

    /** Port defaulting as far as the rule knows it: an empty port is the listener's, filled in by the route table. */
    @ParameterizedTest
    @CsvSource(
            nullValues = "-",
            value = {
                "-     | -    | -",
                "https | -    | 443",
                "http  | -    | 80",
                "-     | 8080 | 8080",
                "https | 8443 | 8443",
                "http  | 443  | 443"
            },
            delimiter = '|')
    void aRedirectPortIsTheExplicitOneElseTheSchemesElseLeftForTheListener(
            String scheme, Integer port, Integer expected) throws Exception {
        HTTPRequestRedirectFilter redirect = new HTTPRequestRedirectFilter();
        redirect.setScheme(scheme);
        redirect.setPort(port);

        List<MatchedAction> matched = HttpRouteActions.redirect("spec.rules[0]", redirect, List.of(PREFIX_A));

        assertEquals(
                List.of(new MatchedAction(PREFIX_A, new ActionIr.Redirect(scheme, null, null, expected, 302))),
                matched);
    }

    @Test
    void aPrefixRewriteReplacesEachMatchsOwnPrefix() throws Exception {
        HTTPURLRewriteFilter rewrite = new HTTPURLRewriteFilter();
        rewrite.setPath(pathModifier("ReplacePrefixMatch", "/x"));

        List<MatchedAction> matched =
                HttpRouteActions.forward("spec.rules[0]", BACKENDS, rewrite, List.of(PREFIX_A, PREFIX_B));

        assertEquals(
                List.of(
                        new MatchedAction(
                                PREFIX_A,
                                new ActionIr.Forward(BACKENDS, null, new PathRewriteIr.PrefixMatch("/a", "/x"))),
                        new MatchedAction(
                                PREFIX_B,
                                new ActionIr.Forward(BACKENDS, null, new PathRewriteIr.PrefixMatch("/b", "/x")))),
                matched);
    }

    @Test
    void aRedirectWithAPrefixPathReplacesEachMatchsOwnPrefix() throws Exception {
        HTTPRequestRedirectFilter redirect = new HTTPRequestRedirectFilter();
        redirect.setHostname("example.com");
        redirect.setStatusCode(301);
        redirect.setPath(pathModifier("ReplacePrefixMatch", "/x"));

        List<MatchedAction> matched = HttpRouteActions.redirect("spec.rules[0]", redirect, List.of(PREFIX_A, PREFIX_B));

        assertEquals(
                List.of(
                        new MatchedAction(
                                PREFIX_A,
                                new ActionIr.Redirect(
                                        null, "example.com", new PathRewriteIr.PrefixMatch("/a", "/x"), null, 301)),
                        new MatchedAction(
                                PREFIX_B,
                                new ActionIr.Redirect(
                                        null, "example.com", new PathRewriteIr.PrefixMatch("/b", "/x"), null, 301))),
                matched);
    }

    @Test
    void aFullPathRewriteAndAHostRewriteAreTheSameForEveryMatch() throws Exception {
        HTTPURLRewriteFilter rewrite = new HTTPURLRewriteFilter();
        rewrite.setHostname("backend.internal");
        rewrite.setPath(pathModifier("ReplaceFullPath", "/new"));
        MatchIr exact = match(new PathMatchIr.Exact("/old"));

        List<MatchedAction> matched = HttpRouteActions.forward("spec.rules[0]", BACKENDS, rewrite, List.of(exact));

        ActionIr forward = new ActionIr.Forward(BACKENDS, "backend.internal", new PathRewriteIr.FullPath("/new"));
        assertEquals(List.of(new MatchedAction(exact, forward)), matched);
    }

    @Test
    void aRuleWithoutBackendsAnswers500ToEveryMatchWhateverItsRewrite() throws Exception {
        HTTPURLRewriteFilter rewrite = new HTTPURLRewriteFilter();
        rewrite.setPath(pathModifier("ReplaceFullPath", "no slash, not looked at"));

        List<MatchedAction> matched =
                HttpRouteActions.forward("spec.rules[0]", List.of(), rewrite, List.of(PREFIX_A, PREFIX_B));

        ActionIr fixed = new ActionIr.DirectResponse(500, "");
        assertEquals(List.of(new MatchedAction(PREFIX_A, fixed), new MatchedAction(PREFIX_B, fixed)), matched);
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "-",
            value = {
                "304 | -     | -     | -                  | -      | statusCode: 304 is not 301, 302, 303, 307 or 308",
                "-   | ftp   | -     | -                  | -      | scheme: 'ftp' is not http or https",
                "-   | -     | 0     | -                  | -      | port: 0 is outside 1-65535",
                "-   | -     | 65536 | -                  | -      | port: 65536 is outside 1-65535",
                "-   | -     | -     | ReplaceFullPath    | x      | replaceFullPath must be set and start with /",
                "-   | -     | -     | ReplacePrefixMatch | -      | replacePrefixMatch must be set and start with /",
                "-   | -     | -     | ReplaceHost        | /x     | type: 'ReplaceHost' is not ReplaceFullPath",
            },
            delimiter = '|')
    void aRedirectIsRejectedWithWhatItBreaks(
            Integer status, String scheme, Integer port, String pathType, String pathValue, String problem) {
        HTTPRequestRedirectFilter redirect = new HTTPRequestRedirectFilter();
        redirect.setStatusCode(status);
        redirect.setScheme(scheme);
        redirect.setPort(port);
        if (pathType != null) {
            redirect.setPath(pathModifier(pathType, pathValue));
        }

        InvalidRoute invalid = assertThrows(
                InvalidRoute.class, () -> HttpRouteActions.redirect("spec.rules[0]", redirect, List.of(PREFIX_A)));

        assertEquals(Reasons.UNSUPPORTED_VALUE, invalid.reason);
        assertTrue(invalid.getMessage().startsWith("spec.rules[0].requestRedirect"), invalid.getMessage());
        assertTrue(invalid.getMessage().contains(problem), invalid.getMessage());
    }

    @Test
    void aPrefixRewriteNeedsEveryMatchToBeAPrefix() {
        HTTPURLRewriteFilter rewrite = new HTTPURLRewriteFilter();
        rewrite.setPath(pathModifier("ReplacePrefixMatch", "/x"));
        List<MatchIr> matches = List.of(PREFIX_A, match(new PathMatchIr.Exact("/b")));

        InvalidRoute invalid = assertThrows(
                InvalidRoute.class, () -> HttpRouteActions.forward("spec.rules[0]", BACKENDS, rewrite, matches));

        assertEquals(
                "spec.rules[0].urlRewrite.path: ReplacePrefixMatch needs every match of the rule to be a PathPrefix match",
                invalid.getMessage());
    }

    @Test
    void aRewrittenPathMayNotHoldALineBreak() {
        HTTPURLRewriteFilter rewrite = new HTTPURLRewriteFilter();
        rewrite.setPath(pathModifier("ReplaceFullPath", "/a\nb"));

        InvalidRoute invalid = assertThrows(
                InvalidRoute.class,
                () -> HttpRouteActions.forward("spec.rules[0]", BACKENDS, rewrite, List.of(PREFIX_A)));

        assertEquals("spec.rules[0].urlRewrite.path.replaceFullPath contains CR, LF or NUL", invalid.getMessage());
    }

    private static MatchIr match(PathMatchIr path) {
        return new MatchIr(path, List.of(), List.of(), null);
    }

    private static HTTPPathModifier pathModifier(String type, String value) {
        HTTPPathModifier modifier = new HTTPPathModifier();
        modifier.setType(type);
        if ("ReplacePrefixMatch".equals(type)) {
            modifier.setReplacePrefixMatch(value);
        } else {
            modifier.setReplaceFullPath(value);
        }
        return modifier;
    }
}
