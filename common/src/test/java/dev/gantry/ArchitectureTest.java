package dev.gantry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pure core stays pure: translation, Envoy resources, IR, status and the cluster view are functions of what they
 * are given. They import no Kubernetes client, no gRPC, no JVM management and none of the I/O edges
 * ({@code dev.gantry.kube}, and of {@code dev.gantry.runtime} only {@code Parallel}, which spreads pure work over
 * cores), and read no clock: those belong to the runner classes of the controller and the shards.
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/gantry");
    private static final List<String> CORE = List.of("translate", "envoy", "ir", "status", "view");
    private static final List<String> FORBIDDEN_IMPORTS = List.of(
            "io.fabric8.kubernetes.client",
            "io.grpc",
            "java.lang.management",
            "dev.gantry.kube.",
            "dev.gantry.runtime.",
            "java.time.Clock");
    private static final List<String> ALLOWED_IMPORTS = List.of("dev.gantry.runtime.Parallel");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);
    /** Clock readings and fully qualified names that would slip past the imports. */
    private static final Pattern FORBIDDEN_CALLS = Pattern.compile(
            "System\\.(nanoTime|currentTimeMillis)\\(|Instant\\.now\\(|Clock\\.system|io\\.fabric8\\.kubernetes\\.client\\."
                    + "|io\\.grpc\\.|java\\.lang\\.management\\.|dev\\.gantry\\.(kube\\.|runtime\\.(?!Parallel\\b))");

    @Test
    void theCoreImportsNoClientNoGrpcNoClockAndNoIoEdge() {
        List<String> violations = new ArrayList<>();
        for (String pkg : CORE) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(pkg))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> check(f, violations));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertEquals(List.of(), violations);
    }

    private static void check(Path file, List<String> violations) {
        String source;
        try {
            source = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher imports = IMPORT.matcher(source);
        while (imports.find()) {
            String imported = imports.group(2);
            for (String forbidden : FORBIDDEN_IMPORTS) {
                if (imported.startsWith(forbidden) && !ALLOWED_IMPORTS.contains(imported)) {
                    violations.add(file + " imports " + imported);
                }
            }
        }
        String code = IMPORT.matcher(source).replaceAll("");
        Matcher calls = FORBIDDEN_CALLS.matcher(code);
        while (calls.find()) {
            violations.add(file + " uses " + calls.group());
        }
    }
}
