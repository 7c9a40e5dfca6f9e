package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden tests in the form of Envoy Gateway's: every {@code golden/CASE.in.yaml} (Gateway API objects, Services,
 * Secrets...) is translated and compared with three files:
 *
 * <ul>
 *   <li>{@code CASE.status.yaml}: the status of every object,
 *   <li>{@code CASE.ir.yaml}: the IR of every Gateway (key material as a digest, private keys redacted),
 *   <li>{@code CASE.xds.yaml}: the Envoy resources of every Gateway (private keys redacted).
 * </ul>
 *
 * <p>A missing or different file fails the test. Run with {@code -Dgolden.update=true} to (re)write all three
 * files of every case, then review the diff. Every Envoy resource must also pass Envoy's field rules.
 */
class GoldenTranslationTest {

    private static final Path DIRECTORY = Path.of("src", "test", "resources", "golden");
    private static final Path ACTUAL = Path.of("target", "golden-actual");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");
    private static final String INPUT = ".in.yaml";
    private static final String UPDATE_COMMAND =
            "./mvnw -pl common test -Dtest=GoldenTranslationTest -Dgolden.update=true";

    /** The expected outputs of a case, by file suffix. */
    private enum Output {
        STATUS(".status.yaml", GoldenTranslationTest::renderStatus),
        IR(".ir.yaml", GoldenTranslationTest::renderIr),
        XDS(".xds.yaml", GoldenTranslationTest::renderXds);

        final String suffix;
        final Function<ClusterTranslation, String> renderer;

        Output(String suffix, Function<ClusterTranslation, String> renderer) {
            this.suffix = suffix;
            this.renderer = renderer;
        }
    }

    @TestFactory
    Stream<DynamicTest> goldenFiles() throws IOException {
        List<String> cases = cases();
        assertTrue(cases.size() >= 20, "golden cases found: " + cases);
        return cases.stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    /** An output without its input is left over from a renamed or deleted case: it would never be checked. */
    @Test
    void everyOutputHasItsInput() throws IOException {
        Set<String> cases = Set.copyOf(cases());
        List<String> orphans;
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            orphans = files.map(p -> p.getFileName().toString())
                    .filter(file -> !file.endsWith(INPUT))
                    .filter(file -> Stream.of(Output.values())
                            .noneMatch(output -> file.endsWith(output.suffix)
                                    && cases.contains(file.substring(0, file.length() - output.suffix.length()))))
                    .sorted()
                    .toList();
        }
        assertEquals(List.of(), orphans, "files in " + DIRECTORY + " that belong to no " + INPUT + " case");
    }

