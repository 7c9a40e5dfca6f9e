package dev.gantry.xds;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Message;
import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import java.util.function.Supplier;

/**
 * Caffeine-backed memo of built Envoy resources, keyed by the IR they come from. A retranslated Gateway whose
 * route tables, clusters or listeners did not change gets the same message instances back: no proto is rebuilt,
 * no hash recomputed, and the serializer's per-instance cache shares their bytes across proxies and snapshots.
 */
final class CaffeineMemo implements EnvoyTranslator.Memo {

    private record Key(String type, Object ir) {}

    private final Cache<Key, EnvoyResources.Versioned<?>> cache;

    CaffeineMemo(long maximumEntries) {
        cache = Caffeine.newBuilder().maximumSize(maximumEntries).build();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Message> EnvoyResources.Versioned<T> get(
            String type, Object ir, Supplier<EnvoyResources.Versioned<T>> build) {
        return (EnvoyResources.Versioned<T>) cache.get(new Key(type, ir), k -> build.get());
    }

    long size() {
        return cache.estimatedSize();
    }
}
