package dev.gantry.loadtest;

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
   */
  record ShardEndpoint(int index, String host, int xdsPort, String adminUrl) {
  }

  /** The load test's client: it applies the world, makes the changes and watches status. */
  KubernetesClient client();

  int shardCount();

  ShardEndpoint shard(int index);

  /** The in-process deployment, or null when Gantry runs elsewhere. */
  InProcessDeployment local();

  /** What the scenario ran against, for the report. */
  String describe();

  @Override
  void close();
}
