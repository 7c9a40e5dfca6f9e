package dev.gantry.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which reads a change touches, and the Gateways whose reads it touches. */
class DependencyIndexTest {

    private static final ObjectKey SLICE = new ObjectKey("apps", "web-abc");
    private static final ObjectKey GATEWAY = new ObjectKey("infra", "gw");

    private static EndpointSlice slice(String service) {
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(SLICE.name())
                .withNamespace(SLICE.namespace())
                .addToLabels("kubernetes.io/service-name", service)
                .endMetadata()
                .build();
    }

    private static Change change(EndpointSlice previous, EndpointSlice current) {
        return new Change(Kinds.ENDPOINT_SLICE, SLICE, previous, current);
    }

    private static Dependency byService(String service) {
        return Dependency.index(Indexes.ENDPOINT_SLICES_BY_SERVICE, new ObjectKey("apps", service).toString());
    }

    @Test
    void aChangeTouchesItsObjectItsKindItsNamespaceAndTheIndexKeysOfBothVersions() {
        record Case(String what, Change change, Dependency read, boolean touched) {}
        Change moved = change(slice("web"), slice("api"));
        Change added = change(null, slice("web"));
        Change deleted = change(slice("web"), null);
        List<Case> cases = List.of(
                new Case("the object", moved, Dependency.object(Kinds.ENDPOINT_SLICE, SLICE), true),
                new Case(
                        "another object of its kind",
                        moved,
                        Dependency.object(Kinds.ENDPOINT_SLICE, new ObjectKey("apps", "web-xyz")),
                        false),
                new Case(
                        "an object of another kind with its key",
                        moved,
                        Dependency.object(Kinds.SERVICE, SLICE),
                        false),
                new Case("its kind", moved, Dependency.all(Kinds.ENDPOINT_SLICE), true),
                new Case("another kind", moved, Dependency.all(Kinds.SERVICE), false),
                new Case("its namespace", moved, Dependency.namespace(Kinds.ENDPOINT_SLICE, "apps"), true),
                new Case("another namespace", moved, Dependency.namespace(Kinds.ENDPOINT_SLICE, "infra"), false),
                new Case("its namespace, of another kind", moved, Dependency.namespace(Kinds.SERVICE, "apps"), false),
                new Case("the index key it had", moved, byService("web"), true),
                new Case("the index key it has", moved, byService("api"), true),
                new Case("an index key it neither had nor has", moved, byService("db"), false),
                new Case(
                        "a key of an index of another kind",
                        moved,
                        Dependency.index(Indexes.BACKEND_TLS_POLICIES_BY_SERVICE, "apps/web"),
                        false),
                new Case("created: the index key it has", added, byService("web"), true),
                new Case("created: the object", added, Dependency.object(Kinds.ENDPOINT_SLICE, SLICE), true),
                new Case("deleted: the index key it had", deleted, byService("web"), true),
                new Case("deleted: the namespace", deleted, Dependency.namespace(Kinds.ENDPOINT_SLICE, "apps"), true));
        for (Case c : cases) {
            assertEquals(c.touched(), DependencyIndex.touchedBy(c.change()).contains(c.read()), c.what());
        }
    }

    @Test
    void readsOfTheSameScopeAreEqualAndReadsOfDifferentScopesWithTheSameWordsAreNot() {
        assertEquals(
                Dependency.object(Kinds.SERVICE, SLICE),
                Dependency.object(Kinds.SERVICE, new ObjectKey("apps", "web-abc")));
        assertEquals(
                Dependency.object(Kinds.SERVICE, SLICE).hashCode(),
                Dependency.object(Kinds.SERVICE, new ObjectKey("apps", "web-abc"))
                        .hashCode());
        assertEquals(byService("web"), byService("web"));
        assertNotEquals(
                Dependency.namespace(Kinds.SERVICE, "apps"),
                Dependency.object(Kinds.SERVICE, ObjectKey.cluster("apps")));
        assertNotEquals(
                Dependency.index(Indexes.ENDPOINT_SLICES_BY_SERVICE, "apps/web"),
                Dependency.index(Indexes.BACKEND_TLS_POLICIES_BY_SERVICE, "apps/web"));
    }

    @Test
    void theGatewaysAffectedAreThoseWhoseReadsTheChangeTouches() {
        DependencyIndex index = new DependencyIndex();
        ObjectKey other = new ObjectKey("infra", "other");
        index.record(GATEWAY, Set.of(byService("web")));
        index.record(other, Set.of(Dependency.all(Kinds.SERVICE)));
        assertEquals(Set.of(GATEWAY), index.affectedBy(Kinds.ENDPOINT_SLICE, SLICE, slice("web"), slice("api")));

        index.update(GATEWAY, Set.of(byService("api")), Set.of(byService("web")));
        assertEquals(Set.of(GATEWAY), index.affectedBy(Kinds.ENDPOINT_SLICE, SLICE, null, slice("api")));
        assertEquals(Set.of(), index.affectedBy(Kinds.ENDPOINT_SLICE, SLICE, slice("web"), null), "no longer read");

        index.forget(GATEWAY);
        assertEquals(Set.of(), index.affectedBy(Kinds.ENDPOINT_SLICE, SLICE, null, slice("api")));
        assertEquals(Set.of(other), index.affectedBy(Kinds.SERVICE, new ObjectKey("apps", "web"), null, null));
        assertEquals(1, index.size());
    }
}
