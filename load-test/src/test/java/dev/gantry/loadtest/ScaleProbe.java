package dev.gantry.loadtest;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.model.ObjectKey;
import dev.gantry.translate.GatewayApiTranslator;
import dev.gantry.translate.GatewayTranslation;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;

/** A quick look at full-translation cost of the scale world (not a test; run by hand). */
public final class ScaleProbe {
  public static void main(String[] args) {
    TestCertificates.Pem pem = TestCertificates.selfSigned("*.example.com");
    ScaleWorld world = ScaleWorld.listenerSetScale();
    ClusterStore store = ClusterStore.of(world.all(pem.certificate(), pem.privateKey()));
    GatewayApiTranslator translator = new GatewayApiTranslator(TranslatorConfig.defaults());
    EnvoyTranslator envoy = new EnvoyTranslator();
    ObjectKey gw = new ObjectKey("infra", "shared-0");
    for (int i = 0; i < 8; i++) {
      long t0 = System.nanoTime();
      GatewayTranslation t = translator.translate(store, gw).orElseThrow();
      long t1 = System.nanoTime();
      EnvoyResources r = envoy.translate(t.ir());
      long t2 = System.nanoTime();
      long bytes = 0;
      for (var m : r.all()) {
        bytes += m.toByteArray().length;
      }
      long t3 = System.nanoTime();
      System.out.printf("gatewayapi %d ms, envoy %d ms, serialize %d ms, %d resources, %d bytes, routes=%d%n",
          (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, r.resourceCount(), bytes,
          t.routeParents().size());
    }
  }
}
