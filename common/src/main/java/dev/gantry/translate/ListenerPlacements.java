package dev.gantry.translate;

import dev.gantry.translate.RouteTables.Placement;
import dev.gantry.translate.RouteTables.PlacementKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The routes placed on one listener, in precedence order, one per route.
 *
 * <p>A sorted array rather than a tree: a full translation gathers a listener's placements already in key order
 * (routes come out of the index sorted by key), and sorting such a list is one pass of comparisons, where a tree
 * compares each insertion against a path of nodes and allocates a node for it. An incremental edit moves part of
 * the array, which for thousands of routes on one listener is still microseconds.
 */
final class ListenerPlacements {

    private final ArrayList<Placement> sorted;

    private ListenerPlacements(ArrayList<Placement> sorted) {
        this.sorted = sorted;
    }

    static ListenerPlacements empty() {
        return new ListenerPlacements(new ArrayList<>(2));
    }

    /** The placements of {@code parts}, which hold each route at most once, put in precedence order. */
    static ListenerPlacements of(List<List<Placement>> parts) {
        int size = 0;
        for (List<Placement> part : parts) {
            size += part.size();
        }
        ArrayList<Placement> all = new ArrayList<>(size);
        parts.forEach(all::addAll);
        all.sort((a, b) -> a.order().compareTo(b.order()));
        return new ListenerPlacements(all);
    }

    /** Puts a placement, replacing the one of the same route. */
    void put(Placement placement) {
        int at = indexOf(placement.order());
        if (at >= 0) {
            sorted.set(at, placement);
        } else {
            sorted.add(-at - 1, placement);
        }
    }

    /** Removes the placement of the route with this order, if any. */
    void remove(PlacementKey order) {
        int at = indexOf(order);
        if (at >= 0) {
            sorted.remove(at);
        }
    }

    boolean isEmpty() {
        return sorted.isEmpty();
    }

    int size() {
        return sorted.size();
    }

    /** The placements in precedence order; a view, valid until the next change. */
    List<Placement> inOrder() {
        return Collections.unmodifiableList(sorted);
    }

    /** The index of the placement with this order, or {@code -(insertion point) - 1}. */
    private int indexOf(PlacementKey order) {
        int low = 0;
        int high = sorted.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int c = sorted.get(middle).order().compareTo(order);
            if (c < 0) {
                low = middle + 1;
            } else if (c > 0) {
                high = middle - 1;
            } else {
                return middle;
            }
        }
        return -low - 1;
    }
}
