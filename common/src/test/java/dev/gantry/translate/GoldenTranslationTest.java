package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gantry.envoy.EnvoyJson;
import dev.gantry.envoy.EnvoyResources;
import dev.gantry.envoy.EnvoyTranslator;
import dev.gantry.envoy.EnvoyValidator;
import dev.gantry.kube.ManifestLoader;
import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.status.ConditionIr;
import dev.gantry.status.ObjectStatusIr;
import dev.gantry.view.ClusterStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests: every {@code golden/NAME.in.yaml} is translated and compared with {@code golden/NAME.out.yaml}
 * (status of every object, and the Envoy resources of every Gateway). Run with {@code -Dgolden.update=true} to
 * rewrite the expected files, then review the diff. Every Envoy resource must also pass Envoy's field rules.
 */
class GoldenTranslationTest {

  private static final Path DIRECTORY = Path.of("src", "test", "resources", "golden");
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @TestFactory
  Stream<DynamicTest> goldenFiles() throws IOException {
    List<Path> inputs;
    try (Stream<Path> files = Files.list(DIRECTORY)) {
      inputs = files.filter(p -> p.toString().endsWith(".in.yaml")).sorted().toList();
    }
    assertTrue(inputs.size() >= 6, "golden inputs found: " + inputs);
    return inputs.stream().map(input -> DynamicTest.dynamicTest(input.getFileName().toString(), () -> check(input)));
  }

  private static void check(Path input) throws IOException {
    String name = input.getFileName().toString().replace(".in.yaml", "");
    ManifestLoader.Result parsed = ManifestLoader.parse(name, Files.readString(input));
    assertEquals(List.of(), parsed.problems(), "the input parses");
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(new GatewayClassBuilder().withNewMetadata().withName("gantry").withGeneration(1L).endMetadata()
        .withNewSpec().withControllerName(TranslatorConfig.DEFAULT_CONTROLLER_NAME).endSpec().build());
    for (ManifestLoader.Document document : parsed.documents()) {
      // Informers hand the translator the stored versions; an input in any other version would be dropped.
      assertTrue(Kinds.ofType(document.object().getClass()).isPresent(), name + ":" + document.line() + ": "
          + document.object().getApiVersion() + " " + document.object().getKind() + " is not an informer kind");
      objects.add(document.object());
    }
    ClusterStore store = ClusterStore.of(objects);
    ClusterTranslation translation = new GatewayApiTranslator(TranslatorConfig.defaults()).translateAll(store);
    String actual = render(translation);
    Path expectedFile = DIRECTORY.resolve(name + ".out.yaml");
    if (UPDATE || !Files.exists(expectedFile)) {
      Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
    }
    String expected = Files.readString(expectedFile);
    if (!expected.equals(actual)) {
      Path actualFile = Path.of("target", "golden-actual", name + ".out.yaml");
      Files.createDirectories(actualFile.getParent());
      Files.writeString(actualFile, actual, StandardCharsets.UTF_8);
      assertEquals(expected, actual, name + ": output differs from " + expectedFile + " (actual output in "
          + actualFile + "; run with -Dgolden.update=true to rewrite it, then review the diff)");
    }
    EnvoyValidator validator = new EnvoyValidator();
    for (GatewayTranslation gateway : translation.gateways().values()) {
      EnvoyResources resources = new EnvoyTranslator().translate(gateway.ir());
      assertEquals(List.of(), validator.validate(resources), name + ": Envoy would reject resources of "
          + gateway.gateway());
    }
  }

  /** Status sorted by kind and key, then each Gateway's Envoy resources, as YAML. */
  static String render(ClusterTranslation translation) {
    Map<String, Object> document = new LinkedHashMap<>();
    Map<String, Object> statuses = new LinkedHashMap<>();
    translation.statuses().entrySet().stream()
        .sorted((a, b) -> {
          int byKind = Integer.compare(Kinds.ALL.indexOf(a.getKey().kind()), Kinds.ALL.indexOf(b.getKey().kind()));
          return byKind != 0 ? byKind : a.getKey().key().compareTo(b.getKey().key());
        })
        .forEach(e -> statuses.put(e.getKey().kind().kind() + " " + e.getKey().key(), toTree(e.getValue())));
    document.put("status", statuses);
    Map<String, Object> envoy = new LinkedHashMap<>();
    for (Map.Entry<ObjectKey, GatewayTranslation> entry : new TreeMap<>(translation.gateways()).entrySet()) {
      EnvoyResources resources = new EnvoyTranslator().translate(entry.getValue().ir());
      Map<String, Object> types = new LinkedHashMap<>();
      types.put("listeners", json(resources.listeners()));
      types.put("routes", json(resources.routes()));
      types.put("clusters", json(resources.clusters()));
      types.put("endpoints", json(resources.endpoints()));
      types.put("secrets", json(resources.secrets()));
      envoy.put(entry.getKey().toString(), types);
    }
    document.put("envoy", envoy);
    return Serialization.asYaml(document);
  }

  private static Object toTree(ObjectStatusIr status) {
    return withoutDerived(Serialization.unmarshal(Serialization.asJson(status), Object.class));
  }

  /** {@link ConditionIr#isTrue()} is derived from {@code status}: it is not part of a written condition. */
  private static Object withoutDerived(Object tree) {
    if (tree instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((key, value) -> {
        if (!(key.equals("true") && map.containsKey("status"))) {
          copy.put(key, withoutDerived(value));
        }
      });
      return copy;
    }
    if (tree instanceof List<?> list) {
      return list.stream().map(GoldenTranslationTest::withoutDerived).toList();
    }
    return tree;
  }

  private static List<Object> json(List<? extends EnvoyResources.Versioned<?>> resources) {
    List<Object> list = new ArrayList<>();
    for (EnvoyResources.Versioned<?> resource : resources) {
      list.add(Serialization.unmarshal(EnvoyJson.print(resource.resource()), Object.class));
    }
    return list;
  }
}
