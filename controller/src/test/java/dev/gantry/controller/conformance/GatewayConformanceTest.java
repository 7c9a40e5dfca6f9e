package dev.gantry.controller.conformance;

import static dev.gantry.controller.conformance.Checks.LISTENER_READY;
import static dev.gantry.controller.conformance.Checks.isFalse;
import static dev.gantry.controller.conformance.Checks.isTrue;
import static dev.gantry.controller.conformance.Checks.listener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The Gateway and GatewayClass tests of INDEX.md. */
class GatewayConformanceTest extends ConformanceBase {

    /** The addresses the upstream suite takes from flags for GatewayStaticAddresses: chosen here. */
    static final String UNUSABLE_ADDRESS = "203.0.113.250";

    static final String USABLE_ADDRESS = "127.0.0.1";

    @ConformanceTest(
            features = {"GatewayHTTPListenerIsolation", "HTTPRoute"},
            manifests = {
                "gateway-http-listener-isolation.yaml",
                "gateway-http-listener-isolation-with-hostname-intersection.yaml"
            })
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayHTTPListenerIsolation(ConformanceRun t) {
        t.namespacesMustBeReady(INFRA);
        ObjectKey gw = infra("http-listener-isolation");
        List<ObjectKey> routes = List.of(
                infra("attaches-to-empty-hostname"),
                infra("attaches-to-wildcard-example-com"),
                infra("attaches-to-wildcard-foo-example-com"),
                infra("attaches-to-abc-foo-example-com"));
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, gw, routes.toArray(ObjectKey[]::new));
        routes.forEach(route -> t.httpRouteMustHaveResolvedRefsTrue(route, gw));

