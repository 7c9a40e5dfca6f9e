package dev.gantry.launcher;

import dev.gantry.controller.EnvoyBootstrap;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.sharding.ShardHash;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a local Envoy needs to be a Gateway's proxy in standalone: for every Gateway of Gantry's classes (those
 * created later too), a directory {@code <root>/<namespace>/<name>/} with {@code envoy.yaml}, {@code ca.crt} and the
 * Gateway's credential ({@code tls.crt}, {@code tls.key}), kept up to date as the controller renews or reissues it.
 * The files are swapped the way a Kubernetes Secret volume swaps them (a {@code ..data} link replaced in one
 * rename), so an Envoy watching the directory reads a consistent pair. Directories are readable by the owner only.
 */
final class ProxyBootstraps implements AutoCloseable {

    static final String BOOTSTRAP = "envoy.yaml";
    private static final Logger LOG = LoggerFactory.getLogger(ProxyBootstraps.class);
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private final KubernetesClient client;
    private final Path root;
    private final boolean temporary;
    private final int shardCount;
    private final IntUnaryOperator xdsPortOfShard;
    private final boolean insecure;
    private final String controllerName;
    private SharedIndexInformer<?> informer;
    private boolean closed;

    /**
     * @param temporary whether the directory is removed at close (a temporary one: keys do not outlive the run)
     * @param xdsPortOfShard the ADS port of each shard (they listen on 127.0.0.1)
     * @param insecure the shards serve plaintext: bootstraps without TLS, one per Gateway of Gantry's classes
     */
    ProxyBootstraps(
            KubernetesClient client,
            Path root,
            boolean temporary,
            int shardCount,
            IntUnaryOperator xdsPortOfShard,
            boolean insecure,
            String controllerName) {
        this.client = client;
        this.root = root.toAbsolutePath().normalize();
        this.temporary = temporary;
        this.shardCount = shardCount;
        this.xdsPortOfShard = xdsPortOfShard;
        this.insecure = insecure;
        this.controllerName = controllerName;
    }

    Path root() {
        return root;
    }

