package dev.gantry.loadtest;

import dev.gantry.model.ObjectKey;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The Gantry under test: in this process ({@link InProcessDeployment}) or running elsewhere
 * ({@link RemoteDeployment}).
 */
interface Deployment extends AutoCloseable {

    /**
     * Where one xds-shard serves.
     *
     * @param index shard index
     * @param host ADS host
     * @param xdsPort ADS port
     * @param adminUrl base URL of its admin server ({@code /readyz}, {@code /metrics}, {@code /debug/shard})
     * @param tlsName the name its serving certificate is checked against, or null for {@code host}
     */
    record ShardEndpoint(int index, String host, int xdsPort, String adminUrl, String tlsName) {}

    /** The load test's client: it applies the world, makes the changes and watches status. */
    KubernetesClient client();

    int shardCount();

    ShardEndpoint shard(int index);

    /** How a proxy of this Gateway connects: TLS with its Gateway's credential, as provisioned proxies do. */
    AdsClient.Transport xdsTransport(ObjectKey gateway, int shard);

    /** The in-process deployment, or null when Gantry runs elsewhere. */
    InProcessDeployment local();

    /** What the scenario ran against, for the report. */
    String describe();

    @Override
    void close();
}
