package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;

/**
 * One read translation made: an object by key (present or not), all objects of a kind, the objects of a kind in
 * a namespace, or an index bucket. A change touches a read when it could change that read's answer (see
 * {@link DependencyIndex#touchedBy}).
 *
 * <p>Reads are hashed into read indexes a few times per route of every translation: each is a record of the kind's
 * name and index name (constants, compared by identity first) and of an {@link ObjectKey} or string whose hash is
 * kept.
 */
public sealed interface Dependency
        permits Dependency.ObjectRead, Dependency.KindRead, Dependency.NamespaceRead, Dependency.IndexRead {

    /** The name of the kind read. */
    String kind();

    /** One object by key, present or not. */
    record ObjectRead(String kind, ObjectKey key) implements Dependency {}

    /** Every object of a kind. */
    record KindRead(String kind) implements Dependency {}

    /** The objects of a kind in one namespace. */
    record NamespaceRead(String kind, String namespace) implements Dependency {}

    /**
     * The objects an index files under one key.
     *
     * @param index the index's name
     */
    record IndexRead(String kind, String index, String key) implements Dependency {}

    static ObjectRead object(Kind<?> kind, ObjectKey key) {
        return new ObjectRead(kind.kind(), key);
    }

    static KindRead all(Kind<?> kind) {
        return new KindRead(kind.kind());
    }

    static NamespaceRead namespace(Kind<?> kind, String namespace) {
        return new NamespaceRead(kind.kind(), namespace);
    }

    static IndexRead index(Index<?> index, String key) {
        return new IndexRead(index.kind().kind(), index.name(), key);
    }
}
