package dev.gantry.loadtest.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * {@code ./gantry load-test --jmh [JMH options]}: runs the JMH benchmarks of this package with JMH's own command
 * line (e.g. {@code -f 1 -wi 2 -i 3}, {@code -p scale=0.1}, a name regex), writes JMH's JSON result under
 * {@code load-test-results/} unless {@code -rf}/{@code -rff} say otherwise, and prints the figures derived from
 * several benchmarks: translation over serialization, and the bytes one route edit changes.
 */
public final class Benchmarks {

    private Benchmarks() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> all = new ArrayList<>(List.of(args));
        boolean hasFormat = all.contains("-rf") || all.contains("-rff");
        Path json = null;
        if (!hasFormat && !all.contains("-l") && !all.contains("-lp") && !all.contains("-h")) {
            json = Path.of(
                    "load-test-results",
                    "jmh-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
            try {
                Files.createDirectories(json.getParent());
            } catch (IOException e) {
                err.println("gantry load-test --jmh: cannot create " + json.getParent() + ": " + e.getMessage());
                return 1;
            }
            all.add("-rf");
            all.add("json");
            all.add("-rff");
            all.add(json.toString());
        }
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(all.toArray(String[]::new));
            if (options.getIncludes().isEmpty()) {
                // Without a name, run Gantry's benchmarks (the class path may hold others').
                all.add(Benchmarks.class.getPackageName() + ".*");
                options = new CommandLineOptions(all.toArray(String[]::new));
            }
        } catch (CommandLineOptionException e) {
            err.println("gantry load-test --jmh: " + e.getMessage());
            return 2;
        }
        try {
            if (options.shouldHelp()) {
                options.showHelp();
                return 0;
            }
            if (options.shouldListProfilers() || options.shouldListResultFormats()) {
                Main.main(all.toArray(String[]::new));
                return 0;
            }
            Runner runner = new Runner(options);
            if (options.shouldList()) {
                runner.list();
                return 0;
            }
            Collection<RunResult> results = runner.run();
            for (String line : derived(results)) {
                out.println(line);
            }
            if (json != null) {
                out.println(json.toAbsolutePath().normalize());
            }
            return 0;
        } catch (RunnerException | IOException e) {
            err.println("gantry load-test --jmh: " + e.getMessage());
            return 1;
        }
    }

    /** Figures that need more than one benchmark, or an auxiliary counter divided by another. */
    static List<String> derived(Collection<RunResult> results) {
        List<String> lines = new ArrayList<>();
        Map<String, Double> scores = new HashMap<>();
        for (RunResult run : results) {
            String name = run.getParams().getBenchmark();
            String scale = run.getParams().getParam("scale");
            String key = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1)
                    + (scale == null ? "" : "@" + scale);
            Result<?> primary = run.getPrimaryResult();
            scores.put(key, primary.getScore());
            for (Map.Entry<String, Result> secondary : run.getSecondaryResults().entrySet()) {
                scores.put(key + ":" + secondary.getKey(), secondary.getValue().getScore());
            }
        }
        for (Map.Entry<String, Double> entry : new TreeMap<>(scores).entrySet()) {
            String key = entry.getKey();
            if (key.startsWith("TranslationBenchmark.fullTranslation@")) {
                String scale = key.substring(key.indexOf('@') + 1);
                Double serialization = scores.get("TranslationBenchmark.serialization@" + scale);
                if (serialization != null && serialization > 0) {
                    lines.add(String.format(
                            Locale.ROOT,
                            "translation / serialization (scale %s): %.1f ms / %.1f ms = %.2fx" + " (target <= 5x)",
                            scale,
                            entry.getValue(),
                            serialization,
                            entry.getValue() / serialization));
                }
            }
            if (key.startsWith("RouteEditBenchmark.oneRouteEdit@") && !key.contains(":")) {
                Double bytes = scores.get(key + ":changedBytes");
                Double edits = scores.get(key + ":edits");
                if (bytes != null && edits != null && edits > 0) {
                    lines.add(String.format(
                            Locale.ROOT,
                            "one route edit (scale %s): %.1f us, changes %.0f bytes of Envoy"
                                    + " configuration (targets <= 1 ms, <= 100 KB)",
                            key.substring(key.indexOf('@') + 1),
                            entry.getValue(),
                            bytes / edits));
                }
            }
            if (key.startsWith("RetainedHeapBenchmark.translationResult@") && !key.contains(":")) {
                double measured = scores.getOrDefault(key + ":results", Double.NaN);
                lines.add(String.format(
                        Locale.ROOT,
                        "heap retained by a translation result (scale %s): translator %.1f MiB,"
                                + " Envoy resources %.1f MiB (average of %.0f)",
                        key.substring(key.indexOf('@') + 1),
                        scores.getOrDefault(key + ":translatorMiBSum", Double.NaN) / measured,
                        scores.getOrDefault(key + ":envoyResourcesMiBSum", Double.NaN) / measured,
                        measured));
            }
        }
        return lines;
    }
}
