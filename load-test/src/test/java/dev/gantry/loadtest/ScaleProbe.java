package dev.gantry.loadtest;

import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyResourcesBuilder;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.translate.GatewayTranslator;
import dev.gantry.translate.TranslatorConfig;
import dev.gantry.view.Change;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A quick look at translation cost on the scale world (not a test; run by hand). */
public final class ScaleProbe {
  public static void main(String[] args) {
    TestCertificates.Pem pem = TestCertificates.selfSigned("*.example.com");
    ScaleWorld world = ScaleWorld.listenerSetScale();
    ClusterStore store = ClusterStore.of(world.all(pem.certificate(), pem.privateKey()));
    ObjectKey gw = new ObjectKey("infra", "shared-0");
    for (int i = 0; i < 6; i++) {
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
      System.out.printf("full: gatewayapi %d ms, envoy %d ms, serialize %d ms, %d resources, %d bytes%n",
          (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, r.resourceCount(), bytes);
    }
    GatewayTranslator translator = new GatewayTranslator(TranslatorConfig.defaults(), gw);
    translator.translate(store);
    EnvoyResourcesBuilder builder = new EnvoyResourcesBuilder(new EnvoyTranslator());
    EnvoyResources before = builder.build(translator.ir());
    for (int round = 0; round < 5; round++) {
      long total = 0;
      long max = 0;
      long changedBytes = 0;
      int edits = 200;
      for (int e = 0; e < edits; e++) {
        int n = (e * 7) % world.namespaces();
        int s = (e * 13) % world.setsPerNamespace();
        HTTPRoute next = world.route(n, s, e % world.routesPerSet(), 2 + round * 1000 + e);
        ObjectKey key = ObjectKey.of(next);
        var previous = store.get(Kinds.HTTP_ROUTE, key).orElseThrow();
        store.put(next);
        long start = System.nanoTime();
        translator.update(store, List.of(new Change(Kinds.HTTP_ROUTE, key, previous, next)));
        EnvoyResources after = builder.build(translator.ir());
        long took = System.nanoTime() - start;
        total += took;
        max = Math.max(max, took);
        Map<String, String> old = new HashMap<>();
        before.routes().forEach(v -> old.put(v.name(), v.version()));
        for (var v : after.routes()) {
          if (!v.version().equals(old.get(v.name()))) {
            changedBytes += v.size();
          }
        }
        before = after;
      }
      System.out.printf("one-route edit: mean %.3f ms, max %.3f ms, changed bytes per edit %d%n",
          total / 1e6 / edits, max / 1e6, changedBytes / edits);
    }
  }
}
