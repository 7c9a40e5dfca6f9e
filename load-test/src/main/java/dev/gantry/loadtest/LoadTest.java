package dev.gantry.loadtest;

import com.sun.management.OperatingSystemMXBean;
import dev.gantry.loadtest.bench.Benchmarks;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code ./gantry load-test}: runs one scenario and writes its result (JSON), a summary (text) and a chart (HTML)
 * under the output directory; the last line printed is the path of the JSON. {@code --jmh} runs the JMH
 * benchmarks instead.
 */
public final class LoadTest {

    private LoadTest() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code (0 ok, 1 failed, 2 bad usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("--jmh")) {
            return Benchmarks.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length == 0
                || List.of(args).contains("--help")
                || List.of(args).contains("-h")) {
            out.print(Options.USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (List.of(args).contains("--list")) {
            Scenario.ALL.keySet().forEach(out::println);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
            if (!Scenario.ALL.containsKey(options.scenario())) {
                throw new IllegalArgumentException("unknown scenario '" + options.scenario() + "'; one of "
                        + String.join(", ", Scenario.ALL.keySet()));
            }
        } catch (IllegalArgumentException e) {
            err.println("gantry load-test: " + e.getMessage());
            return 2;
        }
        quietLogs(options.verbose());
        try {
            Path json = run(options, out, err);
            out.println(json.toAbsolutePath().normalize());
            return 0;
        } catch (Failed e) {
            err.println("gantry load-test: " + e.getMessage());
            if (e.json != null) {
                out.println(e.json.toAbsolutePath().normalize());
            }
            return 1;
        }
    }

    /** A run that failed; its partial result may still have been written. */
    static final class Failed extends RuntimeException {
        final Path json;

        Failed(String message, Throwable cause, Path json) {
            super(message, cause);
            this.json = json;
        }
    }

    /** Runs a scenario; returns the JSON result's path. */
    static Path run(Options options, PrintStream out, PrintStream err) {
        boolean bars = options.progress() != null ? options.progress() : terminal();
        Supplier<Scenario> scenario = Scenario.ALL.get(options.scenario());
        OffsetDateTime date = OffsetDateTime.now(ZoneOffset.UTC);
        Throwable failure = null;
        Map<String, Object> result;
        List<String> summary;
        long[] latencies;
        List<HeapMeter.Point> points;
        List<HeapMeter.Mark> marks;
        try (Run run = new Run(options, err, bars)) {
            run.result.put("scenario", options.scenario());
            run.result.put("scale", options.scale());
            run.result.put("date", date.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            run.result.put("machine", machine());
            CpuMeter.Sample cpu0 = CpuMeter.sample();
            try {
                scenario.get().run(run);
            } catch (Exception | AssertionError e) {
                failure = e;
                run.result.put("error", String.valueOf(e.getMessage() == null ? e : e.getMessage()));
            }
            long violations = run.makeBeforeBreakViolations();
            run.result.put("make_before_break_violations", violations);
            if (violations > 0) {
                run.result.put("make_before_break_samples", run.violationSamples(10));
            }
            run.summary(
                    "make-before-break violations (a proxy held a route, proxy filter or listener naming a cluster"
                            + " or secret it did not hold warm): %d (must be 0)",
                    violations);
            Map<String, Object> total = CpuMeter.between(cpu0, CpuMeter.sample());
            if (run.result.get("cpu_seconds") == null) {
                run.result.put("cpu_seconds", total);
            }
            run.result.put("cpu_seconds_whole_run", total);
            if (options.remote()) {
                Map<String, Object> remote = new LinkedHashMap<>();
                remote.put("load_test_process", total.get("process"));
                remote.put("note", "remote mode: Gantry runs elsewhere; read its CPU from the cluster's metrics");
                run.result.put("cpu_seconds", remote);
                run.result.remove("cpu_seconds_whole_run");
            }
            run.result.put("phases", run.phases());
            run.result.put("wall_seconds", Math.round(run.elapsed().toMillis() / 100.0) / 10.0);
            run.result.put("notes", notes());
            result = run.result;
            summary = new ArrayList<>(run.summary);
            latencies = run.latencySamples;
            points = run.heap.points();
            marks = run.heap.marks();
        }
        result.put("memory_timeline", timeline(points));
        String stem = options.scenario() + "-" + date.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path json = options.out().resolve(stem + ".json");
        try {
            Files.createDirectories(options.out());
            Files.writeString(json, Json.write(result));
            String text = Report.summary(result, summary);
            Files.writeString(options.out().resolve(stem + ".txt"), text);
            Files.writeString(
                    options.out().resolve(stem + ".html"), Report.html(result, summary, latencies, points, marks));
            out.print(text);
            out.println("  chart: "
                    + options.out().resolve(stem + ".html").toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new Failed("cannot write results under " + options.out() + ": " + e.getMessage(), e, null);
        }
        if (failure != null) {
            failure.printStackTrace(err);
            throw new Failed("scenario " + options.scenario() + " failed: " + failure.getMessage(), failure, json);
        }
        return json;
    }

    /**
     * Gantry's INFO logs would bury the progress lines: only warnings, unless asked. Netty's complaint about
     * listener notifications after its event loop ended (the in-memory API closing with connections open) is
     * shutdown noise.
     */
    private static void quietLogs(boolean verbose) {
        if (!verbose) {
            System.setProperty("org.slf4j.simpleLogger.log.dev.gantry", "warn");
        }
        System.setProperty(
                "org.slf4j.simpleLogger.log.io.netty.util.concurrent.DefaultPromise.rejectedExecution", "off");
    }

    private static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("heap_max_mib", HeapMeter.mib(HeapMeter.maxHeapBytes()));
        machine.put(
                "gc",
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(b -> b.getName())
                        .toList());
        // Options such as compact object headers change heap and speed: a result says which ones it ran with.
        machine.put("jvm_options", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            machine.put("memory_mib", HeapMeter.mib(os.getTotalMemorySize()));
        }
        machine.put(
                "load_average",
                Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0);
        return machine;
    }

    private static Map<String, String> notes() {
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put(
                "heap_after_gc_mib",
                "used heap of the whole load-test JVM right after System.gc(): in-process that is"
                        + " the in-memory API's store, the controller, the shards and the simulated fleet together");
        notes.put(
                "shard_heap_mib",
                "used heap after GC once the shards were ready minus the same right before they"
                        + " started (started one after another): what the shards retain, informer caches included");
        notes.put(
                "cpu_seconds",
                "CPU of the measured phase per component, from per-thread CPU time grouped by thread"
                        + " name (see CpuMeter); 'process' is the whole JVM, 'unattributed' mostly GC and JIT");
        notes.put(
                "propagation_ms",
                "per proxy and change: System.nanoTime() at the xDS response carrying the change"
                        + " minus System.nanoTime() right before the write to the API");
        return notes;
    }

    /** The heap timeline, thinned to at most 600 points: [seconds, MiB]. */
    private static List<List<Double>> timeline(List<HeapMeter.Point> points) {
        List<List<Double>> timeline = new ArrayList<>();
        int step = Math.max(1, points.size() / 600);
        for (int i = 0; i < points.size(); i += step) {
            HeapMeter.Point point = points.get(i);
            timeline.add(List.of(point.millis() / 1000.0, HeapMeter.mib(point.usedBytes())));
        }
        return timeline;
    }

    /** Whether the console is a terminal (JDK 22+ asks it; before, a console exists only for a terminal). */
    static boolean terminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
