package dev.gantry.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStoreTest {

    private static final Index<HTTPRoute> BY_PARENT = Indexes.routesByParent(Kinds.HTTP_ROUTE);

    @Test
    void anIndexBucketHoldsTheCurrentObjectOfEachKey() {
        ClusterStore store = new ClusterStore();
        HTTPRoute first = route("b", "gw", "1");
        HTTPRoute other = route("a", "gw", "1");
        store.put(first);
        store.put(other);
        String gw = parentKey(first);

        assertEquals(
                List.of(new ObjectKey("team", "a"), new ObjectKey("team", "b")),
                List.copyOf(store.byIndexWithKeys(BY_PARENT, gw).keySet()));
        assertSame(first, store.byIndexWithKeys(BY_PARENT, gw).get(new ObjectKey("team", "b")));

        HTTPRoute edited = route("b", "gw", "2");
        store.put(edited);
        assertSame(edited, store.byIndexWithKeys(BY_PARENT, gw).get(new ObjectKey("team", "b")));
        assertEquals(List.of(other, edited), List.copyOf(store.byIndex(BY_PARENT, gw)));
    }

    @Test
    void anObjectLeavesTheBucketsItNoLongerBelongsTo() {
        ClusterStore store = new ClusterStore();
        HTTPRoute route = route("r", "gw", "1");
        store.put(route);
        String gw = parentKey(route);

        HTTPRoute moved = route("r", "gw-2", "2");
        store.put(moved);
        assertTrue(store.byIndexWithKeys(BY_PARENT, gw).isEmpty());
        assertEquals(List.of(moved), List.copyOf(store.byIndex(BY_PARENT, parentKey(moved))));

        store.remove(Kinds.HTTP_ROUTE, ObjectKey.of(moved));
        assertTrue(store.byIndex(BY_PARENT, parentKey(moved)).isEmpty());
        assertTrue(store.byIndexWithKeys(BY_PARENT, parentKey(moved)).isEmpty());
    }

    @Test
    void aRecordingViewRecordsTheBucketItReadsWithKeys() {
        ClusterStore store = new ClusterStore();
        HTTPRoute route = route("r", "gw", "1");
        store.put(route);
        RecordingView view = new RecordingView(store);

        assertEquals(
                List.of(route),
                List.copyOf(view.byIndexWithKeys(BY_PARENT, parentKey(route)).values()));
        assertEquals(List.of(Dependency.index(BY_PARENT, parentKey(route))), view.reads());
    }

    private static String parentKey(HTTPRoute route) {
        List<String> keys = List.copyOf(BY_PARENT.keys().apply(route));
        assertEquals(1, keys.size());
        return keys.getFirst();
    }

    private static HTTPRoute route(String name, String gateway, String resourceVersion) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("team")
                .withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(gateway)
                .endParentRef()
                .endSpec()
                .build();
    }
}
