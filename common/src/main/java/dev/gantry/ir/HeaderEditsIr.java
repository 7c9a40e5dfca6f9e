package dev.gantry.ir;

import java.util.List;

/**
 * Header edits: set (overwrite), add (append), remove.
 *
 * @param set headers set, replacing any existing value
 * @param add headers appended
 * @param remove header names removed
 */
public record HeaderEditsIr(List<HeaderIr> set, List<HeaderIr> add, List<String> remove) {

    public static final HeaderEditsIr NONE = new HeaderEditsIr(List.of(), List.of(), List.of());

    public HeaderEditsIr {
        set = List.copyOf(set);
        add = List.copyOf(add);
        remove = List.copyOf(remove);
    }

    public boolean isEmpty() {
        return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }

    /** A header name and value. */
    public record HeaderIr(String name, String value) {}
}
