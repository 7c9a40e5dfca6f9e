package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One change to a cluster object, as an informer reports it.
 *
 * @param kind the object's kind
 * @param key the object's key
 * @param previous the object before the change, or null when it was added
 * @param current the object after the change, or null when it was deleted
 */
public record Change(Kind<?> kind, ObjectKey key, HasMetadata previous, HasMetadata current) {

    public boolean isDelete() {
        return current == null;
    }
}
