package dev.gantry.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API-server faults the in-memory API injects, as an informer meets them. */
class InMemoryApiFaultsTest {

    private InMemoryKubernetesApi api;
    private KubernetesClient writer;
    private KubernetesClient watcher;
    private SharedIndexInformer<ConfigMap> informer;

    @BeforeEach
    void start() {
        api = InMemoryKubernetesApi.start(0);
        writer = api.newClient("writer");
        Config config = new ConfigBuilder(api.config("watcher"))
                .withWatchReconnectInterval(50)
                .withRequestRetryBackoffLimit(0)
                .build();
        watcher = new KubernetesClientBuilder().withConfig(config).build();
        informer = watcher.configMaps().inNamespace("default").inform();
        await(() -> informer.hasSynced(), "the informer synced");
    }

    @AfterEach
    void stop() {
        informer.close();
        watcher.close();
        writer.close();
        api.close();
    }

    @Test
    void aWatchResumingFromACompactedVersionIsToldGoneAndTheInformerListsAgain() {
        write("before");
        await(() -> cached("before"), "the informer saw the first object");
        int listsBefore = lists();

        api.compact();
        api.dropWatches();
        write("after");

        await(() -> cached("after"), "the informer to see the object written after the compaction");
        assertTrue(api.expiredWatches() >= 1, "the resumed watch was told 410 Gone");
        assertTrue(lists() > listsBefore, "the informer listed again after the 410");
    }

    @Test
    void aWatchFromNowIsServedAfterACompaction() {
        api.compact();
        write("fresh");
        await(() -> cached("fresh"), "the informer's open watch keeps serving");
        assertEquals(0, api.expiredWatches());
    }

    @Test
    void listsRefusedWhileTheInformerRelistsAreRetriedUntilOneSucceeds() {
        write("before");
        await(() -> cached("before"), "the informer saw the first object");
        api.injectListFault("/configmaps$", "watcher", 503, 2);
        api.injectListFault("/configmaps$", "watcher", 429, 2);

        api.compact();
        api.dropWatches();
        write("after");

        await(() -> cached("after"), "the informer to recover once the lists are served again");
        long refused = api.requestLog().stream()
                .filter(c -> c.userAgent().equals("watcher") && (c.code() == 503 || c.code() == 429))
                .count();
        assertEquals(4, refused, "every injected refusal was met");
    }

    @Test
    void aListFaultLeavesWatchesAlone() {
        api.injectListFault("/configmaps$", "watcher", 500, 1_000);
        write("during");
        await(() -> cached("during"), "the open watch delivers the object");
        KubernetesClientException refused = assertThrows(
                KubernetesClientException.class,
                () -> watcher.configMaps().inNamespace("default").list());
        assertEquals(500, refused.getCode());
    }

    @Test
    void a429SaysWhenToComeBack() {
        api.injectFault("GET", "/configmaps/x$", 429, 1);
        KubernetesClient plain = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(api.config("plain"))
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
        try (plain) {
            KubernetesClientException refused = assertThrows(
                    KubernetesClientException.class,
                    () -> plain.configMaps()
                            .inNamespace("default")
                            .withName("x")
                            .get());
            assertEquals(429, refused.getCode());
        }
    }

    private void write(String name) {
        writer.configMaps()
                .inNamespace("default")
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace("default")
                        .endMetadata()
                        .build())
                .create();
    }

    private boolean cached(String name) {
        return informer.getStore().getByKey("default/" + name) != null;
    }

    private int lists() {
        List<InMemoryDispatcher.Call> calls = api.requestLog();
        return (int) calls.stream()
                .filter(c -> c.userAgent().equals("watcher")
                        && c.method().equals("GET")
                        && c.code() == 200
                        && !c.path().contains("watch=true"))
                .count();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
