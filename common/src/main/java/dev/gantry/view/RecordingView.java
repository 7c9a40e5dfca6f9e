package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.UnaryOperator;

/** A view that remembers every read, so a translation's inputs are known without declaring them by hand. */
public final class RecordingView implements ClusterView {

    /** Most translations read a handful of things: up to this many, a list searched in order beats a hash set. */
    private static final int LINEAR = 8;

    private final ClusterView delegate;
    private final UnaryOperator<Dependency> canonical;
    private final List<Dependency> reads = new ArrayList<>(4);
    private Set<Dependency> index;

    public RecordingView(ClusterView delegate) {
        this(delegate, UnaryOperator.identity());
    }

    /**
     * @param canonical maps each recorded read to the one instance of equal reads that the caller keeps (so the
     *     read indexes built from many recordings compare reads by identity)
     */
    public RecordingView(ClusterView delegate, UnaryOperator<Dependency> canonical) {
        this.delegate = delegate;
        this.canonical = canonical;
    }

    /** What was read so far, each read once, in the order first read. */
    public List<Dependency> reads() {
        return reads;
    }

    /**
     * Records reads that another recording view with the same canonical function made on this one's behalf (work
     * shared between translations of one pass), as if they had been made here.
     */
    public void recordAll(List<Dependency> made) {
        for (Dependency read : made) {
            recordOnce(read, UnaryOperator.identity());
        }
    }

    private void record(Dependency read) {
        recordOnce(read, canonical);
    }

    /** Adds a read not recorded before, as the instance {@code keep} gives for it. */
    private void recordOnce(Dependency read, UnaryOperator<Dependency> keep) {
        if (index != null ? !index.add(read) : reads.contains(read)) {
            return;
        }
        reads.add(keep.apply(read));
        if (index == null && reads.size() > LINEAR) {
            index = new HashSet<>(reads);
        }
    }

    @Override
    public <T extends HasMetadata> Optional<T> get(Kind<T> kind, ObjectKey key) {
        record(Dependency.object(kind, key));
        return delegate.get(kind, key);
    }

    @Override
    public <T extends HasMetadata> Collection<T> list(Kind<T> kind) {
        record(Dependency.all(kind));
        return delegate.list(kind);
    }

    @Override
    public <T extends HasMetadata> Collection<T> inNamespace(Kind<T> kind, String namespace) {
        record(Dependency.namespace(kind, namespace));
        return delegate.inNamespace(kind, namespace);
    }

    @Override
    public <T extends HasMetadata> SortedMap<ObjectKey, T> byIndexWithKeys(Index<T> index, String key) {
        record(Dependency.index(index, key));
        return delegate.byIndexWithKeys(index, key);
    }

    @Override
    public <T extends HasMetadata> Collection<T> byIndex(Index<T> index, String key) {
        record(Dependency.index(index, key));
        return delegate.byIndex(index, key);
    }
}
