package dev.gantry.helm;

import static dev.gantry.helm.Chart.kind;
import static dev.gantry.helm.Chart.list;
import static dev.gantry.helm.Chart.maps;
import static dev.gantry.helm.Chart.name;
import static dev.gantry.helm.Chart.podSpec;
import static dev.gantry.helm.Chart.render;
import static dev.gantry.helm.Chart.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.helm.Chart.Rendered;
import dev.gantry.model.Kind;
import dev.gantry.model.Kinds;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What the chart's RBAC lets each component do: the controller what it needs, the shards only read. */
class HelmChartRbacTest {

    private static final String CLUSTER = "cluster";
    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> GATEWAY_API = List.of(
            "gatewayclasses",
            "gateways",
            "listenersets",
            "httproutes",
            "grpcroutes",
            "tlsroutes",
            "tcproutes",
            "udproutes",
            "referencegrants",
            "backendtlspolicies");
    private static final List<String> WITH_STATUS =
            GATEWAY_API.stream().filter(r -> !r.equals("referencegrants")).toList();

    /** One permission: "scope group/resource[/name] verb", the scope being "cluster" or a namespace. */
    record Grant(String scope, String group, String resource, String resourceName, String verb)
            implements Comparable<Grant> {
        @Override
        public String toString() {
            return scope + " " + (group.isEmpty() ? "core" : group) + "/" + resource
                    + (resourceName.equals("*") ? "" : "[" + resourceName + "]") + " " + verb;
        }

        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }
    }

    @Test
    void everyInputKindOfTranslationIsReadable() {
        // The chart's list of inputs is the code's list of inputs.
        Set<Grant> expected = new TreeSet<>();
        for (Kind<?> kind : Kinds.ALL) {
            READ.forEach(v -> expected.add(new Grant(CLUSTER, kind.group(), kind.plural(), "*", v)));
        }
        assertEquals(expected, readGrants());
    }

    @Test
    void shardsOnlyRead() {
        Rendered r = render();
        Set<Grant> grants = grantsOf(r, serviceAccountOf(r.shards()));
        assertFalse(grants.isEmpty());
        for (Grant grant : grants) {
            assertTrue(READ.contains(grant.verb()), "shards must not write: " + grant);
            assertEquals(CLUSTER, grant.scope(), grant.toString());
        }
        assertEquals(readGrants(), grants);
        // And the roles themselves, whatever they are bound to.
        for (Map<String, Object> role : roles(r, "gantry-xds-shard")) {
            for (Map<String, Object> rule : maps(role.get("rules"))) {
                assertTrue(READ.containsAll(list(rule.get("verbs"))), name(role) + ": " + rule);
            }
        }
    }

    @Test
    void controllerGetsExactlyWhatItNeeds() {
        Rendered r = render();
        Set<Grant> expected = new TreeSet<>(readGrants());
        String gw = "gateway.networking.k8s.io";
        for (String resource : WITH_STATUS) {
            for (String verb : List.of("get", "update", "patch")) {
                expected.add(new Grant(CLUSTER, gw, resource + "/status", "*", verb));
            }
        }
        expected.add(new Grant(CLUSTER, gw, "gateways/finalizers", "*", "update"));
        for (String verb : List.of("create", "update", "patch", "delete")) {
            expected.add(new Grant(CLUSTER, gw, "gatewayclasses", "*", verb));
            // What it provisions for each Gateway.
            expected.add(new Grant(CLUSTER, "apps", "deployments", "*", verb));
            expected.add(new Grant(CLUSTER, "", "services", "*", verb));
            expected.add(new Grant(CLUSTER, "", "configmaps", "*", verb));
            expected.add(new Grant(CLUSTER, "", "serviceaccounts", "*", verb));
        }
        for (String verb : READ) {
            // Provisioned kinds that are not inputs: it reads back what it manages.
            expected.add(new Grant(CLUSTER, "apps", "deployments", "*", verb));
            expected.add(new Grant(CLUSTER, "", "serviceaccounts", "*", verb));
        }
        for (String verb : List.of("create", "update", "delete")) {
            // The xDS plane's credentials: the CA and serving Secrets, and each Gateway's proxy credential in the
            // Gateway's namespace (read through the secrets of readGrants()). No patch.
            expected.add(new Grant(CLUSTER, "", "secrets", "*", verb));
        }
        for (String verb : List.of("create", "patch")) {
            expected.add(new Grant(CLUSTER, "", "events", "*", verb));
            expected.add(new Grant(CLUSTER, "events.k8s.io", "events", "*", verb));
        }
        String ns = Chart.NAMESPACE;
        expected.add(new Grant(ns, "coordination.k8s.io", "leases", "*", "create"));
        expected.add(new Grant(ns, "coordination.k8s.io", "leases", "gantry-controller", "get"));
        expected.add(new Grant(ns, "coordination.k8s.io", "leases", "gantry-controller", "update"));

        Set<Grant> actual = grantsOf(r, serviceAccountOf(r.controller()));
        Set<Grant> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        Set<Grant> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(), "missing " + missing + "\nextra " + extra);
    }

    @Test
    void onlyTheControllerWritesSecrets() {
        for (Map<String, Object> sets : List.<Map<String, Object>>of(
                Map.of(), Map.of("xds.tls.enabled", false), Map.of("networkPolicy.enabled", true))) {
            Rendered r = render(sets);
            Set<Grant> controller = grantsOf(r, serviceAccountOf(r.controller()));
            Set<Grant> shards = grantsOf(r, serviceAccountOf(r.shards()));
            for (String verb : List.of("create", "update", "delete")) {
                assertTrue(controller.contains(new Grant(CLUSTER, "", "secrets", "*", verb)), sets + ": " + verb);
            }
            assertFalse(controller.contains(new Grant(CLUSTER, "", "secrets", "*", "patch")), sets.toString());
            assertFalse(
                    controller.contains(new Grant(CLUSTER, "", "secrets", "*", "deletecollection")), sets.toString());
            assertEquals(
                    readGrants(), shards, sets + ": the shards read their Secrets through informers, nothing more");
        }
    }

    @Test
    void leaseRoleFollowsTheLeaseName() {
        Rendered r = render(Map.of("controller.leaderElection.leaseName", "edge-leader"));
        Set<Grant> grants = grantsOf(r, serviceAccountOf(r.controller()));
        assertTrue(
                grants.contains(new Grant(Chart.NAMESPACE, "coordination.k8s.io", "leases", "edge-leader", "update")));
        assertEquals(
                "edge-leader",
                Chart.env(Chart.container(r.controller(), "controller")).get("GANTRY_LEASE_NAME"));
    }

    @Test
    void noWildcardsAndNoEscalation() {
        Rendered r = render(Map.of("crds.install", false));
        for (String kind : List.of("ClusterRole", "Role")) {
            for (Map<String, Object> role : r.all(kind)) {
                for (Map<String, Object> rule : maps(role.get("rules"))) {
                    for (String field : List.of("apiGroups", "resources", "verbs")) {
                        assertFalse(list(rule.get(field)).contains("*"), name(role) + " " + field + ": " + rule);
                    }
                    for (String verb : List.of("escalate", "bind", "impersonate", "deletecollection")) {
                        assertFalse(list(rule.get("verbs")).contains(verb), name(role) + ": " + rule);
                    }
                }
            }
        }
    }

    @Test
    void rbacCanBeLeftToSomeoneElse() {
        Rendered r = render(Map.of("rbac.create", false));
        for (Map<String, Object> doc : r.documents()) {
            assertFalse(
                    List.of("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
                            .contains(kind(doc)),
                    kind(doc) + " " + name(doc));
        }
    }

    @Test
    void serviceAccountsCanBeNamed() {
        Rendered r = render(Map.of("controller.serviceAccount.name", "ctl", "shards.serviceAccount.name", "xds"));
        assertEquals("ctl", serviceAccountOf(r.controller()));
        assertEquals("xds", serviceAccountOf(r.shards()));
        r.one("ServiceAccount", "ctl");
        r.one("ServiceAccount", "xds");
        assertFalse(grantsOf(r, "ctl").isEmpty());
        assertFalse(grantsOf(r, "xds").isEmpty());
    }

    // ----

    private static Set<Grant> readGrants() {
        Set<Grant> grants = new TreeSet<>();
        for (String resource : GATEWAY_API) {
            READ.forEach(v -> grants.add(new Grant(CLUSTER, "gateway.networking.k8s.io", resource, "*", v)));
        }
        for (String resource : List.of("services", "secrets", "configmaps", "namespaces")) {
            READ.forEach(v -> grants.add(new Grant(CLUSTER, "", resource, "*", v)));
        }
        READ.forEach(v -> grants.add(new Grant(CLUSTER, "discovery.k8s.io", "endpointslices", "*", v)));
        return grants;
    }

    static String serviceAccountOf(Map<String, Object> workload) {
        return string(podSpec(workload), "serviceAccountName");
    }

    private static List<Map<String, Object>> roles(Rendered r, String name) {
        return r.documents().stream()
                .filter(d -> List.of("ClusterRole", "Role").contains(kind(d)) && name(d).startsWith(name))
                .toList();
    }

    /** Every permission the rendered bindings give a ServiceAccount of the release namespace. */
    static Set<Grant> grantsOf(Rendered r, String serviceAccount) {
        Set<Grant> grants = new TreeSet<>();
        for (String bindingKind : List.of("ClusterRoleBinding", "RoleBinding")) {
            for (Map<String, Object> binding : r.all(bindingKind)) {
                boolean bound = maps(binding.get("subjects")).stream()
                        .anyMatch(s -> "ServiceAccount".equals(s.get("kind"))
                                && serviceAccount.equals(s.get("name"))
                                && Chart.NAMESPACE.equals(s.get("namespace")));
                if (!bound) {
                    continue;
                }
                String roleKind = string(binding, "roleRef", "kind");
                Map<String, Object> role = r.one(roleKind, string(binding, "roleRef", "name"));
                String scope =
                        bindingKind.equals("ClusterRoleBinding") ? CLUSTER : string(binding, "metadata", "namespace");
                if (roleKind.equals("Role")) {
                    assertEquals(scope, string(role, "metadata", "namespace"));
                }
                for (Map<String, Object> rule : maps(role.get("rules"))) {
                    List<Object> names =
                            list(rule.get("resourceNames")).isEmpty() ? List.of("*") : list(rule.get("resourceNames"));
                    for (Object group : list(rule.get("apiGroups"))) {
                        for (Object resource : list(rule.get("resources"))) {
                            for (Object resourceName : names) {
                                for (Object verb : list(rule.get("verbs"))) {
                                    grants.add(new Grant(
                                            scope,
                                            group.toString(),
                                            resource.toString(),
                                            resourceName.toString(),
                                            verb.toString()));
                                }
                            }
                        }
                    }
                }
            }
        }
        return grants;
    }
}
