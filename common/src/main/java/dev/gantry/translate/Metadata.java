package dev.gantry.translate;

import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/** Metadata accessors with the defaults translation needs. */
public final class Metadata {

    /** Oldest first, then {@code namespace/name}: the Gateway API's tie-break order between objects. */
    public static final Comparator<HasMetadata> PRECEDENCE =
            Comparator.comparing(Metadata::created).thenComparing(ObjectKey::of);

    private Metadata() {}

    public static long generation(HasMetadata object) {
        Long generation = object.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    public static Instant created(HasMetadata object) {
        String timestamp = object.getMetadata().getCreationTimestamp();
        if (timestamp == null || timestamp.isEmpty()) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    public static String namespace(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return namespace == null ? "" : namespace;
    }
}
