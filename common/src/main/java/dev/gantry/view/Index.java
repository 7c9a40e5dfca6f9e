package dev.gantry.view;

import dev.gantry.model.Kind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.function.Function;

/**
 * A secondary index over one kind: each object is filed under zero or more string keys.
 *
 * @param name unique name of the index
 * @param kind the kind it indexes
 * @param keys the keys an object is filed under; never null
 */
public record Index<T extends HasMetadata>(String name, Kind<T> kind, Function<T, Collection<String>> keys) {

    @Override
    public String toString() {
        return name;
    }
}
