package dev.gantry.loadtest;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU time of this process per component, from per-thread CPU time grouped by thread name. Gantry names its
 * threads: {@code xds-shard-<i>-reconciler} (the shard's translation thread, which also hands snapshots to the
 * xDS cache), {@code xds-shard-<i>-grpc-*}, {@code -netty-*}, {@code -accept-*} (its ADS server),
 * {@code xds-shard-<i>-kube-*} (its informer callbacks, named by the load test), {@code controller-*} and
 * {@code status-writer-*}. What no thread name tells apart:
 * {@code kube_io} (Vert.x event loops: the in-memory API server and every Kubernetes client's HTTP),
 * {@code fleet} (gRPC threads not named by a shard: the simulated proxies), {@code common_pool} (the common
 * fork-join pool, where large translations and fan-outs are spread; shared by every component), and
 * {@code unattributed} (process CPU no live Java thread accounts for: GC, JIT, threads that ended between two
 * samples).
 */
final class CpuMeter {

    private static final Pattern SHARD = Pattern.compile("^xds-shard-(\\d+)-(\\w+?)(-.*)?$");

    /** Process CPU and per-thread CPU (by thread id) at one instant. */
    record Sample(long processNanos, Map<Long, Long> threadNanos, Map<Long, String> names) {}

    private CpuMeter() {}

    static Sample sample() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        ThreadInfo[] infos = threads.getThreadInfo(ids, 0);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(ids[i]);
            if (nanos >= 0) {
                cpu.put(ids[i], nanos);
                names.put(ids[i], infos[i].getThreadName());
            }
        }
        return new Sample(processCpuNanos(), cpu, names);
    }

    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** The component a thread's CPU is counted for. */
    static String component(String thread) {
        Matcher shard = SHARD.matcher(thread);
        if (shard.matches()) {
            String part = switch (shard.group(2)) {
                case "reconciler" -> "translation";
                case "kube" -> "informers";
                default -> "serving";
            };
            return "shard-" + shard.group(1) + "." + part;
        }
        if (thread.startsWith("controller-") || thread.startsWith("status-writer-")) {
            return "controller";
        }
        if (thread.startsWith("loadtest-")) {
            return "load_test";
        }
        if (thread.startsWith("vert.x-")) {
            return "kube_io";
        }
        if (thread.startsWith("grpc-") || thread.startsWith("fleet-")) {
            return "fleet";
        }
        if (thread.startsWith("ForkJoinPool.commonPool-worker-")) {
            return "common_pool";
        }
        return "other_threads";
    }

    /**
     * CPU seconds per component between two samples: {@code shard-<i>} (with {@code .translation},
     * {@code .serving}, {@code .informers} parts), {@code shards} (all shards), {@code controller}, {@code fleet},
     * {@code kube_io}, {@code load_test}, {@code other_threads}, {@code unattributed} and {@code process}.
     */
    static Map<String, Object> between(Sample from, Sample to) {
        Map<String, Double> parts = new TreeMap<>();
        long attributed = 0;
        for (Map.Entry<Long, Long> entry : to.threadNanos().entrySet()) {
            long before = from.threadNanos().getOrDefault(entry.getKey(), 0L);
            long used = Math.max(0, entry.getValue() - before);
            attributed += used;
            parts.merge(component(to.names().get(entry.getKey())), used / 1e9, Double::sum);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        double process = (to.processNanos() - from.processNanos()) / 1e9;
        result.put("process", round(process));
        double shards = 0;
        Map<String, Double> perShard = new TreeMap<>();
        for (Map.Entry<String, Double> part : parts.entrySet()) {
            if (part.getKey().startsWith("shard-")) {
                shards += part.getValue();
                perShard.merge(part.getKey().substring(0, part.getKey().indexOf('.')), part.getValue(), Double::sum);
            }
        }
        result.put("shards", round(shards));
        perShard.forEach((shard, seconds) -> {
            result.put(shard, round(seconds));
            for (String kind : new String[] {"translation", "serving", "informers"}) {
                result.put(shard + "." + kind, round(parts.getOrDefault(shard + "." + kind, 0.0)));
            }
        });
        for (String component :
                new String[] {"controller", "fleet", "kube_io", "common_pool", "load_test", "other_threads"}) {
            result.put(component, round(parts.getOrDefault(component, 0.0)));
        }
        result.put("unattributed", round(Math.max(0, process - attributed / 1e9)));
        return result;
    }

    /** CPU seconds of one component between two samples (e.g. {@code shard-0.translation}). */
    static double seconds(Map<String, Object> between, String component) {
        Object value = between.get(component);
        return value instanceof Number number ? number.doubleValue() : 0;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000.0) / 1000.0;
    }
}