    private static List<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(file -> file.endsWith(INPUT))
                    .map(file -> file.substring(0, file.length() - INPUT.length()))
                    .sorted()
                    .toList();
        }
    }

    private static void check(String name) throws IOException {
        ClusterTranslation translation = translate(name);
        List<String> problems = new ArrayList<>();
        for (Output output : Output.values()) {
            String actual = output.renderer.apply(translation);
            Path expectedFile = DIRECTORY.resolve(name + output.suffix);
            if (UPDATE) {
                Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
            } else if (!Files.exists(expectedFile)) {
                problems.add(expectedFile + " is missing: create it with " + UPDATE_COMMAND + ", then review it");
            } else if (!Files.readString(expectedFile).equals(actual)) {
                Path actualFile = ACTUAL.resolve(name + output.suffix);
                Files.createDirectories(ACTUAL);
                Files.writeString(actualFile, actual, StandardCharsets.UTF_8);
                problems.add(expectedFile + " differs from the output (in " + actualFile + "); if the change is meant, "
                        + "rewrite it with " + UPDATE_COMMAND + ", then review the diff");
            }
        }
        if (!problems.isEmpty()) {
            fail(name + ":\n" + String.join("\n", problems));
        }
        EnvoyValidator validator = new EnvoyValidator();
        for (GatewayTranslation gateway : translation.gateways().values()) {
            EnvoyResources resources = new EnvoyTranslator().translate(gateway.ir());
            assertEquals(
                    List.of(),
                    validator.validate(resources),
                    name + ": Envoy would reject resources of " + gateway.gateway());
        }
    }

    private static ClusterTranslation translate(String name) throws IOException {
        ManifestLoader.Result parsed = ManifestLoader.parse(name, Files.readString(DIRECTORY.resolve(name + INPUT)));
        assertEquals(List.of(), parsed.problems(), "the input parses");
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(new GatewayClassBuilder()
                .withNewMetadata()
                .withName("gantry")
                .withGeneration(1L)
                .endMetadata()
                .withNewSpec()
                .withControllerName(TranslatorConfig.DEFAULT_CONTROLLER_NAME)
                .endSpec()
                .build());
        for (ManifestLoader.Document document : parsed.documents()) {
            // Informers hand the translator the stored versions; an input in any other version would be dropped.
            assertTrue(
                    Kinds.ofType(document.object().getClass()).isPresent(),
                    name + ":" + document.line() + ": " + document.object().getApiVersion() + " "
                            + document.object().getKind() + " is not an informer kind");
            objects.add(document.object());
        }
        return new GatewayApiTranslator(TranslatorConfig.defaults()).translateAll(ClusterStore.of(objects));
    }

    /** Status of every object, sorted by kind and key. */
    static String renderStatus(ClusterTranslation translation) {
        Map<String, Object> statuses = new LinkedHashMap<>();
        translation.statuses().entrySet().stream()
                .sorted((a, b) -> {
                    int byKind = Integer.compare(
                            Kinds.ALL.indexOf(a.getKey().kind()),
                            Kinds.ALL.indexOf(b.getKey().kind()));
                    return byKind != 0
                            ? byKind
                            : a.getKey().key().compareTo(b.getKey().key());
                })
                .forEach(e ->
                        statuses.put(e.getKey().kind().kind() + " " + e.getKey().key(), toTree(e.getValue())));
        return Serialization.asYaml(Map.of("status", statuses));
    }

    /** The IR of every Gateway, by Gateway. */
    static String renderIr(ClusterTranslation translation) {
        Map<String, Object> gateways = new LinkedHashMap<>();
        for (Map.Entry<ObjectKey, GatewayTranslation> entry : new TreeMap<>(translation.gateways()).entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> ir =
                    (Map<String, Object>) IrYaml.tree(entry.getValue().ir());
            ir.remove("gateway"); // the key already says it
            gateways.put(entry.getKey().toString(), ir);
        }
        return Serialization.asYaml(Map.of("ir", gateways));
    }

    /** The Envoy resources of every Gateway, by Gateway and type. */
    static String renderXds(ClusterTranslation translation) {
        Map<String, Object> envoy = new LinkedHashMap<>();
        for (Map.Entry<ObjectKey, GatewayTranslation> entry : new TreeMap<>(translation.gateways()).entrySet()) {
            EnvoyResources resources =
                    new EnvoyTranslator().translate(entry.getValue().ir());
            Map<String, Object> types = new LinkedHashMap<>();
            types.put("listeners", json(resources.listeners()));
            types.put("routes", json(resources.routes()));
            types.put("clusters", json(resources.clusters()));
            types.put("endpoints", json(resources.endpoints()));
            types.put("secrets", json(resources.secrets()));
            envoy.put(entry.getKey().toString(), types);
        }
        return Serialization.asYaml(Map.of("xds", envoy));
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
            list.add(withoutPrivateKeys(Serialization.unmarshal(EnvoyJson.print(resource.resource()), Object.class)));
        }
        return list;
    }

    /** The private key of a TLS certificate secret is redacted: its PEM has no place in the repository. */
    private static Object withoutPrivateKeys(Object tree) {
        if (tree instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, value) ->
                    copy.put(key, key.equals("privateKey") ? IrYaml.REDACTED : withoutPrivateKeys(value)));
            return copy;
        }
        if (tree instanceof List<?> list) {
            return list.stream().map(GoldenTranslationTest::withoutPrivateKeys).toList();
        }
        return tree;
    }
}
