package dev.gantry.controller.conformance;

import static dev.gantry.controller.conformance.Checks.isFalse;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;

/** The HTTPRoute tests of INDEX.md; none runs in parallel upstream. */
class HTTPRouteConformanceTest extends ConformanceBase {

    private static final ObjectKey SAME_NAMESPACE = infra("same-namespace");
    private static final ObjectKey HTTPS_GATEWAY = infra("same-namespace-with-https-listener");

    /** ACC-HTTP(gateway; routes), then RR for each route. */
    private static void acceptedWithResolvedRefs(ConformanceRun t, ObjectKey gateway, ObjectKey... routes) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, gateway, routes);
        for (ObjectKey route : routes) {
            t.httpRouteMustHaveResolvedRefsTrue(route, gateway);
        }
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRoute303RedirectStatusCode"},
            provisional = true,
            manifests = "httproute-303-redirect.yaml")
    void HTTPRoute303Redirect(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("303-redirect"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRoute307RedirectStatusCode"},
            provisional = true,
            manifests = "httproute-307-redirect.yaml")
    void HTTPRoute307Redirect(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("307-redirect"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRoute308RedirectStatusCode"},
            provisional = true,
            manifests = "httproute-308-redirect.yaml")
    void HTTPRoute308Redirect(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("308-redirect"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteBackendProtocolH2C"},
            manifests = "httproute-backend-protocol-h2c.yaml")
    void HTTPRouteBackendProtocolH2C(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, infra("backend-protocol-h2c"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteBackendProtocolWebSocket"},
            manifests = "httproute-backend-protocol-websocket.yaml")
    void HTTPRouteBackendProtocolWebSocket(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, infra("backend-protocol-ws"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteCORS"},
            manifests = "httproute-cors.yaml")
    void HTTPRouteCORS(ConformanceRun t) {
        acceptedWithResolvedRefs(
                t,
                SAME_NAMESPACE,
                infra("cors-multiple-origins-methods-headers"),
                infra("cors-wildcard-methods"),
                infra("cors-wildcard-origin"),
                infra("cors-wildcard-methods-headers"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-cross-namespace.yaml")
    void HTTPRouteCrossNamespace(ConformanceRun t) {
        acceptedWithResolvedRefs(t, infra("backend-namespaces"), key(WEB_BACKEND, "cross-namespace"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-exact-path-matching.yaml")
    void HTTPRouteExactPathMatching(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("exact-matching"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-header-matching.yaml")
    void HTTPRouteHeaderMatching(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("header-matching"));
    }

    @ConformanceTest(
            features = {"GatewayHTTPSListenerDetectMisdirectedRequests", "HTTPRoute"},
            manifests = "httproute-https-listener-detect-misdirected-requests.yaml")
    void HTTPRouteHTTPSListenerDetectMisdirectedRequests(ConformanceRun t) {
        acceptedWithResolvedRefs(
                t,
                HTTPS_GATEWAY,
                infra("https-listener-detect-misdirected-requests-test-1"),
                infra("https-listener-detect-misdirected-requests-test-2"),
                infra("https-listener-detect-misdirected-requests-test-3"),
                infra("https-listener-detect-misdirected-requests-test-4"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-https-listener.yaml")
    void HTTPRouteHTTPSListener(ConformanceRun t) {
        acceptedWithResolvedRefs(
                t, HTTPS_GATEWAY, infra("httproute-https-test"), infra("httproute-https-test-no-hostname"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-invalid-backendref-unknown-kind.yaml")
    void HTTPRouteInvalidBackendRefUnknownKind(ConformanceRun t) {
        ObjectKey route = infra("invalid-backend-ref-unknown-kind");
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, route);
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, route, SAME_NAMESPACE, isFalse("ResolvedRefs", "InvalidKind"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-invalid-cross-namespace-parent-ref.yaml")
    void HTTPRouteInvalidCrossNamespaceParentRef(ConformanceRun t) {
        ObjectKey route = key(WEB_BACKEND, "invalid-cross-namespace-parent-ref");
        t.httpRouteMustHaveResolvedRefsTrue(route, SAME_NAMESPACE);
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, route, SAME_NAMESPACE, isFalse("Accepted", "NotAllowedByListeners"));
        t.routeMustHaveNoAcceptedParents(Kinds.HTTP_ROUTE, route);
        t.gatewayMustHaveZeroRoutes(SAME_NAMESPACE);
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-invalid-nonexistent-backendref.yaml")
    void HTTPRouteInvalidNonExistentBackendRef(ConformanceRun t) {
        ObjectKey route = infra("invalid-nonexistent-backend-ref");
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, route);
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, route, SAME_NAMESPACE, isFalse("ResolvedRefs", "BackendNotFound"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteDestinationPortMatching"},
            manifests = "httproute-invalid-parentref-not-matching-listener-port.yaml")
    void HTTPRouteInvalidParentRefNotMatchingListenerPort(ConformanceRun t) {
        ObjectKey route = infra("httproute-listener-not-matching-route-port");
        t.httpRouteMustHaveResolvedRefsTrue(route, SAME_NAMESPACE);
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, route, SAME_NAMESPACE, isFalse("Accepted", "NoMatchingParent"));
        t.routeMustHaveNoAcceptedParents(Kinds.HTTP_ROUTE, route);
        t.gatewayMustHaveZeroRoutes(SAME_NAMESPACE);
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-invalid-parentref-not-matching-section-name.yaml")
    void HTTPRouteInvalidParentRefNotMatchingSectionName(ConformanceRun t) {
        ObjectKey route = infra("httproute-listener-not-matching-section-name");
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, route, SAME_NAMESPACE, isFalse("Accepted", "NoMatchingParent"));
        t.routeMustHaveNoAcceptedParents(Kinds.HTTP_ROUTE, route);
        t.gatewayMustHaveZeroRoutes(SAME_NAMESPACE);
    }

    @ConformanceTest(
            features = {"HTTPRoute", "ReferenceGrant"},
            manifests = "httproute-invalid-reference-grant.yaml")
    void HTTPRouteInvalidReferenceGrant(ConformanceRun t) {
        ObjectKey route = infra("reference-grant");
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, route);
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, route, SAME_NAMESPACE, isFalse("ResolvedRefs", "RefNotPermitted"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-listener-hostname-matching.yaml")
    void HTTPRouteListenerHostnameMatching(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        acceptedWithResolvedRefs(
                t,
                infra("httproute-listener-hostname-matching"),
                infra("backend-v1"),
                infra("backend-v2"),
                infra("backend-v3"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteParentRefPort"},
            manifests = "httproute-listener-port-matching.yaml")
    void HTTPRouteListenerPortMatching(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        acceptedWithResolvedRefs(
                t,
                infra("httproute-listener-port-matching"),
                infra("backend-v1"),
                infra("backend-v2"),
                infra("backend-v3"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-matching.yaml")
    void HTTPRouteMatching(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("matching"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteMethodMatching"},
            manifests = "httproute-method-matching.yaml")
    void HTTPRouteMethodMatching(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("method-matching"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteNamedRouteRule"},
            provisional = true,
            manifests = "httproute-named-rule.yaml")
    void HTTPRouteNamedRule(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("http-named-rules"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-omitted-backendrefs.yaml")
    void HTTPRouteNoBackendRefs(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("omitted-backendrefs"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-path-match-order.yaml")
    void HTTPRoutePathMatchOrder(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("path-matching-order"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteQueryParamMatching"},
            manifests = "httproute-query-param-matching.yaml")
    void HTTPRouteQueryParamMatching(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("query-param-matching"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-redirect-host-and-status.yaml")
    void HTTPRouteRedirectHostAndStatus(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("redirect-host-and-status"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRoutePathRedirect"},
            manifests = "httproute-redirect-path.yaml")
    void HTTPRouteRedirectPath(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("redirect-path"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRoutePortRedirect", "GatewayPort8080"},
            manifests = "httproute-redirect-port-and-scheme.yaml")
    void HTTPRouteRedirectPortAndScheme(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("http-route-for-listener-on-port-80"));
        acceptedWithResolvedRefs(
                t, infra("same-namespace-with-http-listener-on-8080"), infra("http-route-for-listener-on-port-8080"));
        acceptedWithResolvedRefs(t, HTTPS_GATEWAY, infra("http-route-for-listener-on-port-443"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRoutePortRedirect"},
            manifests = "httproute-redirect-port.yaml")
    void HTTPRouteRedirectPort(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("redirect-port"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteSchemeRedirect"},
            manifests = "httproute-redirect-scheme.yaml")
    void HTTPRouteRedirectScheme(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("redirect-scheme"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "ReferenceGrant"},
            manifests = "httproute-reference-grant.yaml")
    void HTTPRouteReferenceGrant(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("reference-grant"));
    }

    @ConformanceTest(
            features = {"HTTPRouteBackendRequestHeaderModification", "HTTPRoute"},
            manifests = "httproute-request-header-modifier-backend-weights.yaml")
    void HTTPRouteRequestHeaderModifierBackendWeights(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("request-header-modifier-backend-weights"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteBackendRequestHeaderModification"},
            manifests = "httproute-request-header-modifier-backend.yaml")
    void HTTPRouteBackendRequestHeaderModifier(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("request-header-modifier"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-request-header-modifier.yaml")
    void HTTPRouteRequestHeaderModifier(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("request-header-modifier"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteRequestMirror"},
            manifests = "httproute-request-mirror.yaml")
    void HTTPRouteRequestMirror(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, infra("request-mirror"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteRequestMirror", "HTTPRouteRequestMultipleMirrors"},
            manifests = "httproute-request-multiple-mirrors.yaml")
    void HTTPRouteRequestMultipleMirrors(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, SAME_NAMESPACE, infra("request-multiple-mirrors"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteRequestPercentageMirror"},
            provisional = true,
            manifests = "httproute-request-percentage-mirror.yaml")
    void HTTPRouteRequestPercentageMirror(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("request-percentage-mirror"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteResponseHeaderModification"},
            manifests = "httproute-response-header-modifier.yaml")
    void HTTPRouteResponseHeaderModifier(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("response-header-modifier"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteRetry"},
            manifests = "httproute-retry.yaml")
    void HTTPRouteRetry(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("retries"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteHostRewrite"},
            manifests = "httproute-rewrite-host.yaml")
    void HTTPRouteRewriteHost(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("rewrite-host"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRoutePathRewrite"},
            manifests = "httproute-rewrite-path.yaml")
    void HTTPRouteRewritePath(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("rewrite-path"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-service-types.yaml")
    void HTTPRouteServiceTypes(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("service-types"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-simple-same-namespace.yaml")
    void HTTPRouteSimpleSameNamespace(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("gateway-conformance-infra-test"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteBackendTimeout"},
            manifests = "httproute-timeout-backend-request.yaml")
    void HTTPRouteTimeoutBackendRequest(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("backend-request-timeout"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "HTTPRouteRequestTimeout"},
            manifests = "httproute-timeout-request.yaml")
    void HTTPRouteTimeoutRequest(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("request-timeout"));
    }

    @ConformanceTest(features = "HTTPRoute", manifests = "httproute-weight.yaml")
    void HTTPRouteWeight(ConformanceRun t) {
        acceptedWithResolvedRefs(t, SAME_NAMESPACE, infra("weighted-backends"));
    }
}
