package dev.gantry.loadtest;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.model.ObjectKey;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.ClusterStore;

/** Repeated full translations of the scale world, for profiling (run by hand). */
public final class FullProbe {
  public static void main(String[] args) {
    TestCertificates.Pem pem = TestCertificates.selfSigned("*.example.com");
    ClusterStore store = ClusterStore.of(ScaleWorld.listenerSetScale().all(pem.certificate(), pem.privateKey()));
    ObjectKey gw = new ObjectKey("infra", "shared-0");
    int rounds = Integer.parseInt(args.length > 0 ? args[0] : "30");
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      GatewayTranslator translator = new GatewayTranslator(TranslatorConfig.defaults(), gw);
      translator.translate(store);
      long t1 = System.nanoTime();
      EnvoyResources r = new EnvoyTranslator().translate(translator.ir());
      long t2 = System.nanoTime();
      long bytes = 0;
      for (var m : r.all()) {
        bytes += m.toByteArray().length;
      }
      long t3 = System.nanoTime();
      if (i >= rounds - 5) {
        System.out.printf("gatewayapi %d ms, envoy %d ms, serialize %d ms (%d bytes)%n", (t1 - t0) / 1_000_000,
            (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, bytes);
      }
    }
  }
}
