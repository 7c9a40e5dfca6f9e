package dev.gantry.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The discovery documents of the in-memory API ({@code /version}, {@code /api}, {@code /apis} and each group and group
 * version), as a real API server serves them: the built-in groups clients look up, and every stored CRD's served
 * versions.
 */
final class ApiDiscovery {

    private static final Pattern GROUP_VERSION = Pattern.compile("^/apis/([^/]+)/([^/]+)/?$");
    private static final Pattern GROUP = Pattern.compile("^/apis/([^/]+)/?$");

    private record Resource(String plural, String kind, boolean namespaced, boolean status, List<String> shortNames) {}

    private static final Map<String, List<Resource>> BUILT_IN = builtIn();

    private final KubernetesCrudDispatcher crud;
    private volatile String serverAddress = "127.0.0.1:0";

    ApiDiscovery(KubernetesCrudDispatcher crud) {
        this.crud = crud;
    }

    /** The address {@code /api} tells clients to use. */
    void setServerAddress(String address) {
        this.serverAddress = address;
    }

    private static Map<String, List<Resource>> builtIn() {
        Map<String, List<Resource>> groups = new LinkedHashMap<>();
        groups.put(
                "v1",
                List.of(
                        new Resource("namespaces", "Namespace", false, true, List.of("ns")),
                        new Resource("services", "Service", true, true, List.of("svc")),
                        new Resource("endpoints", "Endpoints", true, false, List.of("ep")),
                        new Resource("secrets", "Secret", true, false, List.of()),
                        new Resource("configmaps", "ConfigMap", true, false, List.of("cm")),
                        new Resource("serviceaccounts", "ServiceAccount", true, false, List.of("sa")),
                        new Resource("pods", "Pod", true, true, List.of("po")),
                        new Resource("events", "Event", true, false, List.of("ev"))));
        groups.put(
                "apps/v1",
                List.of(
                        new Resource("deployments", "Deployment", true, true, List.of("deploy")),
                        new Resource("statefulsets", "StatefulSet", true, true, List.of("sts")),
                        new Resource("replicasets", "ReplicaSet", true, true, List.of("rs"))));
        groups.put(
                "discovery.k8s.io/v1",
                List.of(new Resource("endpointslices", "EndpointSlice", true, false, List.of())));
        groups.put("coordination.k8s.io/v1", List.of(new Resource("leases", "Lease", true, false, List.of())));
        groups.put("events.k8s.io/v1", List.of(new Resource("events", "Event", true, false, List.of("ev"))));
        groups.put(
                "policy/v1",
                List.of(new Resource("poddisruptionbudgets", "PodDisruptionBudget", true, true, List.of("pdb"))));
        groups.put(
                "rbac.authorization.k8s.io/v1",
                List.of(
                        new Resource("roles", "Role", true, false, List.of()),
                        new Resource("rolebindings", "RoleBinding", true, false, List.of()),
                        new Resource("clusterroles", "ClusterRole", false, false, List.of()),
                        new Resource("clusterrolebindings", "ClusterRoleBinding", false, false, List.of())));
        groups.put(
                "apiextensions.k8s.io/v1",
                List.of(new Resource(
                        "customresourcedefinitions", "CustomResourceDefinition", false, true, List.of("crd", "crds"))));
        return groups;
    }

    /** Group versions with their resources: the built-in table plus every stored CRD. */
    private Map<String, List<Resource>> groupVersions() {
        Map<String, List<Resource>> all = new TreeMap<>();
        BUILT_IN.forEach((gv, resources) -> all.put(gv, new ArrayList<>(resources)));
        MockResponse crds = crud.handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
        if (crds.code() == 200) {
            JsonNode list = Serialization.jsonMapper().readTree(InMemoryDispatcher.utf8(crds.getBody()));
            for (JsonNode crd : list.path("items")) {
                JsonNode spec = crd.path("spec");
                String group = spec.path("group").asString();
                JsonNode names = spec.path("names");
                List<String> shortNames = new ArrayList<>();
                names.path("shortNames").forEach(n -> shortNames.add(n.asString()));
                for (JsonNode version : spec.path("versions")) {
                    if (!version.path("served").asBoolean(true)) {
                        continue;
                    }
                    all.computeIfAbsent(group + "/" + version.path("name").asString(), k -> new ArrayList<>())
                            .add(new Resource(
                                    names.path("plural").asString(),
                                    names.path("kind").asString(),
                                    "Namespaced".equals(spec.path("scope").asString()),
                                    !version.path("subresources").path("status").isMissingNode(),
                                    shortNames));
                }
            }
        }
        return all;
    }

