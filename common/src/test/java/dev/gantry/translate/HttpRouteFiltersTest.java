package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gantry.ir.HeaderEditsIr;
import dev.gantry.ir.HeaderEditsIr.HeaderIr;
import dev.gantry.ir.RouteIr.CorsIr;
import dev.gantry.status.Reasons;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPCORSFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HttpRouteFiltersTest {

    private final BackendResolver backends = new BackendResolver(ClusterStore.of(List.of()));

    @Test
    void headerModifiersAndCorsBecomeTheirIr() throws Exception {
        HTTPCORSFilter cors = new HTTPCORSFilter();
        cors.setAllowOrigins(List.of("https://app.example.com"));
        cors.setAllowMethods(List.of("GET", "*"));

        HttpRouteFilters filters = of(List.of(
                requestHeaders(headers(List.of(new HTTPHeader("X-Set", "1")), List.of(new HTTPHeader("X-Add", "2")))),
                responseHeaders(removing("X-Internal")),
                cors(cors)));

        assertEquals(
                new HeaderEditsIr(List.of(new HeaderIr("X-Set", "1")), List.of(new HeaderIr("X-Add", "2")), List.of()),
                filters.requestHeaders());
        assertEquals(new HeaderEditsIr(List.of(), List.of(), List.of("X-Internal")), filters.responseHeaders());
        assertEquals(
                new CorsIr(List.of("https://app.example.com"), List.of("GET", "*"), List.of(), List.of(), 5, false),
                filters.cors());
        assertEquals(List.of(), filters.mirrors());
        assertNull(filters.redirect());
        assertNull(filters.rewrite());
    }

    @Test
    void noFiltersIsNoEdits() throws Exception {
        HttpRouteFilters filters = of(null);

        assertSame(HeaderEditsIr.NONE, filters.requestHeaders());
        assertSame(HeaderEditsIr.NONE, filters.responseHeaders());
        assertNull(filters.cors());
    }

    static Stream<Arguments> rejected() {
        HTTPCORSFilter badMethod = new HTTPCORSFilter();
        badMethod.setAllowMethods(List.of("FETCH"));
        HTTPCORSFilter badOrigin = new HTTPCORSFilter();
        badOrigin.setAllowOrigins(List.of("https://a.example.com https://b.example.com"));
        HTTPCORSFilter negativeMaxAge = new HTTPCORSFilter();
        negativeMaxAge.setMaxAge(-1);
        HTTPRouteFilter redirect = filter("RequestRedirect");
        redirect.setRequestRedirect(new HTTPRequestRedirectFilter());
        HTTPRouteFilter rewrite = filter("URLRewrite");
        rewrite.setUrlRewrite(new HTTPURLRewriteFilter());
        return Stream.of(
                Arguments.of(
                        List.of(requestHeaders(removing("a")), requestHeaders(removing("b"))),
                        Reasons.INCOMPATIBLE_FILTERS,
                        "spec.rules[0].filters[1]: filter RequestHeaderModifier appears more than once"),
                Arguments.of(
                        List.of(redirect, rewrite),
                        Reasons.INCOMPATIBLE_FILTERS,
                        "spec.rules[0]: RequestRedirect and URLRewrite cannot be used in the same rule"),
                Arguments.of(
                        List.of(filter("ExtensionRef")),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0]: ExtensionRef filters are not supported by Gantry"),
                Arguments.of(
                        List.of(filter("Compress")),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0]: unknown filter type 'Compress'"),
                Arguments.of(
                        List.of(filter("RequestRedirect")),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0]: requestRedirect must be set for this filter type"),
                Arguments.of(
                        List.of(filter("RequestHeaderModifier")),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0]: header modifier settings are missing"),
                Arguments.of(
                        List.of(requestHeaders(
                                headers(List.of(new HTTPHeader("X-A", "1"), new HTTPHeader("x-a", "2")), List.of()))),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0].set: header 'x-a' appears twice"),
                Arguments.of(
                        List.of(responseHeaders(headers(List.of(), List.of(new HTTPHeader("X-A", "1\r\n2"))))),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0].add: value of header 'X-A' contains CR, LF or NUL"),
                Arguments.of(
                        List.of(responseHeaders(removing("X A"))),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0].remove: 'X A' is not a valid header name"),
                Arguments.of(
                        List.of(cors(badMethod)),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0]: allowMethods entry 'FETCH' is not an HTTP method"),
                Arguments.of(
                        List.of(cors(badOrigin)),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0]: allowOrigins entry 'https://a.example.com https://b.example.com'"
                                + " is invalid"),
                Arguments.of(
                        List.of(cors(negativeMaxAge)),
                        Reasons.UNSUPPORTED_VALUE,
                        "spec.rules[0].filters[0]: maxAge must not be negative"));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void filtersAreRejectedWithWhatTheyBreak(List<HTTPRouteFilter> filters, String reason, String message) {
        InvalidRoute invalid = assertThrows(InvalidRoute.class, () -> of(filters));

        assertEquals(reason, invalid.reason);
        assertEquals(message, invalid.getMessage());
    }

    private HttpRouteFilters of(List<HTTPRouteFilter> filters) throws InvalidRoute {
        return HttpRouteFilters.of("spec.rules[0]", filters, "team", backends, new RefsTracker());
    }

    private static HTTPRouteFilter filter(String type) {
        HTTPRouteFilter filter = new HTTPRouteFilter();
        filter.setType(type);
        return filter;
    }

    private static HTTPRouteFilter requestHeaders(HTTPHeaderFilter edits) {
        HTTPRouteFilter filter = filter("RequestHeaderModifier");
        filter.setRequestHeaderModifier(edits);
        return filter;
    }

    private static HTTPRouteFilter responseHeaders(HTTPHeaderFilter edits) {
        HTTPRouteFilter filter = filter("ResponseHeaderModifier");
        filter.setResponseHeaderModifier(edits);
        return filter;
    }

    private static HTTPRouteFilter cors(HTTPCORSFilter cors) {
        HTTPRouteFilter filter = filter("CORS");
        filter.setCors(cors);
        return filter;
    }

    private static HTTPHeaderFilter headers(List<HTTPHeader> set, List<HTTPHeader> add) {
        HTTPHeaderFilter edits = new HTTPHeaderFilter();
        edits.setSet(set);
        edits.setAdd(add);
        return edits;
    }

    private static HTTPHeaderFilter removing(String name) {
        HTTPHeaderFilter edits = new HTTPHeaderFilter();
        edits.setRemove(List.of(name));
        return edits;
    }
}
