package dev.gantry.xds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a proxy is served of a route whose rules are partly invalid: the valid rules, and nothing of the dropped ones
 * (the route's status says which were dropped; see the controller's {@code RoutePartiallyInvalidTest}).
 */
class PartiallyInvalidRouteXdsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private ShardHarness harness;

    @BeforeEach
    void start() {
        harness = new ShardHarness();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private static List<String> paths(AdsClient client) {
        RouteConfiguration table = client.resource(AdsClient.ROUTE, "http-80", RouteConfiguration.class);
        if (table == null) {
            return List.of();
        }
        return table.getVirtualHostsList().stream()
                .map(VirtualHost::getRoutesList)
                .flatMap(List::stream)
                .map(Route::getMatch)
                .map(m -> m.hasSafeRegex()
                        ? "regex:" + m.getSafeRegex().getRegex()
                        : m.hasPathSeparatedPrefix() ? m.getPathSeparatedPrefix() : m.getPrefix() + m.getPath())
                .toList();
    }

    @Test
    void onlyTheValidRulesOfAPartlyInvalidRouteAreServed() {
        XdsShard shard = harness.startShard(0, 1, 0, Map.of());
        harness.gatewayWithRoutes("apps", "gw", 1);
        harness.apply(new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("mixed")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("gw")
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/ok")
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("RegularExpression")
                .withValue("/([a-z]")
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .withName("ext")
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/ext")
                .endPath()
                .endMatch()
                .addNewFilter()
                .withType("ExtensionRef")
                .withNewExtensionRef()
                .withGroup("example.com")
                .withKind("Auth")
                .withName("auth")
                .endExtensionRef()
                .endFilter()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("RegularExpression")
                .withValue("/v[0-9]+")
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());

        AdsClient proxy = AdsClient.connect(
                "127.0.0.1", shard.xdsPort(), harness.transport("apps/gw"), "p", "apps/gw", AdsClient.Protocol.DELTA);
        harness.track(proxy);
        Eventually.await(
                TIMEOUT,
                "the valid rules of the partly invalid route served",
                () -> paths(proxy).contains("/ok") && paths(proxy).contains("regex:/v[0-9]+"),
                () -> paths(proxy).toString());
        List<String> served = paths(proxy);
        assertFalse(served.contains("/ext"), served.toString());
        assertFalse(served.stream().anyMatch(p -> p.contains("([a-z]")), served.toString());
        assertTrue(served.contains("/r0"), served.toString());
        assertEquals(0, proxy.nacksSent(), "the proxy refused nothing");
        assertEquals(0, proxy.makeBeforeBreakViolations(), "no route names a cluster the proxy lacks");
    }
}