    /** The discovery document at a path, or null when the path is not one. */
    MockResponse document(String path) {
        if ("/version".equals(path)) {
            return json(Map.of(
                    "major",
                    "1",
                    "minor",
                    "33",
                    "gitVersion",
                    "v1.33.0-gantry-in-memory",
                    "platform",
                    "linux/amd64",
                    "goVersion",
                    "n/a",
                    "compiler",
                    "n/a",
                    "buildDate",
                    "2026-01-01T00:00:00Z",
                    "gitCommit",
                    "in-memory",
                    "gitTreeState",
                    "clean"));
        }
        if ("/api".equals(path) || "/api/".equals(path)) {
            return json(Map.of(
                    "kind",
                    "APIVersions",
                    "versions",
                    List.of("v1"),
                    "serverAddressByClientCIDRs",
                    List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", serverAddress))));
        }
        if ("/api/v1".equals(path) || "/api/v1/".equals(path)) {
            return json(resourceList("v1", groupVersions().get("v1")));
        }
        if ("/apis".equals(path) || "/apis/".equals(path)) {
            Map<String, List<String>> versionsByGroup = new TreeMap<>();
            for (String gv : groupVersions().keySet()) {
                if (gv.contains("/")) {
                    versionsByGroup
                            .computeIfAbsent(gv.substring(0, gv.indexOf('/')), k -> new ArrayList<>())
                            .add(gv.substring(gv.indexOf('/') + 1));
                }
            }
            List<Object> groups = new ArrayList<>();
            versionsByGroup.forEach((group, versions) -> groups.add(apiGroup(group, versions)));
            return json(Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups));
        }
        Matcher groupVersion = GROUP_VERSION.matcher(path);
        if (groupVersion.matches()) {
            String gv = groupVersion.group(1) + "/" + groupVersion.group(2);
            List<Resource> resources = groupVersions().get(gv);
            return resources == null ? null : json(resourceList(gv, resources));
        }
        Matcher group = GROUP.matcher(path);
        if (group.matches()) {
            List<String> versions = new ArrayList<>();
            for (String gv : groupVersions().keySet()) {
                if (gv.startsWith(group.group(1) + "/")) {
                    versions.add(gv.substring(gv.indexOf('/') + 1));
                }
            }
            return versions.isEmpty() ? null : json(apiGroup(group.group(1), versions));
        }
        return null;
    }

    private static Map<String, Object> apiGroup(String group, List<String> versions) {
        List<String> ordered = new ArrayList<>(versions);
        // The preferred version is v1 where there is one, as on a real server for these groups.
        ordered.sort((a, b) -> a.equals("v1") ? -1 : b.equals("v1") ? 1 : b.compareTo(a));
        List<Object> list = new ArrayList<>();
        for (String v : ordered) {
            list.add(Map.of("groupVersion", group + "/" + v, "version", v));
        }
        return Map.of(
                "kind",
                "APIGroup",
                "apiVersion",
                "v1",
                "name",
                group,
                "versions",
                list,
                "preferredVersion",
                list.getFirst());
    }

    private static Map<String, Object> resourceList(String groupVersion, List<Resource> resources) {
        List<Object> list = new ArrayList<>();
        List<String> verbs = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
        for (Resource r : resources) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", r.plural());
            entry.put("singularName", r.kind().toLowerCase());
            entry.put("namespaced", r.namespaced());
            entry.put("kind", r.kind());
            entry.put("verbs", verbs);
            if (!r.shortNames().isEmpty()) {
                entry.put("shortNames", r.shortNames());
            }
            list.add(entry);
            if (r.status()) {
                list.add(Map.of(
                        "name",
                        r.plural() + "/status",
                        "singularName",
                        "",
                        "namespaced",
                        r.namespaced(),
                        "kind",
                        r.kind(),
                        "verbs",
                        List.of("get", "patch", "update")));
            }
        }
        return Map.of("kind", "APIResourceList", "apiVersion", "v1", "groupVersion", groupVersion, "resources", list);
    }

    private static MockResponse json(Object body) {
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }
}
