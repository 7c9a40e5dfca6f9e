package dev.gantry.controller.conformance;

import static dev.gantry.controller.conformance.Checks.isFalse;
import static dev.gantry.controller.conformance.Checks.isTrue;
import static dev.gantry.controller.conformance.Checks.listener;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.UDPRouteBuilder;

/** The UDPRoute tests of INDEX.md (all provisional); none runs in parallel upstream. */
class UDPRouteConformanceTest extends ConformanceBase {

    @ConformanceTest(
            features = "UDPRoute",
            provisional = true,
            manifests = "udproute-invalid-backendref-nonexistent.yaml")
    void UDPRouteInvalidBackendRefNonexistent(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.routeMustHaveCondition(
                Kinds.UDP_ROUTE,
                infra("udp-route-invalid-backend-ref-nonexistent"),
                infra("udp-gateway-invalid-backend"),
                isFalse("ResolvedRefs", "BackendNotFound"));
    }

    @ConformanceTest(
            features = {"UDPRoute", "ReferenceGrant"},
            provisional = true,
            manifests = "udproute-invalid-cross-namespace-backend-ref.yaml")
    void UDPRouteInvalidCrossNamespaceBackendRef(ConformanceRun t) {
        ObjectKey gw = infra("udp-gateway-invalid-cross-namespace-backend-ref");
        ObjectKey route = infra("udp-route-invalid-cross-namespace-backend-ref");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.UDP_ROUTE, gw, route);
        t.routeMustHaveCondition(Kinds.UDP_ROUTE, route, gw, isFalse("ResolvedRefs", "RefNotPermitted"));
    }

    @ConformanceTest(features = "UDPRoute", provisional = true, manifests = "udproute-multiple-routes-attachment.yaml")
    void UDPRouteMultipleRoutesAttachment(ConformanceRun t) throws InterruptedException {
        ObjectKey gw = infra("udp-multi-route-attach-gateway");
        ObjectKey older = infra("udproute-attach-older");
        ObjectKey newer = infra("udproute-attach-newer");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.UDP_ROUTE, gw, older);
        Thread.sleep(1000); // creationTimestamp has second precision: the second route must be strictly newer
        t.applyObject(new UDPRouteBuilder()
                .withNewMetadata()
                .withNamespace(INFRA)
                .withName(newer.name())
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(gw.name())
                .withSectionName("udp")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("udp-attach-backend-2")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        t.routeMustHaveCondition(Kinds.UDP_ROUTE, older, gw, isTrue("Accepted", "Accepted"));
        t.routeMustHaveCondition(Kinds.UDP_ROUTE, newer, gw, isTrue("Accepted", "Accepted"));
        t.gatewayStatusMustHaveListeners(gw, listener("udp", kinds(UDP_ROUTE_KIND), 2, isTrue("Accepted", "Accepted")));
    }

    @ConformanceTest(
            features = "UDPRoute",
            provisional = true,
            manifests = "udproute-parentref-attach-all-listeners.yaml")
    void UDPRouteParentRefAttachAllListeners(ConformanceRun t) {
        ObjectKey gw = infra("udp-attach-all-listeners-gateway");
        t.namespacesMustBeReady(INFRA);
        t.routesMustHaveAcceptedParent(Kinds.UDP_ROUTE, "Gateway", gw, infra("udp-route-attach-all"));
        t.gatewayStatusMustHaveListeners(
                gw,
                listener("udp-1", kinds(UDP_ROUTE_KIND), 1, isTrue("Accepted"), isTrue("ResolvedRefs")),
                listener("udp-2", kinds(UDP_ROUTE_KIND), 1, isTrue("Accepted"), isTrue("ResolvedRefs")),
                listener("udp-3", kinds(UDP_ROUTE_KIND), 1, isTrue("Accepted"), isTrue("ResolvedRefs")));
    }

    @ConformanceTest(
            features = "UDPRoute",
            provisional = true,
            manifests = "udproute-parentref-port-and-section-name.yaml")
    void UDPRouteParentRefPortAndSectionName(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.routesMustHaveAcceptedParent(
                Kinds.UDP_ROUTE,
                "Gateway",
                infra("udp-multi-listener-gateway"),
                infra("udp-route-by-port"),
                infra("udp-route-by-section"),
                infra("udp-route-by-section-and-port"));
    }

    @ConformanceTest(
            features = {"UDPRoute", "ReferenceGrant"},
            provisional = true,
            manifests = "udproute-reference-grant.yaml")
    void UDPRouteReferenceGrant(ConformanceRun t) {
        ObjectKey gw = infra("udp-gateway-reference-grant");
        ObjectKey route = infra("udp-route-reference-grant");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.UDP_ROUTE, gw, route);
        t.routeMustHaveCondition(Kinds.UDP_ROUTE, route, gw, isTrue("ResolvedRefs", "ResolvedRefs"));
        t.delete(ReferenceGrant.class, key(APP_BACKEND, "udp-reference-grant"));
        t.routeMustHaveCondition(Kinds.UDP_ROUTE, route, gw, isFalse("ResolvedRefs", "RefNotPermitted"));
    }

    @ConformanceTest(features = "UDPRoute", provisional = true, manifests = "udproute-simple.yaml")
    void UDPRoute(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.UDP_ROUTE, infra("udp-gateway"), infra("udp-coredns"));
    }

    @ConformanceTest(features = "UDPRoute", provisional = true, manifests = "udproute-weighted-routing.yaml")
    void UDPRouteWeightedRouting(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.UDP_ROUTE, infra("udp-weighted-gateway"), infra("udp-weighted-route"));
    }
}
