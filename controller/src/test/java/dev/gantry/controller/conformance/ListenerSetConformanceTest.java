package dev.gantry.controller.conformance;

import static dev.gantry.controller.conformance.Checks.LISTENER_READY;
import static dev.gantry.controller.conformance.Checks.isFalse;
import static dev.gantry.controller.conformance.Checks.isTrue;
import static dev.gantry.controller.conformance.Checks.listener;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import java.util.List;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The ListenerSet tests (feature {@code ListenerSet}) of INDEX.md. */
class ListenerSetConformanceTest extends ConformanceBase {

    private static final List<Checks.Cond> CONFLICT = List.of(
            isFalse("Accepted", "ProtocolConflict"),
            isFalse("Programmed", "ProtocolConflict"),
            isTrue("Conflicted", "ProtocolConflict"));

    @ConformanceTest(features = "ListenerSet", manifests = "listenerset-allowed-namespace-none.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetAllowedNamespaceNone(ConformanceRun t) {
        ObjectKey gw = infra("gateway-does-not-allow-listenerset");
        ObjectKey ls = infra("listenerset-not-allowed");
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.gatewayMustHaveAttachedListeners(gw, 0);
        t.listenerSetMustHaveCondition(ls, isFalse("Accepted", "NotAllowed"));
        t.listenerSetMustHaveCondition(ls, isFalse("Programmed", "NotAllowed"));
    }

    @ConformanceTest(features = "ListenerSet", manifests = "listenerset-allowed-namespace-same.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetAllowedNamespaceSame(ConformanceRun t) {
        ObjectKey gw = infra("gateway-allows-listenerset-in-same-namespace");
        ObjectKey allowed = infra("listenerset-in-same-namespace");
        ObjectKey disallowed = key("gateway-api-listenerset-not-allowed-ns", "listenerset-in-different-namespace");
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.gatewayMustHaveAttachedListeners(gw, 1);
        t.listenerSetMustHaveCondition(allowed, isTrue("Accepted", "Accepted"));
        t.listenerSetMustHaveCondition(allowed, isTrue("Programmed", "Programmed"));
        t.listenerSetListenersMustHaveConditions(allowed, LISTENER_READY, "listenerset-in-same-namespace-listener");
        t.listenerSetMustHaveCondition(disallowed, isFalse("Accepted", "NotAllowed"));
        t.listenerSetMustHaveCondition(disallowed, isFalse("Programmed", "NotAllowed"));
    }

    @ConformanceTest(
            features = {"ListenerSet", "HTTPRoute", "ReferenceGrant"},
            manifests = "listenerset-allowed-routes-namespaces.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetAllowedRoutesNamespaces(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        ObjectKey gw = infra("gateway-with-listener-sets-test-allowed-routes");
        t.gatewayMustHaveAddress(gw);
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.gatewayMustHaveAttachedListeners(gw, 2);

        ObjectKey ls = infra("listenerset-test-allowed-routes-namespaces");
        t.listenerSetAndRoutesMustBeAccepted(
                Kinds.HTTP_ROUTE,
                ls,
                infra("route-in-same-namespace"),
                key("gateway-api-routes-allowed-ns", "route-in-selected-namespace"),
                key("gateway-api-routes-not-allowed-ns", "route-not-in-selected-namespace"));
        t.listenerSetStatusMustHaveListeners(
                ls,
                listener("listener-set-listener-allowed-routes-all", kinds(HTTP_ROUTE_KIND), 3, LISTENER_READY),
                listener("listener-set-listener-allowed-routes-same", kinds(HTTP_ROUTE_KIND), 1, LISTENER_READY),
                listener("listener-set-listener-allowed-routes-selector", kinds(HTTP_ROUTE_KIND), 1, LISTENER_READY));

        ObjectKey crossNamespace = key("gateway-api-ls-cross-ns", "listenerset-test-allowed-routes-cross-ns");
        t.listenerSetAndRoutesMustBeAccepted(
                Kinds.HTTP_ROUTE, crossNamespace, key("gateway-api-ls-cross-ns", "route-in-listenerset-namespace"));
        t.routeMustHaveCondition(
                Kinds.HTTP_ROUTE,
                infra("route-in-gateway-namespace"),
                crossNamespace,
                isFalse("Accepted", "NotAllowedByListeners"));
        t.listenerSetStatusMustHaveListeners(
                crossNamespace,
                listener(
                        "listener-set-listener-allowed-routes-cross-ns-same",
                        kinds(HTTP_ROUTE_KIND),
                        1,
                        LISTENER_READY));
    }

