package dev.gantry.controller.conformance;

import static dev.gantry.controller.conformance.Checks.isFalse;
import static dev.gantry.controller.conformance.Checks.isTrue;
import static dev.gantry.controller.conformance.Checks.listener;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import java.util.Map;

/** The TLSRoute tests of INDEX.md; none runs in parallel upstream. */
class TLSRouteConformanceTest extends ConformanceBase {

    private static void resolvedRefs(ConformanceRun t, ObjectKey route, ObjectKey gateway) {
        t.routeMustHaveCondition(Kinds.TLS_ROUTE, route, gateway, isTrue("ResolvedRefs", "ResolvedRefs"));
    }

    @ConformanceTest(features = "TLSRoute", manifests = "tlsroute-hostname-intersection.yaml")
    void TLSRouteHostnameIntersection(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        Map<String, String[]> routesByGateway = Map.of(
                "gw-tlsroute-exact-hostname-x-1",
                new String[] {"tlsroute-more-specific-wc-hostname-x-1"},
                "gw-tlsroute-more-specific-wc-hostname-x-2",
                new String[] {"tlsroute-exact-hostname-x-2", "tlsroute-less-specific-wc-hostname-x-2"},
                "gw-tlsroute-less-specific-wc-hostname-x-3",
                new String[] {"tlsroute-exact-hostname-x-3", "tlsroute-more-specific-wc-hostname-x-3"},
                "gw-tlsroute-empty-hostname-x-4",
                new String[] {"tlsroute-exact-hostname-x-4", "tlsroute-less-specific-wc-hostname-x-4"});
        routesByGateway.forEach((gateway, routes) -> {
            ObjectKey gw = infra(gateway);
            for (String route : routes) {
                t.gatewayAndTlsRoutesMustBeAccepted(gw, infra(route));
                resolvedRefs(t, infra(route), gw);
            }
        });
    }

    @ConformanceTest(features = "TLSRoute", manifests = "tlsroute-invalid-backendref-nonexistent.yaml")
    void TLSRouteInvalidBackendRefNonexistent(ConformanceRun t) {
        ObjectKey gw = infra("gateway-tlsroute-invalid-backend-ref-nonexistent");
        ObjectKey route = infra("invalid-backend-ref-nonexistent");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndTlsRoutesMustBeAccepted(gw, route);
        t.routeMustHaveCondition(Kinds.TLS_ROUTE, route, gw, isFalse("ResolvedRefs", "BackendNotFound"));
    }

    @ConformanceTest(features = "TLSRoute", manifests = "tlsroute-invalid-backendref-unknown-kind.yaml")
    void TLSRouteInvalidBackendRefUnknownKind(ConformanceRun t) {
        ObjectKey gw = infra("gateway-tlsroute-invalid-backend-ref-unknown-kind");
        ObjectKey route = infra("invalid-backend-ref-unknown-kind");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndTlsRoutesMustBeAccepted(gw, route);
        t.routeMustHaveCondition(Kinds.TLS_ROUTE, route, gw, isFalse("ResolvedRefs", "InvalidKind"));
    }

    @ConformanceTest(features = "TLSRoute", manifests = "tlsroute-invalid-no-matching-listener.yaml")
    void TLSRouteInvalidNoMatchingListener(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        ObjectKey httpOnly = infra("gateway-tlsroute-http-only");
        ObjectKey httpsOnly = infra("gateway-tlsroute-https-only");
        ObjectKey passthrough = infra("gateway-tlsroute-tls-passthrough-only");
        ObjectKey toHttp = infra("tlsroute-not-allowed-protocol-http");
        ObjectKey toHttps = infra("tlsroute-not-allowed-protocol-https");
        ObjectKey noSection = infra("tlsroute-no-matching-section-name");
        t.routeMustHaveCondition(Kinds.TLS_ROUTE, toHttp, httpOnly, isFalse("Accepted", "NotAllowedByListeners"));
        t.routeMustHaveCondition(Kinds.TLS_ROUTE, toHttps, httpsOnly, isFalse("Accepted", "NotAllowedByListeners"));
        t.routeMustHaveCondition(Kinds.TLS_ROUTE, noSection, passthrough, isFalse("Accepted", "NoMatchingParent"));
        t.routeMustHaveNoAcceptedParents(Kinds.TLS_ROUTE, toHttp);
        t.routeMustHaveNoAcceptedParents(Kinds.TLS_ROUTE, toHttps);
        t.routeMustHaveNoAcceptedParents(Kinds.TLS_ROUTE, noSection);
        t.gatewayMustHaveZeroRoutes(httpOnly);
        t.gatewayMustHaveZeroRoutes(httpsOnly);
    }

