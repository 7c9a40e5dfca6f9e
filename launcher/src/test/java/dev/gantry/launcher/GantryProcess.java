package dev.gantry.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Gantry command ({@code controller}, {@code xds-shard}) in a JVM of its own, on the test's class path, with its
 * output in a log file: a process that can be killed the way a node kills it.
 */
record GantryProcess(String name, Process process, Path log, Map<String, String> environment) implements AutoCloseable {

    GantryProcess {
        environment = Map.copyOf(environment);
    }

    static GantryProcess start(String command, Path log, Map<String, String> environment) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> args = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        args.addAll(List.of("-cp", classPath, Main.class.getName(), command));
        ProcessBuilder builder = new ProcessBuilder(args)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Only what the test names: no GANTRY_* of the machine running the tests leaks in.
        builder.environment().keySet().removeIf(k -> k.startsWith("GANTRY_") || k.equals("KUBECONFIG"));
        builder.environment().put("GANTRY_NAMESPACE", Standalone.NAMESPACE);
        builder.environment().putAll(environment);
        builder.directory(new File("."));
        try {
            String label = environment.containsKey("GANTRY_SHARD_INDEX")
                    ? command + "-" + environment.get("GANTRY_SHARD_INDEX")
                    : command;
            return new GantryProcess(label, builder.start(), log, environment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or released. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of its output. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL if it has not stopped within ten seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }
}
