package dev.gantry.loadtest;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;

/** Gantry running elsewhere: the world is applied through KUBECONFIG, proxies connect to the given shards. */
final class RemoteDeployment implements Deployment {

  private final KubernetesClient client;
  private final List<ShardEndpoint> shards;

  RemoteDeployment(List<ShardEndpoint> shards) {
    Config config = Config.autoConfigure(null);
    config.setUserAgent("gantry-load-test");
    config.setMaxConcurrentRequests(64);
    config.setMaxConcurrentRequestsPerHost(32);
    this.client = new KubernetesClientBuilder().withConfig(config).build();
    this.shards = List.copyOf(shards);
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

  /** Parses {@code host:port[@adminHost:adminPort]}; the admin address defaults to the same host, port 9090. */
  static ShardEndpoint parse(int index, String text) {
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
    return new ShardEndpoint(index, host, port, admin.startsWith("http") ? admin : "http://" + admin);
  }

  @Override
  public void close() {
    client.close();
  }
}
