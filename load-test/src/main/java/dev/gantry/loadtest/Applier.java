package dev.gantry.loadtest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes objects in parallel (creating one object at a time is slow on the in-memory API, and slows as its store
 * grows). An object that exists is replaced; a failed write is retried a few times before the run stops.
 */
final class Applier implements AutoCloseable {

    private final KubernetesClient client;
    private final ExecutorService pool;

    Applier(KubernetesClient client, int threads) {
        this.client = client;
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "loadtest-apply-" + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Namespaces and cluster-scoped objects first (namespaced objects need their namespace), then the rest. */
    void applyAll(List<? extends HasMetadata> objects, Progress progress) throws InterruptedException {
        List<HasMetadata> first = new ArrayList<>();
        List<HasMetadata> rest = new ArrayList<>();
        for (HasMetadata object : objects) {
            (object.getMetadata().getNamespace() == null ? first : rest).add(object);
        }
        apply(first, progress);
        apply(rest, progress);
    }

    /** Writes the objects in parallel; returns when all are written. */
    void apply(List<? extends HasMetadata> objects, Progress progress) throws InterruptedException {
        List<Future<?>> futures = new ArrayList<>(objects.size());
        for (HasMetadata object : objects) {
            futures.add(pool.submit(() -> {
                write(object);
                if (progress != null) {
                    progress.advance(1);
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            try {
                future.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(
                        "could not write an object: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    void write(HasMetadata object) {
        write(client, object);
    }

    /** Creates the object, or replaces it when it exists; retries conflicts and server errors. */
    static void write(KubernetesClient client, HasMetadata object) {
        for (int attempt = 1; ; attempt++) {
            try {
                try {
                    client.resource(object).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    HasMetadata copy = client.getKubernetesSerialization().clone(object);
                    copy.getMetadata().setResourceVersion(null);
                    client.resource(copy).update();
                }
                return;
            } catch (KubernetesClientException e) {
                boolean retry = e.getCode() == 409 || e.getCode() == 429 || e.getCode() >= 500 || e.getCode() == 0;
                if (!retry || attempt >= 5) {
                    throw new IllegalStateException(
                            object.getKind() + " " + object.getMetadata().getNamespace() + "/"
                                    + object.getMetadata().getName() + ": " + e.getMessage(),
                            e);
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
