package dev.gantry.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Installs the chart into a real Kubernetes (k3s in a container), waits until the controller and every shard
 * are ready, checks that the controller created the GatewayClass and leads, scales the shards with
 * {@code helm upgrade}, and uninstalls (the CRDs stay).
 *
 * <p>It needs a Docker engine and a Gantry image, so it runs only when asked:
 *
 * <pre>
 *   ./mvnw -B -ntp -DskipTests package &amp;&amp; docker build -t ghcr.io/gantry-dev/gantry:dev .
 *   ./mvnw -B -ntp -pl helm -am verify -Dgantry.image=ghcr.io/gantry-dev/gantry:dev
 * </pre>
 *
 * An image present in the local Docker engine is copied into k3s (nothing is pushed); otherwise k3s pulls it.
 * {@code -Dgantry.k3s.image=rancher/k3s:<tag>} picks the Kubernetes version. Without {@code gantry.image}, or
 * without Docker, the test is skipped.
 */
@EnabledIfSystemProperty(
        named = "gantry.image",
        matches = ".+",
        disabledReason = "needs a Gantry image: -Dgantry.image=<image> (see the class comment)")
@Testcontainers(disabledWithoutDocker = true)
class HelmK3sInstallTest {

    private static final String K3S_IMAGE = System.getProperty("gantry.k3s.image", "rancher/k3s:v1.33.1-k3s1");
    private static final String NAMESPACE = "gantry-system";
    private static final Duration READY = Duration.ofMinutes(5);

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void installsBecomesReadyUpgradesAndUninstalls(@TempDir Path tmp) throws Exception {
        String image = System.getProperty("gantry.image");
        try (K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE))) {
            k3s.start();
            boolean loaded = loadLocalImage(k3s, image, tmp);
            String kubeconfig = k3s.getKubeConfigYaml();
            int colon = image.lastIndexOf(':');
            boolean hasTag = colon > image.lastIndexOf('/');
            Map<String, Object> values = Map.of(
                    "image.registry", "",
                    "image.repository", hasTag ? image.substring(0, colon) : image,
                    "image.tag", hasTag ? image.substring(colon + 1) : "latest",
                    "image.pullPolicy", loaded ? "Never" : "IfNotPresent",
                    // A small node: lower the requests.
                    "controller.resources.requests.cpu", "50m",
                    "controller.resources.requests.memory", "256Mi",
                    "shards.resources.requests.cpu", "50m",
                    "shards.resources.requests.memory", "256Mi");

            var install = new Helm(Chart.dir())
                    .install()
                    .withName("gantry")
                    .withNamespace(NAMESPACE)
                    .createNamespace()
                    .withKubeConfigContents(kubeconfig)
                    .waitReady()
                    .withTimeout((int) READY.toSeconds());
            for (Map.Entry<String, Object> value : values.entrySet()) {
                install = install.set(value.getKey(), value.getValue());
            }
            Release release = install.call();
            assertEquals("deployed", release.getStatus(), release.getOutput());

            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(kubeconfig))
                    .build()) {
                awaitReady(client, 2);
                // The controller, not the chart, made the GatewayClass, and the leader accepted it.
                GenericKubernetesResource gatewayClass = await("GatewayClass gantry accepted", () -> {
                    GenericKubernetesResource gc = client.genericKubernetesResources(
                                    "gateway.networking.k8s.io/v1", "GatewayClass")
                            .withName("gantry")
                            .get();
                    return gc != null && accepted(gc) ? gc : null;
                });
                assertEquals(
                        "gantry.dev/gateway-controller",
                        ((Map<?, ?>) gatewayClass.getAdditionalProperties().get("spec")).get("controllerName"));
                var lease = client.leases()
                        .inNamespace(NAMESPACE)
                        .withName("gantry-controller")
                        .get();
                assertNotNull(lease, "the controller's Lease");
                assertTrue(
                        lease.getSpec().getHolderIdentity().startsWith("gantry-controller-"),
                        lease.getSpec().getHolderIdentity());

                // Upgrade: one more shard; the CRDs (templates) are upgraded in place.
                var upgrade = new Helm(Chart.dir())
                        .upgrade()
                        .withName("gantry")
                        .withNamespace(NAMESPACE)
                        .withKubeConfigContents(kubeconfig)
                        .waitReady()
                        .withTimeout((int) READY.toSeconds())
                        .set("shards.count", 3);
                for (Map.Entry<String, Object> value : values.entrySet()) {
                    upgrade = upgrade.set(value.getKey(), value.getValue());
                }
                Release upgraded = upgrade.call();
                assertEquals("deployed", upgraded.getStatus(), upgraded.getOutput());
                awaitReady(client, 3);

                // Uninstall: Gantry goes, the CRDs stay (helm.sh/resource-policy: keep).
                Helm.uninstall("gantry")
                        .withNamespace(NAMESPACE)
                        .withKubeConfigContents(kubeconfig)
                        .call();
                await(
                        "controller gone",
                        () -> client.apps()
                                                .deployments()
                                                .inNamespace(NAMESPACE)
                                                .withName("gantry-controller")
                                                .get()
                                        == null
                                ? Boolean.TRUE
                                : null);
                assertNotNull(
                        client.apiextensions()
                                .v1()
                                .customResourceDefinitions()
                                .withName("gateways.gateway.networking.k8s.io")
                                .get(),
                        "the CRDs are kept on uninstall");
            }
        }
    }

    private static void awaitReady(KubernetesClient client, int shards) {
        await(shards + " shards ready", () -> {
            StatefulSet sts = client.apps()
                    .statefulSets()
                    .inNamespace(NAMESPACE)
                    .withName("gantry-xds-shard")
                    .get();
            return sts != null
                            && sts.getStatus() != null
                            && Integer.valueOf(shards).equals(sts.getStatus().getReadyReplicas())
                    ? sts
                    : null;
        });
        await("controller available", () -> {
            Deployment d = client.apps()
                    .deployments()
                    .inNamespace(NAMESPACE)
                    .withName("gantry-controller")
                    .get();
            return d != null
                            && d.getStatus() != null
                            && Integer.valueOf(2).equals(d.getStatus().getAvailableReplicas())
                    ? d
                    : null;
        });
    }

    /** Whether the object's status has the condition Accepted=True (the CRD's default is Unknown). */
    private static boolean accepted(GenericKubernetesResource object) {
        Object status = object.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> conditions)) {
            return false;
        }
        return conditions.stream()
                .anyMatch(c ->
                        c instanceof Map<?, ?> m && "Accepted".equals(m.get("type")) && "True".equals(m.get("status")));
    }

    /** Copies an image of the local Docker engine into k3s's containerd; false when Docker does not have it. */
    private static boolean loadLocalImage(K3sContainer k3s, String image, Path tmp) throws Exception {
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            docker.inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            return false;
        }
        Path tar = tmp.resolve("gantry-image.tar");
        try (InputStream saved = docker.saveImageCmd(image).exec()) {
            Files.copy(saved, tar, StandardCopyOption.REPLACE_EXISTING);
        }
        k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/gantry-image.tar");
        ExecResult result = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/gantry-image.tar");
        assertEquals(0, result.getExitCode(), () -> "ctr images import: " + result.getStderr());
        return true;
    }

    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + READY.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError("timed out after " + READY + " waiting for " + what);
    }
}