    @ConformanceTest(
            features = {"TLSRoute", "ReferenceGrant"},
            manifests = "tlsroute-invalid-reference-grant.yaml")
    void TLSRouteInvalidReferenceGrant(ConformanceRun t) {
        ObjectKey gw = infra("gateway-tlsroute-referencegrant");
        ObjectKey route = infra("gateway-conformance-infra-test");
        t.gatewayAndTlsRoutesMustBeAccepted(gw, route);
        t.routeMustHaveCondition(Kinds.TLS_ROUTE, route, gw, isFalse("ResolvedRefs", "RefNotPermitted"));
    }

    @ConformanceTest(
            features = {"TLSRoute", "TLSRouteModeTerminate"},
            unlessSupported = "TLSRouteModeMixed",
            manifests = "tlsroute-listener-mixed-termination-not-supported.yaml")
    void TLSRouteListenerMixedTerminationNotSupported(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-tlsroute-mixed-termination-not-supported"),
                listener("tls-terminate", kinds(TLS_ROUTE_KIND), 0, isFalse("Accepted", "ProtocolConflict")),
                listener("tls-passthrough", kinds(TLS_ROUTE_KIND), 0, isFalse("Accepted", "ProtocolConflict")));
    }

    @ConformanceTest(features = "TLSRoute", manifests = "tlsroute-listener-passthrough-supported-kinds.yaml")
    void TLSRouteListenerPassthroughSupportedKinds(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-tlsroute-passthrough-supported-kind"),
                listener("tls-passthrough", kinds(TLS_ROUTE_KIND), 0, isFalse("ResolvedRefs", "InvalidRouteKinds")));
    }

    @ConformanceTest(
            features = "TLSRoute",
            unlessSupported = "TLSRouteModeTerminate",
            manifests = "tlsroute-listener-terminate-not-supported.yaml")
    void TLSRouteListenerTerminateNotSupported(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-tlsroute-terminate-unsupported"),
                listener("tls-terminate", kinds(TLS_ROUTE_KIND), 0, isFalse("Accepted", "UnsupportedValue")));
    }

    @ConformanceTest(
            features = {"TLSRoute", "TLSRouteModeTerminate", "TLSRouteModeMixed"},
            provisional = true,
            manifests = "tlsroute-mixed-termination-same-namespace.yaml")
    void TLSRouteMixedTerminationSameNamespace(ConformanceRun t) {
        ObjectKey gw = infra("gateway-tlsroute-mixed-termination");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndTlsRoutesMustBeAccepted(gw, infra("gateway-conformance-mixed-passthroughroute"));
        t.gatewayStatusMustHaveListeners(
                gw,
                listener("tls-terminate", kinds(TLS_ROUTE_KIND), 1, isTrue("Accepted", "Accepted")),
                listener("tls-passthrough", kinds(TLS_ROUTE_KIND), 1, isTrue("Accepted", "Accepted")));
        t.gatewayAndTlsRoutesMustBeAccepted(gw, infra("gateway-conformance-mixed-terminateroute"));
    }

    @ConformanceTest(features = "TLSRoute", manifests = "tlsroute-simple-same-namespace.yaml")
    void TLSRouteSimpleSameNamespace(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndTlsRoutesMustBeAccepted(infra("gateway-tlsroute"), infra("gateway-conformance-infra-test"));
    }

    @ConformanceTest(
            features = {"TLSRoute", "TLSRouteModeTerminate"},
            provisional = true,
            manifests = "tlsroute-terminate-simple-same-namespace.yaml")
    void TLSRouteTerminateSimpleSameNamespace(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndTlsRoutesMustBeAccepted(infra("gateway-tlsroute-terminate"), infra("tlsroute-terminated-test"));
    }
}
