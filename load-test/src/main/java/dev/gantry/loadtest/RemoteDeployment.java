package dev.gantry.loadtest;

import dev.gantry.model.ObjectKey;
import dev.gantry.xds.client.AdsClient;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;

/** Gantry running elsewhere: the world is applied through KUBECONFIG, proxies connect to the given shards. */
final class RemoteDeployment implements Deployment {

    private final KubernetesClient client;
    private final List<ShardEndpoint> shards;

    private final ProxyCredentials credentials;

    /** @param insecureXds the shards serve plaintext (GANTRY_XDS_INSECURE): proxies connect without TLS */
    RemoteDeployment(List<ShardEndpoint> shards, boolean insecureXds) {
        Config config = Config.autoConfigure(null);
        config.setUserAgent("gantry-load-test");
        config.setMaxConcurrentRequests(64);
        config.setMaxConcurrentRequestsPerHost(32);
        this.client = new KubernetesClientBuilder().withConfig(config).build();
        this.shards = List.copyOf(shards);
        this.credentials = new ProxyCredentials(client, insecureXds, Duration.ofMinutes(2), null);
    }

    @Override
    public AdsClient.Transport xdsTransport(ObjectKey gateway, int shard) {
        return credentials.transport(gateway, shards.get(shard).tlsName());
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public int shardCount() {
        return shards.size();
    }

    @Override
    public ShardEndpoint shard(int index) {
        return shards.get(index);
    }

    @Override
    public InProcessDeployment local() {
        return null;
    }

    @Override
    public String describe() {
        return "remote: API " + client.getMasterUrl() + ", " + shards.size() + " shard(s)";
    }

    /**
     * Parses {@code host:port[@adminHost:adminPort][/tlsName]}; the admin address defaults to the same host, port
     * 9090, and the name the serving certificate must carry to the host (give the shard's Service name when
     * connecting through a port-forward).
     */
    static ShardEndpoint parse(int index, String text) {
        String tlsName = null;
        int slash = text.indexOf('/', text.indexOf("://") < 0 ? 0 : text.indexOf("://") + 3);
        if (slash >= 0) {
            tlsName = text.substring(slash + 1);
            text = text.substring(0, slash);
        }
        String xds = text;
        String admin = null;
        int at = text.indexOf('@');
        if (at >= 0) {
            xds = text.substring(0, at);
            admin = text.substring(at + 1);
        }
        int colon = xds.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--shard wants host:port[@adminhost:adminport], got '" + text + "'");
        }
        String host = xds.substring(0, colon);
        int port = Integer.parseInt(xds.substring(colon + 1));
        if (admin == null) {
            admin = host + ":9090";
        }
        return new ShardEndpoint(
                index,
                host,
                port,
                admin.startsWith("http") ? admin : "http://" + admin,
                tlsName == null || tlsName.isEmpty() ? null : tlsName);
    }

    @Override
    public void close() {
        client.close();
    }
}
