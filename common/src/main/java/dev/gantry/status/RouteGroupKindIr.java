package dev.gantry.status;

/** A route kind a listener supports, as listed in {@code supportedKinds}. */
public record RouteGroupKindIr(String group, String kind) implements Comparable<RouteGroupKindIr> {

    @Override
    public int compareTo(RouteGroupKindIr other) {
        int byKind = kind.compareTo(other.kind);
        return byKind != 0 ? byKind : group.compareTo(other.group);
    }
}
