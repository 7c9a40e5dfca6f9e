package dev.gantry.runtime;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Runs the independent steps of one translation (routes, route tables, Envoy resources) on the common fork-join
 * pool. Small batches stay on the calling thread: below a few hundred steps, handing work to the pool costs more
 * than it saves. Results never depend on the split: callers write each step's result to its own slot and combine
 * them in order afterwards.
 */
public final class Parallel {

    /** Fewest steps worth spreading; a Gateway with a handful of routes translates on its own thread. */
    public static final int THRESHOLD = 256;

    /** Batches each thread takes on average: enough for the threads to finish together. */
    private static final int BATCHES_PER_THREAD = 16;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();
    /** Per calling thread: CPU nanoseconds pool threads spent on the steps of its calls, theirs included. */
    private static final ThreadLocal<long[]> HELPER_CPU = ThreadLocal.withInitial(() -> new long[1]);

    private Parallel() {}

    /**
     * CPU time, in nanoseconds, that pool threads have spent so far on steps of calls made from the current thread
     * (and on calls those steps made in turn). With the current thread's own CPU time, it is what a computation
     * that spreads its steps cost: the shard reports translation CPU from the two.
     */
    public static long helperCpuNanos() {
        return HELPER_CPU.get()[0];
    }

    private static long ownAndHelperCpuNanos() {
        return CPU_TIME ? THREADS.getCurrentThreadCpuTime() + HELPER_CPU.get()[0] : 0;
    }

    /** Calls {@code step} for each index in {@code [0, count)}, in no particular order and possibly concurrently. */
    public static void forEachIndex(int count, IntConsumer step) {
        forEachIndex(count, THRESHOLD, step);
    }

    /**
     * As {@link #forEachIndex(int, IntConsumer)}, spreading from {@code threshold} steps on. Threads take small
     * batches of consecutive indexes from a shared counter until none are left, so one slow step (a listener with
     * thousands of filter chains) does not leave the other threads idle, as a fixed split would. The caller works
     * too: when the pool is busy elsewhere, it does everything itself.
     */
    public static void forEachIndex(int count, int threshold, IntConsumer step) {
        int helpers = Math.min(
                ForkJoinPool.getCommonPoolParallelism(), Runtime.getRuntime().availableProcessors() - 1);
        if (count < threshold || helpers < 1) {
            for (int i = 0; i < count; i++) {
                step.accept(i);
            }
            return;
        }
        int batch = Math.max(1, count / ((helpers + 1) * BATCHES_PER_THREAD));
        AtomicInteger next = new AtomicInteger();
        // Helpers that started and may hold a batch; the caller waits for those alone, never for a helper still
        // queued behind other work in the pool (which, when it runs, finds nothing left).
        AtomicInteger running = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        AtomicLong helperCpu = new AtomicLong();
        Runnable work = () -> {
            try {
                for (int from = next.getAndAdd(batch); from < count; from = next.getAndAdd(batch)) {
                    int to = Math.min(count, from + batch);
                    for (int i = from; i < to; i++) {
                        step.accept(i);
                    }
                }
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e instanceof RuntimeException r ? r : new IllegalStateException(e));
                next.set(count); // the others stop at their next batch
            }
        };
        for (int h = 0; h < helpers; h++) {
            ForkJoinPool.commonPool().execute(() -> {
                running.incrementAndGet();
                long cpuStart = ownAndHelperCpuNanos();
                try {
                    work.run();
                } finally {
                    // Added before the caller can see this helper finish, so the caller's total includes it.
                    helperCpu.addAndGet(ownAndHelperCpuNanos() - cpuStart);
                    if (running.decrementAndGet() == 0) {
                        synchronized (running) {
                            running.notifyAll();
                        }
                    }
                }
            });
        }
        work.run();
        synchronized (running) {
            while (running.get() > 0) {
                try {
                    running.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for translation steps", e);
                }
            }
        }
        HELPER_CPU.get()[0] += helperCpu.get();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** {@code function} applied to each element, in the order of {@code inputs}. */
    public static <I, O> List<O> map(List<I> inputs, int threshold, Function<? super I, ? extends O> function) {
        if (inputs.size() < threshold) {
            List<O> out = new ArrayList<>(inputs.size());
            for (I input : inputs) {
                out.add(function.apply(input));
            }
            return out;
        }
        Object[] out = new Object[inputs.size()];
        forEachIndex(inputs.size(), threshold, i -> out[i] = function.apply(inputs.get(i)));
        @SuppressWarnings("unchecked")
        List<O> list = (List<O>) Arrays.asList(out);
        return list;
    }
}
