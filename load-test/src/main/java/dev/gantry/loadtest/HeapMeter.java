package dev.gantry.loadtest;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap of this process: used heap right after a full collection ({@link #usedAfterGc()}), and a sampler that
 * records used heap (not after GC: what the process actually holds, garbage included) and process CPU over time
 * for the chart.
 */
final class HeapMeter implements AutoCloseable {

    /** One sample: milliseconds since the run started, used heap in bytes, process CPU seconds. */
    record Point(long millis, long usedBytes, double cpuSeconds) {}

    /** A named instant of the run, shown on the chart. */
    record Mark(long millis, String label) {}

    private final long startNanos;
    private final List<Point> points = new ArrayList<>();
    private final List<Mark> marks = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    HeapMeter(long startNanos, long periodMillis) {
        this.startNanos = startNanos;
        this.thread = Thread.ofPlatform().daemon().name("loadtest-heap-sampler").start(() -> {
            while (!stopped) {
                record();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void record() {
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Point point = new Point((System.nanoTime() - startNanos) / 1_000_000, used, CpuMeter.processCpuNanos() / 1e9);
        synchronized (points) {
            points.add(point);
        }
    }

    void mark(String label) {
        synchronized (points) {
            marks.add(new Mark((System.nanoTime() - startNanos) / 1_000_000, label));
        }
    }

    List<Point> points() {
        synchronized (points) {
            return List.copyOf(points);
        }
    }

    List<Mark> marks() {
        synchronized (points) {
            return List.copyOf(marks);
        }
    }

    /** Used heap after full collections, in bytes: what live objects hold. */
    static long usedAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static double mib(long bytes) {
        return Math.round(bytes / 1024.0 / 1024.0 * 10.0) / 10.0;
    }

    static long maxHeapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