    ProxyBootstraps start() {
        try {
            createPrivateDirectory(root);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot create the proxy bootstrap directory " + root + ": " + e.getMessage(), e);
        }
        if (insecure) {
            SharedIndexInformer<Gateway> gateways = client.resources(Gateway.class)
                    .inAnyNamespace()
                    .inform(handler(this::writePlaintext, gateway -> remove(ObjectKey.of(gateway))), 0);
            informer = gateways;
        } else {
            SharedIndexInformer<Secret> secrets = client.secrets()
                    .inAnyNamespace()
                    .withLabel(CredentialSecrets.LABEL, CredentialSecrets.LABEL_PROXY)
                    .inform(handler(this::writeCredential, this::credentialGone), 0);
            informer = secrets;
        }
        return this;
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> write, Consumer<T> gone) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                write.accept(object);
            }

            @Override
            public void onUpdate(T previous, T current) {
                write.accept(current);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                gone.accept(object);
            }
        };
    }

    private void writeCredential(Secret secret) {
        ObjectKey gateway = CredentialSecrets.gatewayOf(secret);
        String ca = CredentialSecrets.text(secret, CredentialSecrets.CA_CRT);
        String certificate = CredentialSecrets.text(secret, CredentialSecrets.TLS_CRT);
        String key = CredentialSecrets.text(secret, CredentialSecrets.TLS_KEY);
        if (gateway == null || ca == null || certificate == null || key == null) {
            return;
        }
        Path directory = directory(gateway);
        Map<String, String> files = new LinkedHashMap<>(bootstrap(gateway, directory, true));
        files.put(CredentialSecrets.CA_CRT, ca);
        files.put(CredentialSecrets.TLS_CRT, certificate);
        files.put(CredentialSecrets.TLS_KEY, key);
        write(gateway, directory, files);
    }

    /** A credential Secret deleted: the directory goes when its Gateway has gone too (else a new one follows). */
    private void credentialGone(Secret secret) {
        ObjectKey gateway = CredentialSecrets.gatewayOf(secret);
        if (gateway != null
                && client.resources(Gateway.class)
                                .inNamespace(gateway.namespace())
                                .withName(gateway.name())
                                .get()
                        == null) {
            remove(gateway);
        }
    }

    private void writePlaintext(Gateway gateway) {
        GatewayClass gatewayClass = client.resources(GatewayClass.class)
                .withName(gateway.getSpec().getGatewayClassName())
                .get();
        if (gatewayClass == null
                || !controllerName.equals(gatewayClass.getSpec().getControllerName())) {
            return;
        }
        ObjectKey key = ObjectKey.of(gateway);
        Path directory = directory(key);
        write(key, directory, bootstrap(key, directory, false));
    }

    private Map<String, String> bootstrap(ObjectKey gateway, Path directory, boolean tls) {
        int port = xdsPortOfShard.applyAsInt(ShardHash.shardOf(gateway, shardCount));
        return EnvoyBootstrap.files(
                BOOTSTRAP,
                gateway,
                "standalone-" + gateway.namespace() + "-" + gateway.name(),
                "127.0.0.1",
                port,
                tls ? new EnvoyBootstrap.Paths(directory.toString(), directory.toString()) : null);
    }

    private Path directory(ObjectKey gateway) {
        return root.resolve(gateway.namespace()).resolve(gateway.name());
    }

    private synchronized void write(ObjectKey gateway, Path directory, Map<String, String> files) {
        if (closed) {
            return;
        }
        try {
            if (unchanged(directory, files)) {
                return;
            }
            createPrivateDirectory(directory.getParent());
            createPrivateDirectory(directory);
            swap(directory, files);
            LOG.info("proxy bootstrap of Gateway {} written to {}", gateway, directory);
        } catch (IOException e) {
            LOG.error("cannot write the proxy bootstrap of Gateway {} to {}: {}", gateway, directory, e.getMessage());
        }
    }

    private static boolean unchanged(Path directory, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = directory.resolve(file.getKey());
            if (!Files.exists(path)
                    || !Files.readString(path, StandardCharsets.UTF_8).equals(file.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the files into a new hidden version directory, points {@code ..data} at it with one rename, and links
     * each name to {@code ..data/<name>}: a reader sees the old set or the new one, never a mix.
     */
    private static void swap(Path directory, Map<String, String> files) throws IOException {
        Path version = Files.createTempDirectory(
                directory, "..version-", PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = version.resolve(file.getKey());
            Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_FILE));
            Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
        }
        Path data = directory.resolve("..data");
        Path next = directory.resolve("..data_tmp");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, version.getFileName());
        try {
            Files.move(next, data, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(next, data, StandardCopyOption.REPLACE_EXISTING);
        }
        for (String name : files.keySet()) {
            Path link = directory.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of("..data", name));
            }
        }
        try (DirectoryStream<Path> old = Files.newDirectoryStream(directory, "..version-*")) {
            for (Path stale : old) {
                if (!stale.equals(version)) {
                    deleteTree(stale);
                }
            }
        }
    }

    private synchronized void remove(ObjectKey gateway) {
        Path directory = directory(gateway);
        try {
            if (Files.exists(directory)) {
                deleteTree(directory);
                LOG.info("proxy bootstrap of Gateway {} removed (the Gateway is gone)", gateway);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", directory, e.getMessage());
        }
    }

    private static void deleteTree(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path each : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        }
    }

    /** Creates a directory only its owner may enter; one that exists is left as it is. */
    private static void createPrivateDirectory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(directory, OWNER_DIRECTORY);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (informer != null) {
            informer.stop();
        }
        if (temporary) {
            try {
                deleteTree(root);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", root, e.getMessage());
            }
        }
    }
}
