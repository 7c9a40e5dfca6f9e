package dev.gantry.translate;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;

/** Identifies an object whose status Gantry manages. */
public record StatusKey(Kind<?> kind, ObjectKey key) {

    @Override
    public String toString() {
        return kind.kind() + " " + key;
    }
}
