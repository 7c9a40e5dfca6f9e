package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** A view that remembers every read, so a translation's inputs are known without declaring them by hand. */
public final class RecordingView implements ClusterView {

  private final ClusterView delegate;
  private final Set<Dependency> reads = new HashSet<>();

  public RecordingView(ClusterView delegate) {
    this.delegate = delegate;
  }

  /** What was read so far. */
  public Set<Dependency> reads() {
    return reads;
  }

  @Override
  public <T extends HasMetadata> Optional<T> get(Kind<T> kind, ObjectKey key) {
    reads.add(Dependency.object(kind, key));
    return delegate.get(kind, key);
  }

  @Override
  public <T extends HasMetadata> Collection<T> list(Kind<T> kind) {
    reads.add(Dependency.all(kind));
    return delegate.list(kind);
  }

  @Override
  public <T extends HasMetadata> Collection<T> inNamespace(Kind<T> kind, String namespace) {
    reads.add(Dependency.namespace(kind, namespace));
    return delegate.inNamespace(kind, namespace);
  }

  @Override
  public <T extends HasMetadata> Collection<T> byIndex(Index<T> index, String key) {
    reads.add(Dependency.index(index, key));
    return delegate.byIndex(index, key);
  }
}
