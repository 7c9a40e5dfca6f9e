package dev.gantry.helm;

import static dev.gantry.helm.Chart.at;
import static dev.gantry.helm.Chart.list;
import static dev.gantry.helm.Chart.map;
import static dev.gantry.helm.Chart.maps;
import static dev.gantry.helm.Chart.name;
import static dev.gantry.helm.Chart.render;
import static dev.gantry.helm.Chart.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.helm.Chart.Rendered;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The opt-in NetworkPolicies: xDS only from the provisioned proxies, the admin port only from monitoring. */
class HelmChartNetworkPolicyTest {

    private static final Map<String, Object> PROXIES = Map.of(
            "namespaceSelector", Map.of(),
            "podSelector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "gantry-proxy")));
    private static final Map<String, Object> MONITORING_NAMESPACE =
            Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring"));
    private static final Map<String, Object> PROMETHEUS =
            Map.of("matchLabels", Map.of("app.kubernetes.io/name", "prometheus"));

    @Test
    void absentByDefault() {
        assertTrue(render().all("NetworkPolicy").isEmpty(), "NetworkPolicies are opt-in");
        assertFalse(render().yaml().contains("NetworkPolicy"));
    }

    @Test
    void withoutMonitoringSelectorsOnlyTheProxiesGetIn() {
        Rendered r = render(Map.of("networkPolicy.enabled", true));
        assertEquals(2, r.all("NetworkPolicy").size());

        Map<String, Object> shards = shardPolicy(r);
        assertEquals(Map.of(18000, List.of(PROXIES)), admitted(shards));

        Map<String, Object> controller = controllerPolicy(r);
        assertEquals(Map.of(), admitted(controller), "no pod reaches the controller without monitoring selectors");
        assertEquals(
                List.of("Ingress"),
                at(controller, "spec", "policyTypes"),
                "an Ingress policy with no rule admits nothing");
    }

    @Test
    void monitoringSelectorsAdmitOnlyTheAdminPort() {
        Rendered r = render(Map.of(
                "networkPolicy.enabled",
                true,
                "networkPolicy.monitoring.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
                "monitoring",
                "networkPolicy.monitoring.podSelector.matchLabels.app\\.kubernetes\\.io/name",
                "prometheus"));
        // One peer: the Prometheus pods of the monitoring namespace (both selectors at once), not either alone.
        Map<String, Object> monitoring = Map.of("namespaceSelector", MONITORING_NAMESPACE, "podSelector", PROMETHEUS);
        assertEquals(Map.of(18000, List.of(PROXIES), 9090, List.of(monitoring)), admitted(shardPolicy(r)));
        assertEquals(Map.of(9090, List.of(monitoring)), admitted(controllerPolicy(r)));
    }

    @Test
    void eitherMonitoringSelectorAloneIsOnePeer() {
        Rendered namespaces = render(Map.of(
                "networkPolicy.enabled",
                true,
                "networkPolicy.monitoring.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name",
                "monitoring"));
        assertEquals(
                List.of(Map.of("namespaceSelector", MONITORING_NAMESPACE)),
                admitted(shardPolicy(namespaces)).get(9090));
        assertEquals(
                Map.of(9090, List.of(Map.of("namespaceSelector", MONITORING_NAMESPACE))),
                admitted(controllerPolicy(namespaces)));

        // A podSelector alone is a peer of the release namespace.
        Rendered pods = render(Map.of(
                "networkPolicy.enabled",
                true,
                "networkPolicy.monitoring.podSelector.matchLabels.app\\.kubernetes\\.io/name",
                "prometheus"));
        assertEquals(
                List.of(Map.of("podSelector", PROMETHEUS)),
                admitted(shardPolicy(pods)).get(9090));
        assertEquals(Map.of(9090, List.of(Map.of("podSelector", PROMETHEUS))), admitted(controllerPolicy(pods)));
    }

    @Test
    void xdsFromAddsPeersToTheXdsPortOnly() {
        Rendered r = render(Map.of(
                "networkPolicy.enabled",
                true,
                "networkPolicy.xdsFrom[0].ipBlock.cidr",
                "10.0.0.0/8",
                "networkPolicy.xdsFrom[1].namespaceSelector.matchLabels.team",
                "edge"));
        assertEquals(
                Map.of(
                        18000,
                        List.of(
                                PROXIES,
                                Map.of("ipBlock", Map.of("cidr", "10.0.0.0/8")),
                                Map.of("namespaceSelector", Map.of("matchLabels", Map.of("team", "edge"))))),
                admitted(shardPolicy(r)));
        assertEquals(Map.of(), admitted(controllerPolicy(r)));
    }

    @Test
    void portsFollowTheValues() {
        Rendered r = render(Map.of(
                "networkPolicy.enabled",
                true,
                "xds.port",
                15010,
                "adminPort",
                8081,
                "networkPolicy.monitoring.podSelector.matchLabels.app",
                "prometheus"));
        assertEquals(
                List.of(15010, 8081), new ArrayList<>(admitted(shardPolicy(r)).keySet()));
        assertEquals(
                List.of(8081), new ArrayList<>(admitted(controllerPolicy(r)).keySet()));
    }

    @Test
    void eachPolicySelectsItsOwnPodsOnly() {
        Rendered r = render(Map.of("networkPolicy.enabled", true));
        Map<String, Object> controllerPods = map(at(r.controller(), "spec", "template", "metadata", "labels"));
        Map<String, Object> shardPods = map(at(r.shards(), "spec", "template", "metadata", "labels"));
        Map<String, Object> shards = shardPolicy(r);
        Map<String, Object> controller = controllerPolicy(r);
        assertEquals(
                at(r.shards(), "spec", "selector", "matchLabels"), at(shards, "spec", "podSelector", "matchLabels"));
        assertEquals(
                at(r.controller(), "spec", "selector", "matchLabels"),
                at(controller, "spec", "podSelector", "matchLabels"));
        assertTrue(selects(shards, shardPods) && !selects(shards, controllerPods));
        assertTrue(selects(controller, controllerPods) && !selects(controller, shardPods));
        for (Map<String, Object> policy : List.of(shards, controller)) {
            assertEquals(Chart.NAMESPACE, string(policy, "metadata", "namespace"), name(policy));
            assertEquals(
                    List.of("Ingress"), at(policy, "spec", "policyTypes"), name(policy) + " restricts ingress only");
            assertEquals("networking.k8s.io/v1", policy.get("apiVersion"));
        }
    }

    // ----

    private static Map<String, Object> shardPolicy(Rendered r) {
        return r.one("NetworkPolicy", "gantry-xds-shard");
    }

    private static Map<String, Object> controllerPolicy(Rendered r) {
        return r.one("NetworkPolicy", "gantry-controller");
    }

    /** Who each ingress rule admits, by port (in the order of the rules). Every rule names its ports. */
    private static Map<Integer, List<Object>> admitted(Map<String, Object> policy) {
        Map<Integer, List<Object>> admitted = new LinkedHashMap<>();
        for (Map<String, Object> rule : maps(at(policy, "spec", "ingress"))) {
            List<Map<String, Object>> ports = maps(rule.get("ports"));
            assertFalse(ports.isEmpty(), name(policy) + ": a rule without ports admits every port: " + rule);
            List<Object> from = list(rule.get("from"));
            assertFalse(from.isEmpty(), name(policy) + ": a rule without peers admits everyone: " + rule);
            for (Map<String, Object> port : ports) {
                assertEquals("TCP", port.get("protocol"), name(policy));
                assertFalse(admitted.containsKey((Integer) port.get("port")), name(policy) + ": one rule per port");
                admitted.put((Integer) port.get("port"), from);
            }
        }
        return admitted;
    }

    private static boolean selects(Map<String, Object> policy, Map<String, Object> podLabels) {
        return podLabels
                .entrySet()
                .containsAll(new TreeMap<>(map(at(policy, "spec", "podSelector", "matchLabels"))).entrySet());
    }
}
