package dev.gantry.translate;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;

/**
 * The object a listener is declared in: the Gateway itself or one of its ListenerSets.
 *
 * @param object the Gateway or ListenerSet
 * @param key its namespace and name
 * @param generation its {@code metadata.generation}
 */
record ListenerOwner(HasMetadata object, ObjectKey key, long generation) {

    static ListenerOwner of(HasMetadata object) {
        return new ListenerOwner(object, ObjectKey.of(object), Metadata.generation(object));
    }

    boolean isListenerSet() {
        return object instanceof ListenerSet;
    }

    String kind() {
        return isListenerSet() ? "ListenerSet" : "Gateway";
    }

    String group() {
        return Kinds.GATEWAY_GROUP;
    }

    String namespace() {
        return key.namespace();
    }
}
