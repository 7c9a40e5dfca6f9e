package dev.gantry.xds;

import dev.gantry.envoy.ContentHash;
import dev.gantry.envoy.EnvoyReferences;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resources of one type that a proxy stream is served: a Gateway's snapshot's, or a step of a change on its way
 * there. Immutable and compared by identity: every stream served the same step shares one view, so what is worked
 * out from a view (what it names, how two views differ) is worked out once for all of them.
 */
final class ServedView {

    /** A type with nothing in it. */
    static final ServedView EMPTY = new ServedView("", Map.of());

    private final String version;
    private final Map<String, VersionedResource<?>> resources;
    private volatile EnvoyReferences named;

    private ServedView(String version, Map<String, VersionedResource<?>> resources) {
        this.version = version;
        this.resources = resources;
    }

    /** A snapshot's resources of one type, at the snapshot's version of the type. */
    static ServedView of(String version, Map<String, VersionedResource<?>> resources) {
        return new ServedView(version, Collections.unmodifiableMap(resources));
    }

    /**
     * This view with resources a proxy still needs added (those of the same name here win); its version covers both, so
     * it differs from this view's and from every other set of kept resources.
     */
    ServedView keeping(Map<String, VersionedResource<?>> kept) {
        if (kept.isEmpty()) {
            return this;
        }
        Map<String, VersionedResource<?>> all = new LinkedHashMap<>(resources);
        ContentHash hash = new ContentHash().add(version);
        kept.forEach((name, resource) -> {
            if (all.putIfAbsent(name, resource) == null) {
                hash.add(name).add(resource.version());
            }
        });
        return new ServedView(hash.hex(), Collections.unmodifiableMap(all));
    }

    String version() {
        return version;
    }

    /**
     * The version of the named resources, as a state-of-the-world response for them carries; the view's version when
     * none are named.
     */
    String version(List<String> names) {
        if (names.isEmpty()) {
            return version;
        }
        ContentHash hash = new ContentHash();
        for (String name : names) {
            VersionedResource<?> resource = resources.get(name);
            hash.add(name).add(resource == null ? "-" : resource.version());
        }
        return hash.hex();
    }

    Map<String, VersionedResource<?>> resources() {
        return resources;
    }

    boolean contains(String name) {
        return resources.containsKey(name);
    }

    /** Everything the view's resources name: clusters, route configurations and secrets. */
    EnvoyReferences named() {
        EnvoyReferences known = named;
        if (known == null) {
            Set<String> clusters = new HashSet<>();
            Set<String> tables = new HashSet<>();
            Set<String> secrets = new HashSet<>();
            for (VersionedResource<?> resource : resources.values()) {
                EnvoyReferences references = EnvoyReferences.of(resource.resource());
                clusters.addAll(references.clusters());
                tables.addAll(references.routeConfigurations());
                secrets.addAll(references.secrets());
            }
            known = new EnvoyReferences(clusters, tables, secrets);
            named = known;
        }
        return known;
    }

    @Override
    public String toString() {
        return "ServedView" + resources.keySet() + "@" + version;
    }
}
