package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.kube.InMemoryDispatcher;
import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A status the API refuses as invalid (422) is not written again and again: it is said once, and the next change of
 * the desired status is written afresh.
 */
class StatusRefusedTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String STATUS_PATH = "/apis/gateway.networking.k8s.io/v1/namespaces/apps/gateways/gw/status";
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = ControllerHarness.withController();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private static Gateway gateway(int port) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewAddress()
                .withType("IPAddress")
                .withValue("10.0.0.1")
                .endAddress()
                .addNewListener()
                .withName("http")
                .withPort(port)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build();
    }

    private long statusWrites(Predicate<InMemoryDispatcher.Call> which) {
        return harness.api.requestLog().stream()
                .filter(c -> c.method().equals("PUT")
                        && c.path().startsWith(STATUS_PATH)
                        && c.userAgent() != null
                        && c.userAgent().startsWith("gantry-controller/"))
                .filter(which)
                .count();
    }

    /** The generation the Gateway's written status speaks of, or -1 before any. */
    private long statusGeneration() {
        Gateway gateway = harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("gw")
                .get();
        return gateway == null
                        || gateway.getStatus() == null
                        || gateway.getStatus().getConditions() == null
                        || gateway.getStatus().getConditions().isEmpty()
                ? -1
                : gateway.getStatus().getConditions().getFirst().getObservedGeneration();
    }

    @Test
    void aRefusedStatusIsNotRetriedAndTheNextDesiredStatusIsWritten() throws InterruptedException {
        harness.api.injectFault("PUT", STATUS_PATH + ".*", 422, 1);
        harness.apply(gateway(80));
        Eventually.await(TIMEOUT, "the status write refused", () -> statusWrites(c -> c.code() == 422) == 1);
        Thread.sleep(2_000); // the writer retries other failures within a second or so
        assertEquals(0, statusWrites(c -> c.code() != 422), "a refused status is not written again");

        harness.apply(gateway(8080));
        Eventually.await(
                TIMEOUT,
                "the next desired status written",
                () -> statusWrites(c -> c.code() == 200) >= 1 && statusGeneration() == 2);
    }
}
