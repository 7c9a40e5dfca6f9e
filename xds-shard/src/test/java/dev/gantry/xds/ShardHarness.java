package dev.gantry.xds;

import dev.gantry.config.GantrySettings;
import dev.gantry.kube.InMemoryKubernetesApi;
import dev.gantry.model.ObjectKey;
import dev.gantry.pki.CertificateAuthority;
import dev.gantry.pki.CredentialPlanner;
import dev.gantry.pki.CredentialSecrets;
import dev.gantry.pki.KeyedCertificate;
import dev.gantry.pki.Pem;
import dev.gantry.pki.ProxyIdentity;
import dev.gantry.testing.Eventually;
import dev.gantry.xds.client.AdsClient;
import dev.gantry.xds.client.ClientCredentials;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An in-memory API and xds-shards started against it, with helpers to make Gateway worlds. */
final class ShardHarness implements AutoCloseable {

    /** The shards' debounce in tests: short, so tests run fast. */
    static final Duration DEBOUNCE = Duration.ofMillis(5);

    final InMemoryKubernetesApi api;
    final KubernetesClient client;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<XdsShard> shards = new ArrayList<>();
    final PrometheusRegistry registry = new PrometheusRegistry();
    final ShardMetrics metrics = new ShardMetrics(registry);

    /** Plays the controller's part for the shards: the same planner writes the same Secrets. */
    final CredentialPlanner planner = CredentialPlanner.from(settings(0, 1, Map.of()));

    final CertificateAuthority ca;

    ShardHarness() {
        api = InMemoryKubernetesApi.start(0);
        client = api.newClient("test");
        apply(new GatewayClassBuilder()
                .withNewMetadata()
                .withName("gantry")
                .endMetadata()
                .withNewSpec()
                .withControllerName("gantry.dev/gateway-controller")
                .endSpec()
                .build());
        apply(new NamespaceBuilder()
                .withNewMetadata()
                .withName(planner.caSecretKey().namespace())
                .endMetadata()
                .build());
        CredentialPlanner.Plan<CertificateAuthority> ca = planner.ca(null, Instant.now());
        this.ca = ca.value();
        apply(ca.write());
        apply(planner.serving(this.ca, null, Instant.now()).write());
    }

    /**
     * The transport a provisioned proxy of this Gateway connects with: TLS with the Gateway's credential, issued the
     * way the controller issues it (or, when the Gateway does not exist, a credential made up for it).
     */
    AdsClient.Transport transport(String gateway) {
        ObjectKey key = ObjectKey.parse(gateway);
        Gateway object = client.resources(Gateway.class)
                .inNamespace(key.namespace())
                .withName(key.name())
                .get();
        if (object == null) {
            return transport(ca.issueProxy(new ProxyIdentity(key, "no-such-uid"), Instant.now(), Duration.ofHours(1)));
        }
        KeyedCertificate credential = credential(object);
        // As a proxy started a little later would: the shards have seen its credential by the time it connects.
        for (XdsShard shard : shards) {
            Eventually.await(
                    Duration.ofSeconds(30),
                    "shard " + shard.index() + " sees the credential of " + gateway,
                    () -> shard.knowsCredential(key, credential.serial()));
        }
        return transport(credential);
    }

    /** The Gateway's credential as its Secret holds it, issued (or renewed) first when due. */
    KeyedCertificate credential(Gateway gateway) {
        ObjectKey key = ObjectKey.of(gateway);
        Secret existing = client.secrets()
                .inNamespace(key.namespace())
                .withName(CredentialSecrets.proxyCredentialName(key))
                .get();
        CredentialPlanner.Plan<KeyedCertificate> plan = planner.proxyCredential(ca, gateway, existing, Instant.now());
        if (plan.write() != null) {
            apply(plan.write());
        }
        return plan.value();
    }

    AdsClient.Transport transport(KeyedCertificate credential) {
        ClientCredentials credentials = new ClientCredentials(
                Pem.certificates(List.of(ca.certificate())), credential.certificatePem(), credential.keyPem());
        return new AdsClient.Transport.Tls(() -> credentials, null);
    }

    static GantrySettings settings(int index, int count, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_SHARD_INDEX", Integer.toString(index));
        env.put("GANTRY_SHARD_COUNT", Integer.toString(count));
        env.put("GANTRY_DEBOUNCE", DEBOUNCE.toMillis() + "ms");
        env.put("GANTRY_DEBOUNCE_MAX", "50ms");
        overrides.forEach((k, v) -> env.put(GantrySettings.PREFIX + k, v));
        return GantrySettings.fromEnvironment(env);
    }

    XdsShard startShard(int index, int count, int xdsPort, Map<String, String> overrides) {
        KubernetesClient shardClient = api.newClient("gantry-xds-shard-" + index);
        XdsShard shard =
                new XdsShard(settings(index, count, overrides), shardClient, "127.0.0.1", xdsPort, 0, metrics).start();
        running.add(shard);
        running.add(shardClient);
        shards.add(shard);
        // A shard speaks TLS once its informers have brought the serving certificate, a moment after it starts.
        Eventually.await(Duration.ofSeconds(30), "shard " + index + " serves TLS", () -> shard.servingSerial() != null);
        return shard;
    }

    void apply(HasMetadata... objects) {
        for (HasMetadata object : objects) {
            client.resource(object).createOr(NonDeletingOperation::update);
        }
    }

    /** A namespace with a Gateway (HTTP :80), a Service with one endpoint and {@code routes} HTTPRoutes. */
    void gatewayWithRoutes(String namespace, String gateway, int routes) {
        apply(new NamespaceBuilder()
                .withNewMetadata()
                .withName(namespace)
                .endMetadata()
                .build());
        apply(new GatewayBuilder()
                .withNewMetadata()
                .withName(gateway)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("gantry")
                .addNewListener()
                .withName("http")
                .withPort(80)
                .withProtocol("HTTP")
                .endListener()
                .endSpec()
                .build());
        apply(new ServiceBuilder()
                .withNewMetadata()
                .withName("backend")
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .endPort()
                .endSpec()
                .build());
        apply(new EndpointSliceBuilder()
                .withNewMetadata()
                .withName("backend-1")
                .withNamespace(namespace)
                .addToLabels("kubernetes.io/service-name", "backend")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .endPort()
                .addNewEndpoint()
                .withAddresses("10.1.0.1")
                .endEndpoint()
                .build());
        for (int r = 0; r < routes; r++) {
            apply(route(namespace, gateway, "r" + r, "/r" + r));
        }
    }

    static HTTPRoute route(String namespace, String gateway, String name, String path) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName(gateway)
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue(path)
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName("backend")
                .withPort(8080)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
    }

    void track(AutoCloseable closeable) {
        running.add(closeable);
    }

    @Override
    public void close() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        client.close();
        api.close();
    }
}
