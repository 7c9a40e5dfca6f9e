package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.model.ObjectKey;
import dev.gantry.translate.RouteTables.Placement;
import dev.gantry.translate.RouteTables.PlacementKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ListenerPlacementsTest {

    @Test
    void gatheredPlacementsComeOutOldestFirstThenByKindThenByKey() {
        Placement newer = placement(20, 0, "a", "r");
        Placement grpc = placement(10, 1, "a", "r");
        Placement second = placement(10, 0, "b", "r");
        Placement first = placement(10, 0, "a", "r");

        ListenerPlacements placements = ListenerPlacements.of(List.of(List.of(newer, grpc), List.of(second, first)));

        assertEquals(List.of(first, second, grpc, newer), placements.inOrder());
        assertEquals(4, placements.size());
    }

    @Test
    void putReplacesTheSameRouteAndRemoveTakesItOut() {
        ListenerPlacements placements = ListenerPlacements.empty();
        Placement route = placement(10, 0, "a", "r");
        Placement sameRouteAgain = new Placement(null, List.of("example.com"), route.order());

        placements.put(route);
        placements.put(sameRouteAgain);
        assertEquals(List.of(sameRouteAgain), placements.inOrder());

        placements.remove(placement(10, 0, "a", "other").order()); // not there: nothing changes
        assertEquals(1, placements.size());
        placements.remove(route.order());
        assertTrue(placements.isEmpty());
    }

    @Test
    void randomEditsKeepTheSameOrderAsASortedMap() {
        Random random = new Random(7);
        ListenerPlacements placements = ListenerPlacements.empty();
        TreeMap<PlacementKey, Placement> expected = new TreeMap<>();
        for (int step = 0; step < 5_000; step++) {
            Placement placement = placement(
                    random.nextInt(5), random.nextInt(3), "ns-" + random.nextInt(4), "r-" + random.nextInt(40));
            if (random.nextInt(3) == 0) {
                placements.remove(placement.order());
                expected.remove(placement.order());
            } else {
                placements.put(placement);
                expected.put(placement.order(), placement);
            }
            assertEquals(expected.size(), placements.size());
        }
        assertEquals(new ArrayList<>(expected.values()), placements.inOrder());
    }

    private static Placement placement(long createdSecond, int kind, String namespace, String name) {
        return new Placement(
                null,
                List.of(),
                new PlacementKey(Instant.ofEpochSecond(createdSecond), kind, new ObjectKey(namespace, name)));
    }
}
