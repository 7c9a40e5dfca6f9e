package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.ir.RouteIr.RetryIr;
import dev.gantry.ir.RouteIr.TimeoutsIr;
import dev.gantry.status.Reasons;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRetry;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpRouteTimeoutsAndRetryTest {

    @ParameterizedTest
    @CsvSource(
            nullValues = "-",
            delimiter = '|',
            value = {
                "10s  | -   | PT10S | -",
                "-    | 5s  | -     | PT5S",
                "10s  | 5s  | PT10S | PT5S",
                "10s  | 10s | PT10S | PT10S",
                "1m30s| 90s | PT1M30S | PT1M30S",
                "0s   | 1h  | PT0S  | PT1H",
                "0s   | 0s  | PT0S  | PT0S"
            })
    void timeoutsWithinTheirBoundsAreParsed(
            String request, String backend, Duration expectRequest, Duration expectBackend) throws Exception {
        assertEquals(
                new TimeoutsIr(expectRequest, expectBackend),
                HttpRouteTimeoutsAndRetry.timeouts("spec.rules[0]", timeouts(request, backend)));
    }

    @Test
    void noTimeoutsIsNull() throws Exception {
        assertNull(HttpRouteTimeoutsAndRetry.timeouts("spec.rules[0]", null));
        assertNull(HttpRouteTimeoutsAndRetry.timeouts("spec.rules[0]", timeouts(null, null)));
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "-",
            delimiter = '|',
            value = {
                "5s  | 10s | spec.rules[0].timeouts: backendRequest must not be longer than request",
                "10s | 0s  | spec.rules[0].timeouts: backendRequest must not be longer than request",
                "ten | -   | spec.rules[0].timeouts.request: 'ten' is not a duration like 10s or 1m30s",
                "-   | 1d  | spec.rules[0].timeouts.backendRequest: '1d' is not a duration like 10s or 1m30s"
            })
    void timeoutsOutsideTheirBoundsAreRejected(String request, String backend, String message) {
        InvalidRoute invalid = assertThrows(
                InvalidRoute.class,
                () -> HttpRouteTimeoutsAndRetry.timeouts("spec.rules[0]", timeouts(request, backend)));
        assertEquals(Reasons.UNSUPPORTED_VALUE, invalid.reason);
        assertEquals(message, invalid.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "-",
            delimiter = '|',
            value = {
                "-  | -           | -   | 1 | ''          | -",
                "3  | 500 503     | 1s  | 3 | 500 503     | PT1S",
                "0  | 429         | -   | 0 | 429         | -",
                "2  | 400 599     | 0s  | 2 | 400 599     | PT0S"
            })
    void retriesWithinTheirBoundsAreParsed(
            Integer attempts,
            String codes,
            String backoff,
            int expectAttempts,
            String expectCodes,
            Duration expectBackoff)
            throws Exception {
        assertEquals(
                new RetryIr(expectAttempts, codes(expectCodes), expectBackoff),
                HttpRouteTimeoutsAndRetry.retry("spec.rules[0]", retry(attempts, codes, backoff)));
    }

    @Test
    void noRetryIsNull() throws Exception {
        assertNull(HttpRouteTimeoutsAndRetry.retry("spec.rules[0]", null));
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "-",
            delimiter = '|',
            value = {
                "-1 | -       | -    | spec.rules[0].retry.attempts must not be negative",
                "1  | 399     | -    | spec.rules[0].retry.codes: 399 is not a unique status code within 400-599",
                "1  | 600     | -    | spec.rules[0].retry.codes: 600 is not a unique status code within 400-599",
                "1  | 503 503 | -    | spec.rules[0].retry.codes: 503 is not a unique status code within 400-599",
                "1  | -       | soon | spec.rules[0].retry.backoff: 'soon' is not a duration like 10s or 1m30s"
            })
    void retriesOutsideTheirBoundsAreRejected(Integer attempts, String codes, String backoff, String message) {
        InvalidRoute invalid = assertThrows(
                InvalidRoute.class,
                () -> HttpRouteTimeoutsAndRetry.retry("spec.rules[0]", retry(attempts, codes, backoff)));
        assertEquals(Reasons.UNSUPPORTED_VALUE, invalid.reason);
        assertEquals(message, invalid.getMessage());
    }

    private static HTTPRouteTimeouts timeouts(String request, String backend) {
        HTTPRouteTimeouts timeouts = new HTTPRouteTimeouts();
        timeouts.setRequest(request);
        timeouts.setBackendRequest(backend);
        return timeouts;
    }

    private static HTTPRouteRetry retry(Integer attempts, String codes, String backoff) {
        HTTPRouteRetry retry = new HTTPRouteRetry();
        retry.setAttempts(attempts);
        retry.setCodes(codes == null ? null : codes(codes));
        retry.setBackoff(backoff);
        return retry;
    }

    private static List<Integer> codes(String spaced) {
        return spaced.isEmpty()
                ? List.of()
                : Arrays.stream(spaced.split(" ")).map(Integer::valueOf).toList();
    }
}
