package dev.gantry.translate;

import java.util.Objects;

/**
 * The settings translation depends on.
 *
 * @param controllerName the GatewayClass controllerName Gantry serves
 * @param clusterDomain DNS suffix of Services, for addresses and DNS names
 * @param maxListenersPerGateway cap on the merged listener list of one Gateway; later listeners get
 *     {@code TooManyListeners}
 * @param proxyDefaults proxy parameters before GatewayClass and Gateway overrides
 */
public record TranslatorConfig(
        String controllerName, String clusterDomain, int maxListenersPerGateway, ProxyParameters proxyDefaults) {

    public static final String DEFAULT_CONTROLLER_NAME = "gantry.dev/gateway-controller";

    public TranslatorConfig {
        Objects.requireNonNull(controllerName, "controllerName");
        Objects.requireNonNull(clusterDomain, "clusterDomain");
        Objects.requireNonNull(proxyDefaults, "proxyDefaults");
        if (maxListenersPerGateway < 1) {
            throw new IllegalArgumentException("maxListenersPerGateway must be positive");
        }
    }

    public static TranslatorConfig defaults() {
        return new TranslatorConfig(
                DEFAULT_CONTROLLER_NAME,
                "cluster.local",
                10_000,
                ProxyParameters.defaults("docker.io/envoyproxy/envoy:v1.36.2", 2));
    }
}
