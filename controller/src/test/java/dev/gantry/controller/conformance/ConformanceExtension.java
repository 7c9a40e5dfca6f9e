package dev.gantry.controller.conformance;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLocksProvider;

/**
 * Runs {@link ConformanceTest}s: skips those whose features are not supported, starts the shared
 * {@link ConformanceSuite} once, applies each test's manifests and cleans them up, hands the test its
 * {@link ConformanceRun}, fails a test during which the API refused a status the controller wrote, and at the end
 * writes the per-feature tally to {@code target/conformance-report.md}.
 */
final class ConformanceExtension
        implements ExecutionCondition, BeforeEachCallback, AfterEachCallback, ParameterResolver, TestWatcher {

    /** The lock every conformance test takes: shared by parallel tests, exclusive for the others. */
    static final String CLUSTER = "gantry-conformance-cluster";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ConformanceExtension.class);

    /** Parallel tests (upstream {@code Parallel: true}, here {@code @Execution(CONCURRENT)}) share the cluster. */
    public static final class Locks implements ResourceLocksProvider {
        @Override
        public Set<Lock> provideForMethod(List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method method) {
            Execution execution = method.getAnnotation(Execution.class);
            boolean parallel = execution != null && execution.value() == ExecutionMode.CONCURRENT;
            return Set.of(new Lock(CLUSTER, parallel ? ResourceAccessMode.READ : ResourceAccessMode.READ_WRITE));
        }
    }

    /** What became of one test. */
    record Outcome(String name, Set<String> features, boolean provisional, String result, String detail, long millis) {}

    /** The shared cluster and the tally, closed after the last test of the JVM. */
    private static final class Shared implements AutoCloseable {
        private ConformanceSuite suite;
        private final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        private final long started = System.nanoTime();

        synchronized ConformanceSuite suite() {
            if (suite == null) {
                suite = ConformanceSuite.start();
            }
            return suite;
        }

        @Override
        public void close() {
            try {
                report();
            } finally {
                synchronized (this) {
                    if (suite != null) {
                        suite.close();
                    }
                }
            }
        }

        private void report() {
            if (outcomes.isEmpty()) {
                return;
            }
            Map<String, int[]> byFeature = new TreeMap<>();
            for (Outcome outcome : outcomes.values()) {
                for (String feature : outcome.features()) {
                    int[] tally = byFeature.computeIfAbsent(feature, f -> new int[3]);
                    tally[
                            switch (outcome.result()) {
                                case "passed" -> 0;
                                case "failed" -> 1;
                                default -> 2;
                            }]++;
                }
            }
            StringBuilder text = new StringBuilder();
            text.append("# Gateway API v1.6.1 conformance (status only), in-memory API\n\n");
            text.append(String.format("%d tests, %.1f s%n%n", outcomes.size(), (System.nanoTime() - started) / 1e9));
            text.append("| Feature | Claimed | Passed | Failed | Skipped |\n|---|---|---|---|---|\n");
            byFeature.forEach((feature, tally) -> text.append(String.format(
                    "| %s | %s | %d/%d | %d | %d |%n",
                    feature,
                    ConformanceSuite.SUPPORTED == null || ConformanceSuite.SUPPORTED.contains(feature) ? "yes" : "no",
                    tally[0],
                    tally[0] + tally[1],
                    tally[1],
                    tally[2])));
            text.append("\n| Test | Features | Result | Detail |\n|---|---|---|---|\n");
            for (Outcome outcome : new TreeMap<>(outcomes).values()) {
                text.append(String.format(
                        "| %s%s | %s | %s | %s |%n",
                        outcome.name(),
                        outcome.provisional() ? " (P)" : "",
                        ConformanceSuite.describe(outcome.features()),
                        outcome.result(),
                        outcome.result().equals("passed")
                                ? outcome.millis() + " ms"
                                : outcome.detail().replace('\n', ' ').replace("|", "\\|")));
            }
            try {
                Path file = Path.of("target", "conformance-report.md");
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8);
                System.out.println("conformance report written to " + file.toAbsolutePath());
            } catch (IOException e) {
                System.out.println("could not write the conformance report: " + e);
            }
            System.out.println(text);
        }
    }

    private static Shared shared(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, k -> new Shared(), Shared.class);
    }

    private static Optional<ConformanceTest> annotation(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.getAnnotation(ConformanceTest.class));
    }

    private static Set<String> features(ConformanceTest test) {
        Set<String> features = new TreeSet<>(List.of(test.features()));
        features.add("Gateway");
        return features;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<ConformanceTest> test = annotation(context);
        if (test.isEmpty()) {
            return ConditionEvaluationResult.enabled("not a conformance test");
        }
        List<String> missing = new ArrayList<>();
        for (String feature : features(test.get())) {
            if (!ConformanceSuite.supports(feature)) {
                missing.add(feature);
            }
        }
        if (!missing.isEmpty()) {
            return ConditionEvaluationResult.disabled("feature not claimed: " + String.join(", ", missing));
        }
        for (String feature : test.get().unlessSupported()) {
            if (ConformanceSuite.SUPPORTED != null && ConformanceSuite.supports(feature)) {
                return ConditionEvaluationResult.disabled("runs only when " + feature + " is not claimed");
            }
        }
        return ConditionEvaluationResult.enabled("features claimed");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ConformanceTest test = annotation(context).orElseThrow();
        ConformanceRun run = new ConformanceRun(
                shared(context).suite(), context.getRequiredTestMethod().getName());
        context.getStore(NAMESPACE).put(ConformanceRun.class, run);
        context.getStore(NAMESPACE).put("started", System.nanoTime());
        for (String manifest : test.manifests()) {
            run.applyManifest(manifest);
        }
    }

    /**
     * Cleans up. Before that, for a parallel test that passed, checks what the upstream suite checks implicitly:
     * parallel tests call NMR on the infra namespace while the others run, so every Gateway a parallel test
     * creates without the skip-readiness annotation must become Accepted and Programmed.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        ConformanceRun run = context.getStore(NAMESPACE).get(ConformanceRun.class, ConformanceRun.class);
        if (run == null) {
            return;
        }
        try {
            Execution execution = context.getRequiredTestMethod().getAnnotation(Execution.class);
            if (context.getExecutionException().isEmpty()
                    && execution != null
                    && execution.value() == ExecutionMode.CONCURRENT) {
                run.appliedGatewaysMustBeReady();
            }
        } finally {
            run.cleanUp();
        }
        // Every status the controller wrote must be one a real API server would store.
        shared(context).suite().assertStatusWritesAdmitted();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ConformanceRun.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(ConformanceRun.class, ConformanceRun.class);
    }

    private void record(ExtensionContext context, String result, String detail) {
        annotation(context).ifPresent(test -> {
            Long started = context.getStore(NAMESPACE).get("started", Long.class);
            long millis = started == null ? 0 : (System.nanoTime() - started) / 1_000_000;
            String name = context.getRequiredTestMethod().getName();
            shared(context)
                    .outcomes
                    .put(name, new Outcome(name, features(test), test.provisional(), result, detail, millis));
        });
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "passed", "");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "failed", String.valueOf(cause.getMessage()));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "skipped", String.valueOf(cause.getMessage()));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(context, "skipped", reason.orElse(""));
    }
}
