package dev.gantry.view;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps every read of every translated Gateway back to the Gateway, so that a changed object names exactly the
 * Gateways whose translation could change. Not thread-safe: owned by the thread that translates.
 */
public final class DependencyIndex {

  private final Map<Dependency, Set<ObjectKey>> gatewaysByRead = new HashMap<>();
  private final Map<ObjectKey, Set<Dependency>> readsByGateway = new HashMap<>();

  /** Replaces what a Gateway's last translation read. */
  public void record(ObjectKey gateway, Set<Dependency> reads) {
    forget(gateway);
    Set<Dependency> copy = new HashSet<>(reads);
    readsByGateway.put(gateway, copy);
    for (Dependency read : copy) {
      gatewaysByRead.computeIfAbsent(read, k -> new HashSet<>()).add(gateway);
    }
  }

  public void forget(ObjectKey gateway) {
    Set<Dependency> previous = readsByGateway.remove(gateway);
    if (previous == null) {
      return;
    }
    for (Dependency read : previous) {
      Set<ObjectKey> gateways = gatewaysByRead.get(read);
      if (gateways != null) {
        gateways.remove(gateway);
        if (gateways.isEmpty()) {
          gatewaysByRead.remove(read);
        }
      }
    }
  }

  /** Gateways whose translation read something this change touches (the old or the new version of the object). */
  public Set<ObjectKey> affectedBy(Kind<?> kind, ObjectKey key, HasMetadata previous, HasMetadata current) {
    Set<ObjectKey> affected = new HashSet<>();
    addAll(affected, Dependency.object(kind, key));
    addAll(affected, Dependency.all(kind));
    addAll(affected, Dependency.namespace(kind, key.namespace()));
    for (Index<?> index : Indexes.all()) {
      if (index.kind().equals(kind)) {
        for (HasMetadata version : List.of(previous == null ? current : previous, current == null ? previous : current)) {
          if (version != null) {
            for (String indexKey : keysOf(index, version)) {
              addAll(affected, Dependency.index(index, indexKey));
            }
          }
        }
      }
    }
    return affected;
  }

  public int size() {
    return gatewaysByRead.size();
  }

  private void addAll(Set<ObjectKey> into, Dependency read) {
    Set<ObjectKey> gateways = gatewaysByRead.get(read);
    if (gateways != null) {
      into.addAll(gateways);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> Collection<String> keysOf(Index<T> index, HasMetadata object) {
    return index.keys().apply((T) object);
  }
}
