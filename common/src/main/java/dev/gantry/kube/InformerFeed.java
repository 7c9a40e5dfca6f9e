package dev.gantry.kube;

import dev.gantry.model.Kind;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.Change;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one informer per input kind and hands every change to a sink. Handlers only enqueue: they never block
 * the informer threads. Objects are stripped of managed fields and the last-applied annotation on the way in.
 */
public final class InformerFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InformerFeed.class);

    private final KubernetesClient client;
    private final List<Kind<?>> kinds;
    private final Consumer<Change> sink;
    private final boolean dropGatewayApiStatus;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final Map<Kind<?>, SharedIndexInformer<?>> byKind = new ConcurrentHashMap<>();
    private final CompletableFuture<Duration> synced = new CompletableFuture<>();
    private volatile long startedNanos;

    /**
     * @param client API client
     * @param kinds kinds to watch
     * @param sink receives every add, update and delete; must not block
     */
    public InformerFeed(KubernetesClient client, List<Kind<?>> kinds, Consumer<Change> sink) {
        this(client, kinds, sink, false);
    }

    /**
     * @param dropGatewayApiStatus whether the status of Gateway API objects is dropped before caching (for readers
     *     that never compare or write it: translation reads no status of those kinds)
     */
    public InformerFeed(
            KubernetesClient client, List<Kind<?>> kinds, Consumer<Change> sink, boolean dropGatewayApiStatus) {
        this.client = client;
        this.kinds = List.copyOf(kinds);
        this.sink = sink;
        this.dropGatewayApiStatus = dropGatewayApiStatus;
    }

    /** Starts every informer; returns at once. {@link #synced()} completes when all have listed. */
    public void start() {
        startedNanos = System.nanoTime();
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (Kind<?> kind : kinds) {
            starts.add(startInformer(kind));
        }
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
            if (error != null) {
                synced.completeExceptionally(error);
            } else {
                Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
                LOG.info("{} informers synced in {} ms", kinds.size(), took.toMillis());
                synced.complete(took);
            }
        });
    }

    private <T extends HasMetadata> CompletableFuture<Void> startInformer(Kind<T> kind) {
        var resources = client.resources(kind.type());
        SharedIndexInformer<T> informer =
                kind.namespaced() ? resources.inAnyNamespace().runnableInformer(0) : resources.runnableInformer(0);
        informer.itemStore(new StrippingItemStore<>(dropGatewayApiStatus));
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                sink.accept(new Change(kind, ObjectKey.of(object), null, object));
            }

            @Override
            public void onUpdate(T previous, T current) {
                sink.accept(new Change(kind, ObjectKey.of(current), previous, current));
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                sink.accept(new Change(kind, ObjectKey.of(object), object, null));
            }
        });
        informer.exceptionHandler((running, error) -> {
            LOG.warn("{} informer: {} (retrying)", kind, error.toString());
            return true;
        });
        informers.add(informer);
        byKind.put(kind, informer);
        return informer.start().toCompletableFuture();
    }

    /**
     * Every object the informers hold now. An informer counts as synced once its list is in its cache, but it hands
     * the listed objects to event handlers later, on threads of its own; a reader that must start from the whole
     * list takes it from here when {@link #synced()} completes (and then skips those objects as they arrive again).
     */
    public List<HasMetadata> cachedObjects() {
        List<HasMetadata> all = new ArrayList<>();
        for (SharedIndexInformer<?> informer : informers) {
            for (Object object : informer.getStore().list()) {
                all.add((HasMetadata) object);
            }
        }
        return all;
    }

    /**
     * The object of a kind with this key as the informer holds it now, or null (also before the informer has
     * listed). Safe from any thread; the object is the informer's own and must not be changed.
     */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T cached(Kind<T> kind, ObjectKey key) {
        SharedIndexInformer<T> informer = (SharedIndexInformer<T>) byKind.get(kind);
        if (informer == null) {
            return null;
        }
        return informer.getStore().getByKey(kind.namespaced() ? key.namespace() + "/" + key.name() : key.name());
    }

    /** Completes with the time the initial lists took, once every informer has synced. */
    public CompletableFuture<Duration> synced() {
        return synced;
    }

    public boolean hasSynced() {
        return synced.isDone() && !synced.isCompletedExceptionally();
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::stop);
    }
}
