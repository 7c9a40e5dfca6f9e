package dev.gantry.translate;

import dev.gantry.ir.RouteIr.RetryIr;
import dev.gantry.ir.RouteIr.TimeoutsIr;
import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An HTTPRoute rule's timeouts and retry policy, checked and parsed. */
final class HttpRouteTimeoutsAndRetry {

    private HttpRouteTimeoutsAndRetry() {}

    /** The rule's timeouts, or null when it sets none; backendRequest may not outlast request. */
    static TimeoutsIr timeouts(String where, HTTPRouteTimeouts timeouts) throws InvalidRoute {
        if (timeouts == null || (timeouts.getRequest() == null && timeouts.getBackendRequest() == null)) {
            return null;
        }
        Duration request = duration(where + ".timeouts.request", timeouts.getRequest());
        Duration backend = duration(where + ".timeouts.backendRequest", timeouts.getBackendRequest());
        if (request != null
                && backend != null
                && !request.isZero()
                && (backend.isZero() || backend.compareTo(request) > 0)) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE, where + ".timeouts: backendRequest must not be longer than request");
        }
        return new TimeoutsIr(request, backend);
    }

    private static Duration duration(String at, String text) throws InvalidRoute {
        if (text == null) {
            return null;
        }
        Duration parsed = Durations.parse(text);
        if (parsed == null) {
            throw new InvalidRoute(
                    Reasons.UNSUPPORTED_VALUE, at + ": '" + text + "' is not a duration like 10s or 1m30s");
        }
        return parsed;
    }

    /** The rule's retry policy, or null; one attempt when unset, codes unique within 400-599. */
    static RetryIr retry(String where, HTTPRouteRetry retry) throws InvalidRoute {
        if (retry == null) {
            return null;
        }
        int attempts = retry.getAttempts() == null ? 1 : retry.getAttempts();
        if (attempts < 0) {
            throw new InvalidRoute(Reasons.UNSUPPORTED_VALUE, where + ".retry.attempts must not be negative");
        }
        List<Integer> codes = retry.getCodes() == null ? List.of() : retry.getCodes();
        Set<Integer> unique = new HashSet<>();
        for (Integer code : codes) {
            if (code == null || code < 400 || code > 599 || !unique.add(code)) {
                throw new InvalidRoute(
                        Reasons.UNSUPPORTED_VALUE,
                        where + ".retry.codes: " + code + " is not a unique status code within 400-599");
            }
        }
        return new RetryIr(attempts, codes, duration(where + ".retry.backoff", retry.getBackoff()));
    }
}
