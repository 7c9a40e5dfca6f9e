package dev.gantry.kube;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads Kubernetes YAML manifests (several documents per file) and applies them. Every problem names the file
 * and, where known, the line; one bad document or file never stops the others.
 */
public final class ManifestLoader {

    /**
     * One object read from a manifest.
     *
     * @param source file name
     * @param line 1-based line where the document starts
     * @param object the object
     */
    public record Document(String source, int line, HasMetadata object) {}

    /**
     * Something that could not be read or applied.
     *
     * @param source file name
     * @param line 1-based line, or 0 when unknown
     * @param message what went wrong
     */
    public record Problem(String source, int line, String message) {
        @Override
        public String toString() {
            return source + (line > 0 ? ":" + line : "") + ": " + message;
        }
    }

    /** Documents read and problems met. */
    public record Result(List<Document> documents, List<Problem> problems) {
        public Result {
            documents = List.copyOf(documents);
            problems = List.copyOf(problems);
        }
    }

    private ManifestLoader() {}

    /** Parses every document of a YAML text. */
    public static Result parse(String source, String yaml) {
        List<Document> documents = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        LoadSettings settings = LoadSettings.builder().setLabel(source).build();
        try {
            for (Node node : new Compose(settings).composeAllFromString(yaml)) {
                int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
                Object value;
                try {
                    value = new StandardConstructor(settings).constructSingleDocument(Optional.of(node));
                } catch (YamlEngineException e) {
                    problems.add(new Problem(source, line, e.getMessage()));
                    continue;
                }
                if (value == null) {
                    continue; // an empty document, e.g. between two "---"
                }
                if (!(value instanceof Map<?, ?> map)) {
                    problems.add(new Problem(source, line, "document is not a Kubernetes object (a YAML mapping)"));
                    continue;
                }
                String missing = !map.containsKey("apiVersion")
                        ? "apiVersion"
                        : !map.containsKey("kind")
                                ? "kind"
                                : !(map.get("metadata") instanceof Map<?, ?> metadata) || metadata.get("name") == null
                                        ? "metadata.name"
                                        : null;
                if (missing != null) {
                    problems.add(new Problem(source, line, "document has no " + missing));
                    continue;
                }
                try {
                    HasMetadata object = Serialization.unmarshal(Serialization.asJson(map));
                    documents.add(new Document(source, line, object));
                } catch (RuntimeException e) {
                    problems.add(new Problem(source, line, "not a valid " + map.get("kind") + ": " + rootMessage(e)));
                }
            }
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
            problems.add(new Problem(source, line, "YAML does not parse: " + e.getProblem()));
        } catch (YamlEngineException e) {
            problems.add(new Problem(source, 0, "YAML does not parse: " + e.getMessage()));
        }
        return new Result(documents, problems);
    }

    /** Parses every {@code .yaml} and {@code .yml} file under a directory, in path order. */
    public static Result parseDirectory(Path directory) throws IOException {
        List<Document> documents = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        for (Path file : files) {
            String name = directory.relativize(file).toString();
            Result result;
            try {
                result = parse(name, Files.readString(file));
            } catch (IOException | RuntimeException e) {
                problems.add(new Problem(name, 0, "cannot read: " + e.getMessage()));
                continue;
            }
            documents.addAll(result.documents());
            problems.addAll(result.problems());
        }
        return new Result(documents, problems);
    }

    /**
     * Creates or updates every document: Namespaces and CRDs first, then the rest in file order.
     *
     * @return the problems met while applying (the API's rejections)
     */
    public static List<Problem> apply(KubernetesClient client, List<Document> documents) {
        List<Document> ordered = new ArrayList<>(documents);
        ordered.sort(Comparator.comparingInt(ManifestLoader::applyOrder));
        List<Problem> problems = new ArrayList<>();
        for (Document document : ordered) {
            try {
                HasMetadata object = document.object();
                if (object.getMetadata().getNamespace() == null && isNamespaced(client, object)) {
                    object.getMetadata().setNamespace("default");
                }
                client.resource(object).createOr(NonDeletingOperation::update);
            } catch (KubernetesClientException e) {
                // The API's own words (a 422 names every invalid field), without the request line fabric8 puts first.
                String reason = e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage()
                        : rootMessage(e);
                problems.add(new Problem(
                        document.source(),
                        document.line(),
                        document.object().getKind() + " "
                                + document.object().getMetadata().getName() + " was rejected: " + reason));
            } catch (RuntimeException e) {
                problems.add(new Problem(
                        document.source(),
                        document.line(),
                        document.object().getKind() + " "
                                + document.object().getMetadata().getName() + " could not be applied: "
                                + rootMessage(e)));
            }
        }
        return problems;
    }

    private static int applyOrder(Document document) {
        return document.object() instanceof Namespace
                ? 0
                : document.object() instanceof CustomResourceDefinition ? 1 : 2;
    }

    private static boolean isNamespaced(KubernetesClient client, HasMetadata object) {
        if (!(object instanceof GenericKubernetesResource)) {
            return object instanceof Namespaced;
        }
        try {
            APIResourceList resources = client.getApiResources(object.getApiVersion());
            if (resources != null) {
                for (APIResource resource : resources.getResources()) {
                    if (object.getKind().equals(resource.getKind())
                            && !resource.getName().contains("/")) {
                        return Boolean.TRUE.equals(resource.getNamespaced());
                    }
                }
            }
        } catch (RuntimeException e) {
            // Unknown to discovery: treat it as namespaced, as most kinds are.
        }
        return true;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.toString() : root.getMessage();
        return message.length() > 500 ? message.substring(0, 500) + "..." : message;
    }
}
