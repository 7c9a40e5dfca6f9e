package dev.gantry.controller.conformance;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;

/** The GRPCRoute tests of INDEX.md. */
class GRPCRouteConformanceTest extends ConformanceBase {

    private static final ObjectKey SAME_NAMESPACE = infra("same-namespace");

    @ConformanceTest(features = "GRPCRoute", manifests = "grpcroute-exact-method-matching.yaml")
    void GRPCExactMethodMatching(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.GRPC_ROUTE, SAME_NAMESPACE, infra("exact-matching"));
    }

    @ConformanceTest(features = "GRPCRoute", manifests = "grpcroute-header-matching.yaml")
    void GRPCRouteHeaderMatching(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.GRPC_ROUTE, SAME_NAMESPACE, infra("grpc-header-matching"));
    }

    @ConformanceTest(
            features = {"GRPCRoute", "GRPCRouteNamedRouteRule"},
            provisional = true,
            manifests = "grpcroute-named-rule.yaml")
    void GRPCRouteNamedRule(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.GRPC_ROUTE, SAME_NAMESPACE, infra("grpc-named-rules"));
    }

    @ConformanceTest(features = "GRPCRoute", manifests = "grpcroute-weight.yaml")
    void GRPCRouteWeight(ConformanceRun t) {
        t.gatewayAndRoutesMustBeAccepted(Kinds.GRPC_ROUTE, SAME_NAMESPACE, infra("weighted-backends"));
    }
}
