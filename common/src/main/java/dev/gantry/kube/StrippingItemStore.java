package dev.gantry.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.stream.Stream;

/**
 * An informer store that drops what translation never reads before an object is cached: managed fields and the
 * last-applied-configuration annotation are often the largest part of an object.
 */
final class StrippingItemStore<T extends HasMetadata> implements ItemStore<T> {

  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final BasicItemStore<T> delegate = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

  static <T extends HasMetadata> T strip(T object) {
    if (object != null && object.getMetadata() != null) {
      object.getMetadata().setManagedFields(null);
      if (object.getMetadata().getAnnotations() != null) {
        object.getMetadata().getAnnotations().remove(LAST_APPLIED);
      }
    }
    return object;
  }

  @Override
  public String getKey(T object) {
    return delegate.getKey(object);
  }

  @Override
  public T put(String key, T object) {
    return delegate.put(key, strip(object));
  }

  @Override
  public T remove(String key) {
    return delegate.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return delegate.keySet();
  }

  @Override
  public Stream<T> values() {
    return delegate.values();
  }

  @Override
  public int size() {
    return delegate.size();
  }

  @Override
  public T get(String key) {
    return delegate.get(key);
  }
}