        ObjectKey intersection = infra("http-listener-isolation-with-hostname-intersection");
        List<ObjectKey> intersecting = List.of(
                infra("attaches-to-empty-hostname-with-hostname-intersection"),
                infra("attaches-to-wildcard-example-com-with-hostname-intersection"),
                infra("attaches-to-wildcard-foo-example-com-with-hostname-intersection"),
                infra("attaches-to-abc-foo-example-com-with-hostname-intersection"));
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, intersection, intersecting.toArray(ObjectKey[]::new));
        intersecting.forEach(route -> t.httpRouteMustHaveResolvedRefsTrue(route, intersection));
    }

    @ConformanceTest(
            features = "GatewayInfrastructurePropagation",
            provisional = true,
            manifests = "gateway-infrastructure.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayInfrastructure(ConformanceRun t) {
        ObjectKey gw = infra("gateway-with-infrastructure-metadata");
        t.namespacesMustBeReady(INFRA);
        t.gatewayMustHaveLatestConditions(gw);
        t.gatewayMustHaveCondition(gw, isTrue("Accepted"));
        t.await("a ServiceAccount, Pod or Service of " + gw + " with the infrastructure labels and annotations", () -> {
            List<HasMetadata> candidates = new ArrayList<>();
            String selector = "gateway.networking.k8s.io/gateway-name";
            candidates.addAll(t.client
                    .serviceAccounts()
                    .inNamespace(INFRA)
                    .withLabel(selector, gw.name())
                    .list()
                    .getItems());
            candidates.addAll(t.client
                    .pods()
                    .inNamespace(INFRA)
                    .withLabel(selector, gw.name())
                    .list()
                    .getItems());
            candidates.addAll(t.client
                    .services()
                    .inNamespace(INFRA)
                    .withLabel(selector, gw.name())
                    .list()
                    .getItems());
            for (HasMetadata object : candidates) {
                Map<String, String> labels = object.getMetadata().getLabels();
                Map<String, String> annotations = object.getMetadata().getAnnotations();
                if (labels != null
                        && "value2".equals(labels.get("key2"))
                        && annotations != null
                        && "value1".equals(annotations.get("key1"))) {
                    return null;
                }
            }
            return "none among "
                    + candidates.stream()
                            .map(o -> o.getKind() + " " + o.getMetadata().getName())
                            .toList();
        });
    }

    @ConformanceTest(
            features = {"HTTPRoute", "GatewayFrontendClientCertificateValidation"},
            manifests = "gateway-invalid-default-frontend-client-certificate-validation.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayFrontendInvalidDefaultClientCertificateValidation(ConformanceRun t) {
        ObjectKey gw = infra("invalid-default-client-validation-config");
        t.gatewayMustHaveAddress(gw);
        t.gatewayListenersMustHaveConditions(gw, LISTENER_READY, "http");
        t.gatewayListenersMustHaveConditions(
                gw,
                List.of(
                        isFalse("ResolvedRefs", "InvalidCACertificateRef"),
                        isFalse("Accepted", "NoValidCACertificate"),
                        isFalse("Programmed")),
                "https");
    }

    @ConformanceTest(manifests = "gateway-invalid-listeners-unsupported-protocol.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayListenerUnsupportedProtocol(ConformanceRun t) {
        ObjectKey only = infra("gateway-only-unsupported-protocols");
        t.gatewayMustHaveLatestConditions(only);
        t.gatewayMustHaveCondition(only, isFalse("Accepted", "ListenersNotValid"));
        t.gatewayStatusMustHaveListeners(
                only, listener("invalid", kinds(), 0, isFalse("Accepted", "UnsupportedProtocol")));

        ObjectKey mixed = infra("gateway-supported-and-unsupported-protocols");
        t.gatewayMustHaveLatestConditions(mixed);
        t.gatewayMustHaveCondition(mixed, isTrue("Accepted", "ListenersNotValid"));
        t.gatewayStatusMustHaveListeners(
                mixed,
                listener("http", kinds(HTTP_ROUTE_KIND), 0, isTrue("Accepted", "Accepted")),
                listener("invalid", kinds(), 0, isFalse("Accepted", "UnsupportedProtocol")));
    }

    @ConformanceTest(manifests = "gateway-invalid-parameters-ref.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayInvalidParametersRef(ConformanceRun t) {
        ObjectKey gw = infra("gateway-invalid-parameters-ref");
        t.gatewayMustHaveLatestConditions(gw);
        t.gatewayMustHaveCondition(gw, isFalse("Accepted", "InvalidParameters"));
    }

    @ConformanceTest(
            features = {"GatewayBackendClientCertificate", "HTTPRoute", "BackendTLSPolicy"},
            manifests = "gateway-invalid-tls-backend-configuration.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayInvalidTLSBackendConfiguration(ConformanceRun t) {
        for (String name : List.of(
                "gateway-client-certificate-nonexistent-secret",
                "gateway-client-certificate-unsupported-group",
                "gateway-client-certificate-unsupported-kind",
                "gateway-client-certificate-malformed-secret")) {
            ObjectKey gw = infra(name);
            t.gatewayMustHaveLatestConditions(gw);
            t.gatewayMustHaveCondition(gw, isFalse("ResolvedRefs", "InvalidClientCertificateRef"));
            t.gatewayMustHaveCondition(gw, isTrue("Accepted", "Accepted"));
        }
        ObjectKey ungranted = infra("gateway-client-certificate-missing-reference-grant");
        t.gatewayMustHaveLatestConditions(ungranted);
        t.gatewayMustHaveCondition(ungranted, isFalse("ResolvedRefs", "RefNotPermitted"));
        t.gatewayMustHaveCondition(ungranted, isTrue("Accepted", "Accepted"));
    }

    @ConformanceTest(manifests = "gateway-invalid-tls-configuration.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayInvalidTLSConfiguration(ConformanceRun t) {
        for (String name : List.of(
                "gateway-certificate-nonexistent-secret",
                "gateway-certificate-unsupported-group",
                "gateway-certificate-unsupported-kind",
                "gateway-certificate-malformed-secret")) {
            t.gatewayStatusMustHaveListeners(
                    infra(name),
                    listener("https", kinds(HTTP_ROUTE_KIND), 0, isFalse("ResolvedRefs", "InvalidCertificateRef")));
        }
    }

    @ConformanceTest(manifests = "gateway-observed-generation-bump.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayObservedGenerationBump(ConformanceRun t) {
        ObjectKey gw = infra("gateway-observed-generation-bump");
        t.namespacesMustBeReady(INFRA);
        t.gatewayMustHaveLatestConditions(gw);
        long before = Checks.generation(t.gateway(gw));
        t.edit(
                Gateway.class,
                gw,
                g -> g.getSpec()
                        .getListeners()
                        .add(new ListenerBuilder()
                                .withName("alternate")
                                .withHostname("foo.com")
                                .withPort(80)
                                .withProtocol("HTTP")
                                .withNewAllowedRoutes()
                                .withNewNamespaces()
                                .withFrom("All")
                                .endNamespaces()
                                .endAllowedRoutes()
                                .build()));
        t.namespacesMustBeReady(INFRA);
        t.gatewayMustHaveLatestConditions(gw);
        assertNotEquals(before, Checks.generation(t.gateway(gw)), "generation should change after an update");
    }

    @ConformanceTest(
            features = "GatewayAddressEmpty",
            provisional = true,
            manifests = "gateway-optional-address-value.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayOptionalAddressValue(ConformanceRun t) {
        ObjectKey gw = infra("gateway-without-address-value");
        t.namespacesMustBeReady(INFRA);
        t.gatewayMustHaveLatestConditions(gw);
        t.gatewayMustHaveAddress(gw);
    }

    @ConformanceTest(features = "ReferenceGrant", manifests = "gateway-secret-invalid-reference-grant.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewaySecretInvalidReferenceGrant(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-secret-invalid-reference-grant"),
                listener("https", kinds(HTTP_ROUTE_KIND), 0, isFalse("ResolvedRefs", "RefNotPermitted")));
    }

    @ConformanceTest(features = "ReferenceGrant", manifests = "gateway-secret-missing-reference-grant.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewaySecretMissingReferenceGrant(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-secret-missing-reference-grant"),
                listener("https", kinds(HTTP_ROUTE_KIND), 0, isFalse("ResolvedRefs", "RefNotPermitted")));
    }

    @ConformanceTest(features = "ReferenceGrant", manifests = "gateway-secret-reference-grant-all-in-namespace.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewaySecretReferenceGrantAllInNamespace(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-secret-reference-grant-all-in-namespace"),
                listener(
                        "https",
                        kinds(HTTP_ROUTE_KIND),
                        0,
                        isTrue("Programmed", "Programmed"),
                        isTrue("ResolvedRefs")));
    }

    /**
     * The three spec addresses are an unsupported type, an address the implementation cannot use and one it can
     * (suite flags upstream; {@link #UNUSABLE_ADDRESS} and {@link #USABLE_ADDRESS} here).
     */
    @ConformanceTest(features = "GatewayStaticAddresses", manifests = "gateway-static-addresses.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayStaticAddresses(ConformanceRun t) {
        ObjectKey gw = infra("gateway-static-addresses");
        t.edit(Gateway.class, gw, g -> {
            for (GatewaySpecAddress address : g.getSpec().getAddresses()) {
                if ("PLACEHOLDER_UNUSABLE_ADDRS".equals(address.getValue())) {
                    address.setValue(UNUSABLE_ADDRESS);
                } else if ("PLACEHOLDER_USABLE_ADDRS".equals(address.getValue())) {
                    address.setValue(USABLE_ADDRESS);
                }
            }
        });
        t.gatewayMustHaveCondition(gw, isFalse("Accepted", "UnsupportedAddress"));

        t.edit(
                Gateway.class,
                gw,
                g -> g.getSpec().getAddresses().removeIf(a -> "test/fake-invalid-type".equals(a.getType())));
        t.gatewayMustHaveCondition(gw, isTrue("Accepted", "Accepted"));
        t.gatewayMustHaveCondition(gw, isFalse("Programmed", "AddressNotUsable"));

        t.edit(Gateway.class, gw, g -> g.getSpec().getAddresses().removeIf(a -> UNUSABLE_ADDRESS.equals(a.getValue())));
        t.gatewayMustHaveCondition(gw, isTrue("Accepted", "Accepted"));
        t.gatewayMustHaveCondition(gw, isTrue("Programmed", "Programmed"));
        t.gatewayStatusMustHaveListeners(
                gw, listener("http", kinds(HTTP_ROUTE_KIND), 0, isTrue("Accepted"), isTrue("ResolvedRefs")));
        t.await("Gateway " + gw + " status.addresses is exactly " + USABLE_ADDRESS, () -> {
            List<GatewayStatusAddress> addresses = t.gateway(gw).getStatus().getAddresses();
            return addresses != null
                            && addresses.size() == 1
                            && USABLE_ADDRESS.equals(addresses.getFirst().getValue())
                            && "IPAddress".equals(addresses.getFirst().getType())
                    ? null
                    : "status.addresses " + addresses;
        });
    }

    @ConformanceTest(
            features = {"GatewayBackendClientCertificate", "HTTPRoute", "BackendTLSPolicy"},
            manifests = "gateway-tls-backend-client-certificate.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayTLSBackendClientCertificate(ConformanceRun t) {
        ObjectKey gw = infra("gateway-tls-backend-client-certificate");
        ObjectKey route = infra("gateway-tls-backend-client-certificate");
        t.namespacesMustBeReady(INFRA);
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, gw, route);
        t.httpRouteMustHaveResolvedRefsTrue(route, gw);
        t.policyMustHaveCondition(
                infra("gateway-tls-backend-client-certificate-test"), gw, isTrue("Accepted", "Accepted"));
        t.gatewayMustHaveCondition(gw, isTrue("ResolvedRefs", "ResolvedRefs"));
    }

    /** Not parallel upstream. */
    @ConformanceTest(features = "HTTPRoute", manifests = "gateway-with-attached-routes.yaml")
    void GatewayWithAttachedRoutes(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-with-one-attached-route"),
                listener("http", kinds(HTTP_ROUTE_KIND), 1, isTrue("Accepted"), isTrue("ResolvedRefs")));

        ObjectKey two = infra("gateway-with-two-attached-routes");
        t.gatewayStatusMustHaveListeners(
                two, listener("http", kinds(HTTP_ROUTE_KIND), 2, isTrue("Accepted"), isTrue("ResolvedRefs")));
        t.routeMustHaveCondition(
                Kinds.HTTP_ROUTE,
                infra("http-route-not-accepted"),
                two,
                isFalse("Accepted", "NoMatchingListenerHostname"));

        ObjectKey unresolved = infra("unresolved-gateway-with-one-attached-unresolved-route");
        t.gatewayStatusMustHaveListeners(
                unresolved, listener("tls", kinds(HTTP_ROUTE_KIND), 1, isFalse("Programmed"), isFalse("ResolvedRefs")));
        t.routeMustHaveCondition(Kinds.HTTP_ROUTE, infra("http-route-4"), unresolved, isFalse("ResolvedRefs"));
    }

    @ConformanceTest(
            features = {"GatewayPort8080", "HTTPRoute"},
            manifests = "gateway-with-attached-routes-with-port-8080.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayWithAttachedRoutesWithPort8080(ConformanceRun t) {
        t.gatewayStatusMustHaveListeners(
                infra("gateway-with-two-listeners-and-one-attached-route"),
                listener("http-unattached", kinds(HTTP_ROUTE_KIND), 0, isTrue("Accepted"), isTrue("ResolvedRefs")),
                listener("http", kinds(HTTP_ROUTE_KIND), 1, isTrue("Accepted"), isTrue("ResolvedRefs")));
    }

    @ConformanceTest(
            features = {
                "HTTPRoute",
                "GatewayFrontendClientCertificateValidation",
                "GatewayFrontendClientCertificateValidationInsecureFallback"
            },
            manifests = "gateway-with-clientcertificate-validation-insecure-fallback.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayFrontendClientCertificateValidationInsecureFallback(ConformanceRun t) {
        ObjectKey gw = infra("client-validation-insecure-fallback");
        List<ObjectKey> routes = List.of(
                infra("client-cert-validation-insecure-fallback-test"),
                infra("client-cert-validation-insecure-fallback-test-no-hostname"));
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, gw, routes.toArray(ObjectKey[]::new));
        routes.forEach(route -> t.httpRouteMustHaveResolvedRefsTrue(route, gw));
        t.gatewayMustHaveCondition(gw, isTrue("InsecureFrontendValidationMode", "ConfigurationChanged"));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "GatewayFrontendClientCertificateValidation"},
            manifests = "gateway-with-clientcertificate-validation.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayFrontendClientCertificateValidation(ConformanceRun t) {
        ObjectKey gw = infra("client-validation-default");
        List<ObjectKey> routes = List.of(
                infra("client-certificate-validation-https-test"),
                infra("client-certificate-validation-https-test-no-hostname"));
        t.gatewayAndRoutesMustBeAccepted(Kinds.HTTP_ROUTE, gw, routes.toArray(ObjectKey[]::new));
        routes.forEach(route -> t.httpRouteMustHaveResolvedRefsTrue(route, gw));
    }

    @ConformanceTest(
            features = {"HTTPRoute", "ReferenceGrant", "GatewayFrontendClientCertificateValidation"},
            manifests = "gateway-with-invalid-clientcertificate-validation.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayInvalidFrontendClientCertificateValidation(ConformanceRun t) {
        ObjectKey gw = infra("gateway-with-invalid-client-cert-validation");
        t.gatewayListenersMustHaveConditions(gw, LISTENER_READY, "https");
        t.gatewayListenersMustHaveConditions(
                gw,
                List.of(
                        isFalse("ResolvedRefs", "InvalidCACertificateRef"),
                        isFalse("Accepted", "NoValidCACertificate"),
                        isFalse("Programmed")),
                "https-unresolved");
        t.gatewayListenersMustHaveConditions(
                gw,
                List.of(
                        isFalse("ResolvedRefs", "InvalidCACertificateKind"),
                        isFalse("Accepted", "NoValidCACertificate"),
                        isFalse("Programmed")),
                "https-invalid-kind");
        t.gatewayListenersMustHaveConditions(
                gw,
                List.of(
                        isFalse("ResolvedRefs", "RefNotPermitted"),
                        isFalse("Accepted", "NoValidCACertificate"),
                        isFalse("Programmed")),
                "https-grant-missing");
    }

    @ConformanceTest(manifests = "gatewayclass-observed-generation-bump.yaml")
    @Execution(ExecutionMode.CONCURRENT)
    void GatewayClassObservedGenerationBump(ConformanceRun t) {
        String name = "gatewayclass-observed-generation-bump";
        t.gatewayClassMustHaveLatestConditionsWithAccepted(name);
        long before = Checks.generation(t.gatewayClass(name));
        t.edit(GatewayClass.class, new ObjectKey("", name), gc -> gc.getSpec().setDescription("new"));
        t.gatewayClassMustHaveLatestConditionsWithAccepted(name);
        assertNotEquals(before, Checks.generation(t.gatewayClass(name)), "generation should change after an update");
        assertEquals("new", t.gatewayClass(name).getSpec().getDescription());
    }
}
