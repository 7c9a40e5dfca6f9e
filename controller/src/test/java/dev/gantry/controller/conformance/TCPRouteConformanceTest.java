package dev.gantry.controller.conformance;

import static dev.gantry.controller.conformance.Checks.isFalse;
import static dev.gantry.controller.conformance.Checks.isTrue;
import static dev.gantry.controller.conformance.Checks.listener;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.TCPRouteBuilder;

/** The TCPRoute tests of INDEX.md; none runs in parallel upstream. */
class TCPRouteConformanceTest extends ConformanceBase {

    @ConformanceTest(
            features = "TCPRoute",
            provisional = true,
            manifests = "tcproute-invalid-backendref-nonexistent.yaml")
    void TCPRouteInvalidBackendRefNonexistent(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.routeMustHaveCondition(
                Kinds.TCP_ROUTE,
                infra("tcp-route-invalid-backend-ref-nonexistent"),
                infra("tcp-gateway-invalid-backend"),
                isFalse("ResolvedRefs", "BackendNotFound"));
    }

    @ConformanceTest(
            features = {"TCPRoute", "ReferenceGrant"},
            provisional = true,
            manifests = "tcproute-invalid-cross-namespace-backend-ref.yaml")
    void TCPRouteInvalidCrossNamespaceBackendRef(ConformanceRun t) {
        ObjectKey gw = infra("tcp-invalid-cross-namespace-backend-ref-gateway");
        ObjectKey route = infra("tcp-invalid-cross-namespace-backend-ref");
        t.namespacesMustBeReady(INFRA, WEB_BACKEND);
        t.gatewayAndRoutesMustBeAccepted(Kinds.TCP_ROUTE, gw, route);
        t.routeMustHaveCondition(Kinds.TCP_ROUTE, route, gw, isFalse("ResolvedRefs", "RefNotPermitted"));
    }

    @ConformanceTest(features = "TCPRoute", provisional = true, manifests = "tcproute-invalid-non-tcp-listener.yaml")
    void TCPRouteInvalidNonTCPListener(ConformanceRun t) {
        ObjectKey gw = infra("tcp-mixed-protocol-gateway");
        t.namespacesMustBeReady(INFRA);
        t.routeMustHaveCondition(Kinds.TCP_ROUTE, infra("tcp-route"), gw, isFalse("Accepted", "NotAllowedByListeners"));
        t.gatewayMustHaveZeroRoutes(gw);
    }

    @ConformanceTest(features = "TCPRoute", manifests = "tcproute-multiple-routes-attachment.yaml")
    void TCPRouteMultipleRoutesAttachment(ConformanceRun t) throws InterruptedException {
        ObjectKey gw = infra("tcp-multi-route-attach-gateway");
        ObjectKey older = infra("tcproute-attach-older");
        ObjectKey newer = infra("tcproute-attach-newer");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.TCP_ROUTE, gw, older);
        Thread.sleep(1000); // creationTimestamp has second precision: the second route must be strictly newer
        t.applyObject(new TCPRouteBuilder()
                .withNewMetadata()
                .withNamespace(INFRA)
                .withName(newer.name())
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(gw.name())
                .withSectionName("tcp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("tcp-attach-backend-2")
                .withPort(3000)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        t.routeMustHaveCondition(Kinds.TCP_ROUTE, older, gw, isTrue("Accepted", "Accepted"));
        t.routeMustHaveCondition(Kinds.TCP_ROUTE, newer, gw, isTrue("Accepted", "Accepted"));
        t.gatewayStatusMustHaveListeners(gw, listener("tcp", kinds(TCP_ROUTE_KIND), 2, isTrue("Accepted", "Accepted")));
    }

    @ConformanceTest(features = "TCPRoute", provisional = true, manifests = "tcproute-parentref-attach-all.yaml")
    void TCPRouteParentRefAttachAll(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.routesMustHaveAcceptedParent(
                Kinds.TCP_ROUTE, "Gateway", infra("tcp-attach-all-gateway"), infra("tcp-route-attach-all"));
    }

    @ConformanceTest(
            features = {"TCPRoute", "ReferenceGrant"},
            provisional = true,
            manifests = "tcproute-reference-grant.yaml")
    void TCPRouteReferenceGrant(ConformanceRun t) {
        ObjectKey gw = infra("tcp-reference-grant-gateway");
        ObjectKey route = infra("tcp-reference-grant");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.TCP_ROUTE, gw, route);
        t.delete(ReferenceGrant.class, key(WEB_BACKEND, "tcp-reference-grant"));
        t.routeMustHaveCondition(Kinds.TCP_ROUTE, route, gw, isFalse("ResolvedRefs", "RefNotPermitted"));
    }

    @ConformanceTest(features = "TCPRoute", provisional = true, manifests = "tcproute-weighted-routing.yaml")
    void TCPRouteWeightedRouting(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.TCP_ROUTE, infra("tcp-weighted-gateway"), infra("tcp-weighted-route"));
    }
}
