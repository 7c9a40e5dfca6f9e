package dev.gantry.ir;

import java.time.Duration;
import java.util.List;

/**
 * One routing decision: a match and what to do with matching requests.
 *
 * @param name stable name derived from the source route, rule and match
 * @param match request match
 * @param action forward, redirect or direct response
 * @param requestHeaders header edits applied to the request before it is forwarded
 * @param responseHeaders header edits applied to the response
 * @param mirrors request mirrors
 * @param cors CORS policy, or null
 * @param timeouts timeouts, or null for Envoy's defaults
 * @param retry retry policy, or null for none
 */
public record RouteIr(
        String name,
        MatchIr match,
        ActionIr action,
        HeaderEditsIr requestHeaders,
        HeaderEditsIr responseHeaders,
        List<MirrorIr> mirrors,
        CorsIr cors,
        TimeoutsIr timeouts,
        RetryIr retry) {

    public RouteIr {
        mirrors = List.copyOf(mirrors);
    }

    /**
     * Mirrors a share of requests to another cluster.
     *
     * @param cluster cluster name
     * @param numerator share numerator
     * @param denominator share denominator (numerator/denominator of requests are mirrored)
     */
    public record MirrorIr(String cluster, int numerator, int denominator) {}

    /** Request and per-try timeouts; either may be null (unset). */
    public record TimeoutsIr(Duration request, Duration backendRequest) {}

    /**
     * Retry policy.
     *
     * @param attempts number of retries
     * @param codes HTTP status codes that trigger a retry
     * @param backoff base backoff, or null
     */
    public record RetryIr(int attempts, List<Integer> codes, Duration backoff) {
        public RetryIr {
            codes = List.copyOf(codes);
        }
    }

    /** CORS policy. Origins are exact strings or patterns with {@code *}. */
    public record CorsIr(
            List<String> allowOrigins,
            List<String> allowMethods,
            List<String> allowHeaders,
            List<String> exposeHeaders,
            Integer maxAgeSeconds,
            boolean allowCredentials) {
        public CorsIr {
            allowOrigins = List.copyOf(allowOrigins);
            allowMethods = List.copyOf(allowMethods);
            allowHeaders = List.copyOf(allowHeaders);
            exposeHeaders = List.copyOf(exposeHeaders);
        }
    }
}
