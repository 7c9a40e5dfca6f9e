package dev.gantry.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.config.GantrySettings;
import dev.gantry.kube.InMemoryDispatcher;
import dev.gantry.testing.Conditions;
import dev.gantry.testing.Eventually;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControllerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Map<String, String> NO_PROXIES = Map.of("PROVISION_PROXIES", "false");
    private ControllerHarness harness;

    @BeforeEach
    void start() {
        harness = new ControllerHarness();
        harness.namespace("apps", Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private static Gateway gateway(String name) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withName(name)
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
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build();
    }

    private static HTTPRoute route(String name, String gateway) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(gateway)
                .endParentRef()
                .addNewRule()
                .endRule()
                .endSpec()
                .build();
    }

    private boolean routeAccepted(String name) {
        HTTPRoute route = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName(name)
                .get();
        return route != null
                && route.getStatus() != null
                && !route.getStatus().getParents().isEmpty()
                && Conditions.has(
                        route.getStatus().getParents().getFirst().getConditions(),
                        "Accepted",
                        "True",
                        "Accepted",
                        route.getMetadata().getGeneration());
    }

    private boolean gatewayProgrammed(String name) {
        Gateway gw = harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName(name)
                .get();
        return gw != null
                && gw.getStatus() != null
                && Conditions.has(
                        gw.getStatus().getConditions(),
                        "Programmed",
                        "True",
                        "Programmed",
                        gw.getMetadata().getGeneration());
    }

    private static boolean isStatusWrite(InMemoryDispatcher.Call call) {
        return call.method().equals("PUT") && call.path().contains("/status");
    }

    private static boolean isLeaseCall(InMemoryDispatcher.Call call) {
        return call.path().contains("/leases");
    }

    @Test
    void exactlyOneLeaderWritesAndTheOtherTakesOverWhenItStops() {
        Controller a = harness.startController("replica-a", NO_PROXIES);
        Controller b = harness.startController("replica-b", NO_PROXIES);
        harness.apply(gateway("gw"), route("before", "gw"));
        Eventually.await(TIMEOUT, "a leader wrote status", () -> routeAccepted("before") && gatewayProgrammed("gw"));
        assertTrue(a.isLeader() ^ b.isLeader(), "exactly one leader");
        Controller leader = a.isLeader() ? a : b;
        Controller follower = leader == a ? b : a;
        String followerAgent = "gantry-controller/" + (follower == a ? "replica-a" : "replica-b");

        leader.close();
        long stopped = System.nanoTime();
        harness.apply(route("after", "gw"));
        Eventually.await(TIMEOUT, "the follower takes over and writes", () -> routeAccepted("after"));
        double seconds = (System.nanoTime() - stopped) / 1e9;
        assertTrue(follower.isLeader());
        assertTrue(seconds < 3 + 2, "took " + seconds + " s; lease duration is 3 s");

        // The request log: before its Lease update succeeded, the follower wrote nothing but the Lease.
        List<InMemoryDispatcher.Call> log = harness.api.requestLog();
        int tookLease = -1;
        for (int i = 0; i < log.size(); i++) {
            InMemoryDispatcher.Call call = log.get(i);
            if (call.userAgent().equals(followerAgent)
                    && isLeaseCall(call)
                    && call.isWrite()
                    && call.code() < 300
                    && i > 0) {
                tookLease = i;
            }
            if (call.userAgent().equals(followerAgent) && call.isWrite() && !isLeaseCall(call)) {
                assertTrue(tookLease >= 0, "write by the follower before it held the Lease: " + call);
            }
        }
    }

    @Test
    void aLeaderThatCannotRenewStopsWritingAndExitsAndAFollowerTakesOver() {
        AtomicInteger exits = new AtomicInteger();
        Controller a =
                harness.startController(ControllerHarness.settings("replica-a", NO_PROXIES), exits::incrementAndGet);
        harness.apply(gateway("gw"), route("before", "gw"));
        Eventually.await(TIMEOUT, "replica-a leads and writes", () -> a.isLeader() && routeAccepted("before"));
        Controller b = harness.startController(ControllerHarness.settings("replica-b", NO_PROXIES), () -> {});
        // replica-a's Lease renewals now fail, as if it were cut off from the API server; it does not release.
        harness.api.injectFault("PUT", "/leases/gantry-controller$", "gantry-controller/replica-a", 500, 1_000_000);
        harness.api.injectFault("GET", "/leases/gantry-controller$", "gantry-controller/replica-a", 500, 1_000_000);
        long cut = System.nanoTime();
        Eventually.await(
                TIMEOUT,
                "replica-a gives up: stops leading and calls its exit hook",
                () -> !a.isLeader() && exits.get() == 1);
        harness.apply(route("after", "gw"));
        Eventually.await(TIMEOUT, "replica-b takes over and writes", () -> b.isLeader() && routeAccepted("after"));
        double seconds = (System.nanoTime() - cut) / 1e9;
        assertTrue(seconds < 3 + 2 + 1, "took over " + seconds + " s after the cut; the lease lasts 3 s");
        long lateWrites = harness.api.requestLog().stream()
                .filter(c -> c.userAgent().equals("gantry-controller/replica-a")
                        && c.isWrite()
                        && !isLeaseCall(c)
                        && c.path().contains("/after"))
                .count();
        assertEquals(0, lateWrites, "the old leader wrote nothing about the new route");
    }

    @Test
    void theDefaultGatewayClassIsRecreatedRestoredAndLeftToOthersWhenAUserSaysSo() {
        harness.startController("replica-a", NO_PROXIES);
        Eventually.await(TIMEOUT, "the default class, accepted", () -> {
            GatewayClass gc = harness.client
                    .resources(GatewayClass.class)
                    .withName("gantry")
                    .get();
            return gc != null
                    && gc.getStatus() != null
                    && Conditions.has(gc.getStatus().getConditions(), "Accepted", "True", "Accepted", null)
                    && !gc.getStatus().getSupportedFeatures().isEmpty();
        });
        // A user's annotation and description stay; an owned label edited away comes back.
        editClass(edited -> {
            edited.getMetadata().setAnnotations(Map.of("team", "platform"));
            edited.getMetadata()
                    .setLabels(new HashMap<>(Map.of("app.kubernetes.io/managed-by", "someone", "tier", "gold")));
            edited.getSpec().setDescription("our own words");
        });
        Eventually.await(TIMEOUT, "the owned label restored, the user's changes kept", () -> {
            GatewayClass gc = harness.client
                    .resources(GatewayClass.class)
                    .withName("gantry")
                    .get();
            return "gantry".equals(gc.getMetadata().getLabels().get("app.kubernetes.io/managed-by"))
                    && "gold".equals(gc.getMetadata().getLabels().get("tier"))
                    && "platform".equals(gc.getMetadata().getAnnotations().get("team"))
                    && "our own words".equals(gc.getSpec().getDescription());
        });
        // Deleted: re-created.
        String firstUid = harness.client
                .resources(GatewayClass.class)
                .withName("gantry")
                .get()
                .getMetadata()
                .getUid();
        harness.client.resources(GatewayClass.class).withName("gantry").delete();
        Eventually.await(TIMEOUT, "re-created", () -> {
            GatewayClass gc = harness.client
                    .resources(GatewayClass.class)
                    .withName("gantry")
                    .get();
            return gc != null && !gc.getMetadata().getUid().equals(firstUid);
        });
        // Pointed at another controller: left alone, with an Event. A class's controllerName cannot be changed (the
        // CRD's rule), so the user deletes the class and creates their own of the same name before the controller
        // re-creates it.
        handOverClass("example.com/other");
        Eventually.await(
                TIMEOUT,
                "an Event",
                () -> harness.client.v1().events().inNamespace("default").list().getItems().stream()
                        .anyMatch(e -> "ControllerNameChanged".equals(e.getReason())));
        sleep(500);
        GatewayClass after =
                harness.client.resources(GatewayClass.class).withName("gantry").get();
        assertEquals("example.com/other", after.getSpec().getControllerName());
        assertFalse(after.getMetadata().getLabels().containsKey("app.kubernetes.io/managed-by"), "not fought over");
    }

    /** A user's own class in place of the default one: delete it and create theirs, until theirs is the one kept. */
    private void handOverClass(String controllerName) {
        for (int attempt = 0; ; attempt++) {
            harness.client.resources(GatewayClass.class).withName("gantry").delete();
            try {
                harness.client
                        .resource(new GatewayClassBuilder()
                                .withNewMetadata()
                                .withName("gantry")
                                .endMetadata()
                                .withNewSpec()
                                .withControllerName(controllerName)
                                .endSpec()
                                .build())
                        .create();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** A user's edit of the default class: read, change, write; on 409 (the controller wrote first) again. */
    private void editClass(Consumer<GatewayClass> change) {
        for (int attempt = 0; ; attempt++) {
            GatewayClass current = harness.client
                    .resources(GatewayClass.class)
                    .withName("gantry")
                    .get();
            change.accept(current);
            try {
                harness.client.resource(current).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    @Test
    void classesOfOtherControllersAreNeverTouched() {
        harness.apply(new GatewayClassBuilder()
                .withNewMetadata()
                .withName("theirs")
                .endMetadata()
                .withNewSpec()
                .withControllerName("example.com/other")
                .endSpec()
                .build());
        harness.startController("replica-a", NO_PROXIES);
        harness.apply(new GatewayBuilder(gateway("theirs-gw"))
                .editSpec()
                .withGatewayClassName("theirs")
                .endSpec()
                .build());
        Eventually.await(TIMEOUT, "our own class accepted", () -> {
            GatewayClass gc = harness.client
                    .resources(GatewayClass.class)
                    .withName("gantry")
                    .get();
            return gc != null && gc.getStatus() != null;
        });
        sleep(500);
        GatewayClass theirs =
                harness.client.resources(GatewayClass.class).withName("theirs").get();
        assertEquals(null, theirs.getStatus());
        assertTrue(theirs.getMetadata().getFinalizers().isEmpty());
        assertEquals(
                null,
                harness.client
                        .resources(Gateway.class)
                        .inNamespace("apps")
                        .withName("theirs-gw")
                        .get()
                        .getStatus());
    }

    @Test
    void theGatewayExistsFinalizerFollowsTheGatewaysOfAClass() {
        harness.startController("replica-a", NO_PROXIES);
        harness.apply(gateway("gw"));
        Eventually.await(
                TIMEOUT,
                "finalizer added",
                () -> harness.client
                        .resources(GatewayClass.class)
                        .withName("gantry")
                        .get()
                        .getMetadata()
                        .getFinalizers()
                        .contains(GatewayClassManager.FINALIZER));
        harness.client
                .resources(Gateway.class)
                .inNamespace("apps")
                .withName("gw")
                .delete();
        Eventually.await(
                TIMEOUT,
                "finalizer removed",
                () -> !harness.client
                        .resources(GatewayClass.class)
                        .withName("gantry")
                        .get()
                        .getMetadata()
                        .getFinalizers()
                        .contains(GatewayClassManager.FINALIZER));
    }

    @Test
    void conflictsAreRetriedAndUnchangedStatusIsNotWritten() {
        harness.startController("replica-a", NO_PROXIES);
        harness.api.injectFault("PUT", "/httproutes/conflicted/status$", 409, 3);
        harness.apply(gateway("gw"), route("conflicted", "gw"));
        Eventually.await(TIMEOUT, "status written despite three conflicts", () -> routeAccepted("conflicted"));
        long conflicts = harness.api.requestLog().stream()
                .filter(c -> c.path().endsWith("/httproutes/conflicted/status") && c.code() == 409)
                .count();
        assertEquals(3, conflicts);

        sleep(500);
        long writesBefore = harness.api.requestLog().stream()
                .filter(ControllerTest::isStatusWrite)
                .count();
        // Changes that do not change any status: a label on the route, a new unrelated ConfigMap.
        HTTPRoute labelled = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName("conflicted")
                .get();
        labelled.getMetadata().setLabels(Map.of("touched", "yes"));
        harness.client.resource(labelled).update();
        harness.apply(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("noise")
                .withNamespace("apps")
                .endMetadata()
                .build());
        sleep(800);
        long writesAfter = harness.api.requestLog().stream()
                .filter(ControllerTest::isStatusWrite)
                .count();
        assertEquals(writesBefore, writesAfter, "unchanged status causes no write");
    }

    @Test
    void aStaleWriteLosesToTheNewestStatus() {
        harness.startController("replica-a", NO_PROXIES);
        harness.apply(gateway("gw"), route("moving", "gw"));
        Eventually.await(TIMEOUT, "accepted", () -> routeAccepted("moving"));
        // Point the route at a listener that does not exist, then back: the final status must be the last one.
        HTTPRoute route = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName("moving")
                .get();
        route.getSpec().getParentRefs().getFirst().setSectionName("nope");
        harness.client.resource(route).update();
        route = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName("moving")
                .get();
        route.getSpec().getParentRefs().getFirst().setSectionName(null);
        harness.client.resource(route).update();
        Eventually.await(TIMEOUT, "accepted at the newest generation", () -> routeAccepted("moving"));
        HTTPRoute current = harness.client
                .resources(HTTPRoute.class)
                .inNamespace("apps")
                .withName("moving")
                .get();
        assertEquals(
                current.getMetadata().getGeneration(),
                current.getStatus()
                        .getParents()
                        .getFirst()
                        .getConditions()
                        .getFirst()
                        .getObservedGeneration());
    }

    @Test
    void aMissingLeasePermissionStopsTheStartWithTheVerbNamed() {
        harness.api.injectFault("GET", "/leases/gantry-controller$", 403, 1);
        IllegalStateException error =
                assertThrows(IllegalStateException.class, () -> harness.startController("replica-a", NO_PROXIES));
        assertTrue(error.getMessage().contains("cannot get leases.coordination.k8s.io"), error.getMessage());
        harness.api.injectFault("PUT", "/leases/gantry-controller$", 403, 1);
        IllegalStateException update =
                assertThrows(IllegalStateException.class, () -> harness.startController("replica-b", NO_PROXIES));
        assertTrue(update.getMessage().contains("'update'"), update.getMessage());
    }

    @Test
    void badSettingsNameTheVariableAndTheValue() {
        Map<String, Map.Entry<String, String>> cases = Map.of(
                "GANTRY_LEASE_DURATION", Map.entry("forever", "duration"),
                "GANTRY_SHARD_COUNT", Map.entry("0", "whole number"),
                "GANTRY_STATUS_QPS", Map.entry("-1", "number"),
                "GANTRY_IMAGE_PULL_POLICY", Map.entry("Sometimes", "Always, IfNotPresent or Never"),
                "GANTRY_PROVISION_PROXIES", Map.entry("maybe", "true or false"),
                "GANTRY_GATEWAY_CLASS_NAME", Map.entry("Not_A_Name", "DNS name"));
        cases.forEach((variable, bad) -> {
            GantrySettings.InvalidSettingException error = assertThrows(
                    GantrySettings.InvalidSettingException.class,
                    () -> GantrySettings.fromEnvironment(Map.of(variable, bad.getKey())));
            assertEquals(variable, error.variable());
            assertTrue(
                    error.getMessage().contains(bad.getKey())
                            && error.getMessage().contains(bad.getValue()),
                    error.getMessage());
        });
        GantrySettings.InvalidSettingException order = assertThrows(
                GantrySettings.InvalidSettingException.class,
                () -> GantrySettings.fromEnvironment(
                        Map.of("GANTRY_LEASE_DURATION", "5s", "GANTRY_RENEW_DEADLINE", "10s")));
        assertEquals("GANTRY_RENEW_DEADLINE", order.variable());
        assertEquals(
                List.of("GANTRY_LEAS_DURATION"),
                GantrySettings.unknownVariables(Map.of("GANTRY_LEAS_DURATION", "5s", "PATH", "/bin")));
    }

    @Test
    void metricsReportLeadershipWritesAndTenantProblems() throws Exception {
        Controller controller = harness.startController("replica-a", NO_PROXIES);
        harness.apply(gateway("gw"), route("ok", "gw"));
        harness.apply(new HTTPRouteBuilder(route("lost", "gw"))
                .editSpec()
                .editFirstParentRef()
                .withSectionName("none")
                .endParentRef()
                .endSpec()
                .build());
        Eventually.await(TIMEOUT, "statuses written", () -> routeAccepted("ok"));
        var http = HttpClient.newHttpClient();
        Eventually.await(TIMEOUT, "metrics", () -> {
            try {
                String metrics = http.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + controller.adminPort() + "/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                return metrics.contains("gantry_controller_leader 1.0")
                        && metrics.contains("gantry_controller_status_writes_total{kind=\"HTTPRoute\",result=\"ok\"}")
                        && metrics.contains("gantry_routes_not_accepted{reason=\"NoMatchingParent\"} 1.0")
                        && metrics.contains("gantry_controller_reconcile_seconds_count");
            } catch (Exception e) {
                return false;
            }
        });
        assertNotEquals(-1, controller.adminPort());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
