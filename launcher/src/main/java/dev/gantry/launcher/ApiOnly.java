package dev.gantry.launcher;

import dev.gantry.config.GantrySettings;
import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.translate.TranslatorConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Standalone's in-memory Kubernetes API on its own, for running the controller and the xds-shards as separate
 * processes against it, exactly as on a cluster: it registers the Gateway API CRDs, creates Gantry's namespace, writes
 * a kubeconfig that points at it, and writes each Gateway's proxy bootstrap for shards that will listen on
 * {@code xdsPort + i}.
 *
 * <p>The API serves plaintext HTTP without authentication on the loopback interface only, as in standalone: it is a
 * development and test fixture, never a cluster.
 */
public final class ApiOnly implements AutoCloseable {

    /** The kubeconfig's context and cluster name. */
    static final String CONTEXT = "gantry-in-memory";

    /**
     * Options of the API-only mode.
     *
     * @param apiPort in-memory API port on 127.0.0.1 (0: any free port)
     * @param kubeconfig where the kubeconfig goes (null: {@code kubeconfig} in a new temporary directory)
     * @param examples directory of manifests to apply, or null
     * @param shards how many shard processes the proxy bootstraps spread the Gateways over
     * @param xdsPort the ADS port of shard 0; shard i is expected on xdsPort + i
     * @param proxyDirectory where the per-Gateway bootstraps go (null: a new temporary directory)
     */
    public record Options(int apiPort, Path kubeconfig, Path examples, int shards, int xdsPort, Path proxyDirectory) {}

    private final InMemoryKubernetesApi api;
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final Path kubeconfig;
    private final Path temporaryDirectory;
    private final ProxyBootstraps bootstraps;
    private final int shards;
    private final int xdsPort;
    private final List<String> problems;

    private ApiOnly(Options options) {
        api = InMemoryKubernetesApi.start(options.apiPort());
        try {
            KubernetesClient setup = client("gantry-api-only");
            setup.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(Standalone.NAMESPACE)
                            .endMetadata()
                            .build())
                    .create();
            if (options.kubeconfig() == null) {
                temporaryDirectory = Files.createTempDirectory(
                        "gantry-api-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                kubeconfig = temporaryDirectory.resolve("kubeconfig");
            } else {
                temporaryDirectory = null;
                kubeconfig = options.kubeconfig().toAbsolutePath();
            }
            writeKubeconfig(kubeconfig, api.url());
            shards = options.shards();
            xdsPort = options.xdsPort();
            Path proxies = options.proxyDirectory() != null
                    ? options.proxyDirectory()
                    : Files.createTempDirectory("gantry-proxies-");
            bootstraps = new ProxyBootstraps(
                            client("gantry-api-only-bootstraps"),
                            proxies,
                            options.proxyDirectory() == null,
                            shards,
                            i -> xdsPort + i,
                            false,
                            TranslatorConfig.DEFAULT_CONTROLLER_NAME)
                    .start();
            problems = Standalone.applyExamples(setup, options.examples()).stream()
                    .map(Object::toString)
                    .toList();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts the API; on a port already in use it fails with a message naming the port. */
    public static ApiOnly start(Options options) {
        return new ApiOnly(options);
    }

    private KubernetesClient client(String userAgent) {
        KubernetesClient client = api.newClient(userAgent);
        clients.add(client);
        return client;
    }

    /**
     * A kubeconfig for the API: one cluster, one context, a user without credentials (the API asks for none). Written
     * to a file beside the target and moved over it, so a process reading it never sees half a file.
     */
    static void writeKubeconfig(Path file, String url) throws IOException {
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: %3$s
                current-context: %1$s
                users:
                - name: %1$s
                  user: {}
                """.formatted(CONTEXT, url, Standalone.NAMESPACE);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = Files.createTempFile(parent, ".kubeconfig-", ".partial");
        Files.writeString(partial, text);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public InMemoryKubernetesApi api() {
        return api;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public Path proxyDirectory() {
        return bootstraps.root();
    }

    /** Problems met while applying the examples (file and line). */
    public List<String> problems() {
        return problems;
    }

    void printSummary(PrintStream out) {
        out.println();
        out.println("Gantry's in-memory Kubernetes API is running (no controller, no shards).");
        out.println("  Kubernetes API (in memory): " + api.url());
        out.println("Kubeconfig: " + kubeconfig);
        out.println("Proxy bootstraps: " + proxyDirectory() + "   (for " + shards + " shard(s) on 127.0.0.1:" + xdsPort
                + (shards > 1 ? "-" + (xdsPort + shards - 1) : "") + ")");
        out.println();
        out.println("Run the control plane against it, each in a terminal of its own:");
        String common = "KUBECONFIG=" + kubeconfig + " " + GantrySettings.PREFIX + "NAMESPACE=" + Standalone.NAMESPACE;
        out.println("  " + common + " " + GantrySettings.PREFIX + "ADMIN_PORT=9090 ./gantry controller");
        for (int i = 0; i < shards; i++) {
            out.println("  " + common + " " + GantrySettings.PREFIX + "SHARD_COUNT=" + shards + " "
                    + GantrySettings.PREFIX + "SHARD_INDEX=" + i + " " + GantrySettings.PREFIX + "XDS_PORT="
                    + (xdsPort + i) + " " + GantrySettings.PREFIX + "ADMIN_PORT=" + (9091 + i) + " ./gantry xds-shard");
        }
        out.println();
    }

    @Override
    public void close() {
        if (bootstraps != null) {
            bootstraps.close();
        }
        clients.forEach(KubernetesClient::close);
        api.close();
        if (temporaryDirectory != null) {
            try {
                Files.deleteIfExists(kubeconfig);
                Files.deleteIfExists(temporaryDirectory);
            } catch (IOException e) {
                // A leftover kubeconfig of a stopped API names a closed port: harmless.
            }
        }
    }
}
