package dev.gantry.translate;

import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.MatchIr;
import dev.gantry.ir.RouteIr.CorsIr;
import dev.gantry.ir.RouteIr.MirrorIr;
import dev.gantry.ir.RouteIr.RetryIr;
import dev.gantry.ir.RouteIr.TimeoutsIr;
import dev.gantry.ir.WeightedClusterIr;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * A route translated on its own, before it meets a listener: its validity, whether its references resolved, and
 * its rules. For HTTP-like routes the rules carry matches; for TLS, TCP and UDP routes only backends.
 *
 * @param route the route object
 * @param invalidReason null when the route is valid, else its Accepted=False reason
 * @param invalidMessage detail for invalidReason
 * @param refsReason null when every reference resolved, else the ResolvedRefs=False reason
 * @param refsMessage detail for refsReason
 * @param rules the translated rules, in spec order
 */
record RouteRules(HasMetadata route, String invalidReason, String invalidMessage, String refsReason,
    String refsMessage, List<RuleIr> rules) {

  public RouteRules {
    rules = List.copyOf(rules);
  }

  boolean valid() {
    return invalidReason == null;
  }

  /**
   * One rule, ready to be placed under any listener.
   *
   * @param index position in the route's rules
   * @param matches matches (at least one; a rule without matches matches every path)
   * @param action what matching requests get
   * @param requestHeaders request header edits
   * @param responseHeaders response header edits
   * @param mirrors request mirrors
   * @param cors CORS policy or null
   * @param timeouts timeouts or null
   * @param retry retry policy or null
   */
  record RuleIr(int index, List<MatchIr> matches, RuleAction action, HeaderEditsIr requestHeaders,
      HeaderEditsIr responseHeaders, List<MirrorIr> mirrors, CorsIr cors, TimeoutsIr timeouts, RetryIr retry) {
    public RuleIr {
      matches = List.copyOf(matches);
      mirrors = List.copyOf(mirrors);
    }
  }

  /** What a rule does, before listener-dependent details (redirect port and scheme) are filled in. */
  sealed interface RuleAction {
    /** Forward to weighted backends, optionally rewriting host and path. */
    record Forward(List<WeightedClusterIr> backends, String hostRewrite, PathModifier pathRewrite)
        implements RuleAction {
      public Forward {
        backends = List.copyOf(backends);
      }
    }

    /** Redirect. Null fields keep the request's value (the port follows the Gateway API's defaulting). */
    record Redirect(String scheme, String hostname, PathModifier path, Integer port, int statusCode)
        implements RuleAction {
    }

    /** A fixed response, e.g. 500 when a rule has no usable backend. */
    record Fixed(int status) implements RuleAction {
    }
  }

  /** A path modifier: replace the full path, or the prefix that matched. */
  record PathModifier(boolean fullPath, String value) {
  }
}
