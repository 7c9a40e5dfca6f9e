package dev.gantry.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InitialListTest {

    private static HTTPRoute route(String name, String resourceVersion) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("team")
                .withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec()
                .endSpec()
                .build();
    }

    @Test
    void takesWhatNoEventBroughtKeepsNewerEventsAndDoesNotResurrectDeletes() {
        ClusterStore store = new ClusterStore();
        InitialList initial = new InitialList();
        store.put(route("updated", "7")); // an event newer than the listed copy came first
        initial.deleted(Kinds.HTTP_ROUTE, ObjectKey.parse("team/gone")); // deleted after the list was read

        List<ObjectKey> taken = new ArrayList<>();
        int put = initial.apply(
                store,
                List.of(route("undelivered", "3"), route("updated", "5"), route("gone", "4")),
                (kind, key) -> taken.add(key));

        assertEquals(1, put);
        assertEquals(List.of("undelivered"), taken.stream().map(ObjectKey::name).toList());
        assertEquals(
                "7",
                store.get(Kinds.HTTP_ROUTE, ObjectKey.parse("team/updated"))
                        .orElseThrow()
                        .getMetadata()
                        .getResourceVersion());
        assertTrue(store.get(Kinds.HTTP_ROUTE, ObjectKey.parse("team/gone")).isEmpty());
    }

    @Test
    void theStoreKnowsAnObjectItAlreadyHoldsAtThatVersion() {
        ClusterStore store = new ClusterStore();
        store.put(route("r", "5"));
        assertTrue(store.holds(route("r", "5")), "the same version arriving again is nothing new");
        assertFalse(store.holds(route("r", "6")));
        assertFalse(store.holds(route("other", "5")));
        assertFalse(store.holds(route("r", null)));
    }
}