    @ConformanceTest(
            features = {"ListenerSet", "TLSRoute"},
            manifests = "listenerset-allowed-routes-supported-kinds.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetAllowedRoutesSupportedKinds(ConformanceRun t) {
        ObjectKey gw = infra("gateway-with-listener-sets-test-supported-route-kinds");
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.listenerSetListenersMustHaveConditions(
                infra("listenerset-test-allowed-routes-supported-kinds"),
                List.of(isFalse("ResolvedRefs", "InvalidRouteKinds")),
                "listener-set-listener-allowed-routes-tls-only");
    }

    @ConformanceTest(features = "ListenerSet", manifests = "listenerset-default-not-allowed.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetDefaultNotAllowed(ConformanceRun t) {
        ObjectKey gw = infra("gateway-default-does-not-allow-listenerset");
        ObjectKey ls = infra("listenerset-default-not-allowed");
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.gatewayMustHaveAttachedListeners(gw, 0);
        t.listenerSetMustHaveCondition(ls, isFalse("Accepted", "NotAllowed"));
        t.listenerSetMustHaveCondition(ls, isFalse("Programmed", "NotAllowed"));
    }

    /** Not parallel upstream. */
    @ConformanceTest(
            features = {"ListenerSet", "HTTPRoute"},
            manifests = "listenerset-dual-parentref-independence.yaml")
    void ListenerSetDualParentRefIndependence(ConformanceRun t) {
        ObjectKey gw = infra("gateway-dual-parentref");
        ObjectKey ls = infra("ls-dual-parentref");
        t.gatewayMustHaveAddress(gw);
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.gatewayMustHaveAttachedListeners(gw, 1);
        t.listenerSetStatusMustHaveListeners(
                ls, listener("ls-dual-parentref-listener", kinds(HTTP_ROUTE_KIND), 2, LISTENER_READY));
        ObjectKey both = infra("route-dual-parentref-both");
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, both, gw, isTrue("Accepted"));
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, both, ls, isTrue("Accepted"));
        ObjectKey one = infra("route-dual-parentref-one");
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, one, gw, isFalse("Accepted", "NoMatchingParent"));
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, one, ls, isTrue("Accepted"));
        t.listenerSetAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, ls, one);
    }

    /** Not parallel upstream. */
    @ConformanceTest(
            features = {"ListenerSet", "HTTPRoute"},
            manifests = "listenerset-gateway-parent-section-name-not-found.yaml")
    void ListenerSetGatewayParentSectionNameNotFound(ConformanceRun t) {
        ObjectKey gw = infra("gateway-section-name");
        t.gatewayMustHaveAddress(gw);
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.gatewayMustHaveAttachedListeners(gw, 1);
        t.listenerSetAndRoutesMustBeAccepted(
                Kinds.HTTP_ROUTE, infra("listenerset-section-name"), infra("route-via-listenerset"));
        t.routeMustHaveCondition(
                Kinds.HTTP_ROUTE, infra("route-via-gateway"), gw, isFalse("Accepted", "NoMatchingParent"));
    }

    @ConformanceTest(
            features = {"ListenerSet", "HTTPRoute"},
            manifests = "listenerset-http-routing.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetHTTPRouting(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        ObjectKey gw = infra("gateway-with-listener-sets-http-routing");
        t.gatewayAndRoutesMustBeAccepted(
                Kinds.HTTP_ROUTE,
                gw,
                infra("attaches-to-all-listeners"),
                infra("gateway-route"),
                infra("gateway-section-route"));
        t.gatewayMustHaveAttachedListeners(gw, 2);

        ObjectKey first = infra("listener-set-http-routing-1");
        t.listenerSetAndRoutesMustBeAccepted(
                Kinds.HTTP_ROUTE,
                first,
                infra("attaches-to-all-listeners"),
                infra("listener-set-http-routing-1-route"),
                infra("listener-set-http-routing-1-section-route"));
        t.listenerSetStatusMustHaveListeners(
                first,
                listener("listener-set-http-routing-1-listener-1", kinds(HTTP_ROUTE_KIND), 3, LISTENER_READY),
                listener("listener-set-http-routing-1-listener-2", kinds(HTTP_ROUTE_KIND), 2, LISTENER_READY));

        ObjectKey second = infra("listener-set-http-routing-2");
        t.listenerSetAndRoutesMustBeAccepted(
                Kinds.HTTP_ROUTE,
                second,
                infra("attaches-to-all-listeners"),
                infra("listener-set-http-routing-2-route"));
        t.listenerSetStatusMustHaveListeners(
                second,
                listener("listener-set-http-routing-2-listener-1", kinds(HTTP_ROUTE_KIND), 2, LISTENER_READY),
                listener("listener-set-http-routing-2-listener-2", kinds(HTTP_ROUTE_KIND), 2, LISTENER_READY));
    }

    @ConformanceTest(features = "ListenerSet", manifests = "listenerset-protocol-conflict.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetProtocolConflict(ConformanceRun t) {
        ObjectKey gw = infra("gateway-with-listenerset-protocol-conflict");
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.gatewayListenersMustHaveConditions(
                gw, LISTENER_READY, "gateway-listener", "protocol-conflict-with-gateway-listener");
        t.gatewayMustHaveAttachedListeners(gw, 2);

        ObjectKey withGateway1 = infra("listenerset-with-protocol-conflict-with-gateway-1");
        t.listenerSetMustHaveCondition(withGateway1, isTrue("Accepted"));
        t.listenerSetMustHaveCondition(withGateway1, isTrue("Programmed", "Programmed"));
        t.listenerSetListenersMustHaveConditions(withGateway1, LISTENER_READY, "listener-set-1-listener");
        t.listenerSetListenersMustHaveConditions(withGateway1, CONFLICT, "protocol-conflict-with-gateway-listener");
        t.listenerSetListenersMustHaveConditions(
                withGateway1, LISTENER_READY, "protocol-conflict-with-listener-set-listener");

        ObjectKey withGateway2 = infra("listenerset-with-protocol-conflict-with-gateway-2");
        t.listenerSetMustHaveCondition(withGateway2, isFalse("Accepted", "ListenersNotValid"));
        t.listenerSetMustHaveCondition(withGateway2, isFalse("Programmed", "ListenersNotValid"));
        t.listenerSetListenersMustHaveConditions(withGateway2, CONFLICT, "protocol-conflict-with-gateway-listener");

        ObjectKey withSet1 = infra("listenerset-with-protocol-conflict-with-listener-set-1");
        t.listenerSetMustHaveCondition(withSet1, isTrue("Accepted"));
        t.listenerSetMustHaveCondition(withSet1, isTrue("Programmed", "Programmed"));
        t.listenerSetListenersMustHaveConditions(withSet1, LISTENER_READY, "listener-set-2-listener");
        t.listenerSetListenersMustHaveConditions(withSet1, CONFLICT, "protocol-conflict-with-listener-set-listener");

        ObjectKey withSet2 = infra("listenerset-with-protocol-conflict-with-listener-set-2");
        t.listenerSetMustHaveCondition(withSet2, isFalse("Accepted", "ListenersNotValid"));
        t.listenerSetMustHaveCondition(withSet2, isFalse("Programmed", "ListenersNotValid"));
        t.listenerSetListenersMustHaveConditions(withSet2, CONFLICT, "protocol-conflict-with-listener-set-listener");
    }

    @ConformanceTest(
            features = {"ListenerSet", "ReferenceGrant"},
            manifests = "listenerset-reference-grant.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void ListenerSetReferenceGrant(ConformanceRun t) {
        ObjectKey gw = infra("gateway-with-listener-sets-test-reference-grant");
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));

        ObjectKey granted = infra("listenerset-with-reference-grant");
        t.listenerSetMustHaveCondition(granted, isTrue("Accepted"));
        t.listenerSetMustHaveCondition(granted, isTrue("Programmed"));
        t.listenerSetListenersMustHaveConditions(
                granted, List.of(isTrue("ResolvedRefs")), "listenerset-with-reference-grant-listener");

        ObjectKey ungranted =
                key("gateway-api-listener-sets-test-reference-grant-ns", "listenerset-without-reference-grant");
        t.listenerSetMustHaveCondition(ungranted, isFalse("Accepted", "ListenersNotValid"));
        t.listenerSetMustHaveCondition(ungranted, isFalse("Programmed", "ListenersNotValid"));
        t.listenerSetListenersMustHaveConditions(
                ungranted,
                List.of(isFalse("ResolvedRefs", "RefNotPermitted")),
                "listenerset-without-reference-grant-listener");
    }
}
