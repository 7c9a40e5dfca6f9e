package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.Optional;

/**
 * A read-only view of the cluster objects translation depends on.
 *
 * <p>Translation treats the view as immutable: it never mutates returned objects, and the runner that owns a
 * view does not change it while a translation runs. Collections come back ordered by {@link ObjectKey}, so
 * anything built by iterating them is deterministic.
 */
public interface ClusterView {

  <T extends HasMetadata> Optional<T> get(Kind<T> kind, ObjectKey key);

  /** All objects of a kind, ordered by key. */
  <T extends HasMetadata> Collection<T> list(Kind<T> kind);

  /** Objects of a kind in one namespace, ordered by key. */
  <T extends HasMetadata> Collection<T> inNamespace(Kind<T> kind, String namespace);

  /** Objects filed under {@code key} in {@code index}, ordered by object key. */
  <T extends HasMetadata> Collection<T> byIndex(Index<T> index, String key);

  /** The keys of {@link #byIndex}'s objects, in key order, without reading the objects themselves. */
  default <T extends HasMetadata> Collection<ObjectKey> keysByIndex(Index<T> index, String key) {
    return byIndex(index, key).stream().map(ObjectKey::of).toList();
  }
}
