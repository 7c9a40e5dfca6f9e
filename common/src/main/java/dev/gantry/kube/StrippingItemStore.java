package dev.gantry.kube;

import dev.gantry.model.RouteKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicy;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerSet;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.stream.Stream;

/**
 * An informer store that drops what translation never reads before an object is cached: managed fields and the
 * last-applied-configuration annotation are often the largest part of an object. For a reader that never writes
 * status (an xds-shard), the status of Gateway API objects goes too: at 40,000 routes it is tens of MiB of
 * conditions nobody there looks at.
 */
final class StrippingItemStore<T extends HasMetadata> implements ItemStore<T> {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final BasicItemStore<T> delegate = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
    private final boolean dropGatewayApiStatus;

    StrippingItemStore(boolean dropGatewayApiStatus) {
        this.dropGatewayApiStatus = dropGatewayApiStatus;
    }

    T strip(T object) {
        if (object != null && object.getMetadata() != null) {
            object.getMetadata().setManagedFields(null);
            if (object.getMetadata().getAnnotations() != null) {
                object.getMetadata().getAnnotations().remove(LAST_APPLIED);
            }
        }
        if (dropGatewayApiStatus) {
            dropStatus(object);
        }
        return object;
    }

    /** Drops the status of the Gateway API kinds (the ones Gantry writes); others keep theirs (a Service's). */
    static void dropStatus(HasMetadata object) {
        switch (object) {
            case Gateway o -> o.setStatus(null);
            case GatewayClass o -> o.setStatus(null);
            case ListenerSet o -> o.setStatus(null);
            case BackendTLSPolicy o -> o.setStatus(null);
            case null, default -> RouteKind.of(object).ifPresent(kind -> kind.setStatusOf(object, null));
        }
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
