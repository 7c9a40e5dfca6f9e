package dev.gantry.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void everyIndexRunsOnce() {
        int count = 10_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(count);
        Parallel.forEachIndex(count, 1, runs::incrementAndGet);
        for (int i = 0; i < count; i++) {
            assertEquals(1, runs.get(i), "index " + i);
        }
    }

    @Test
    void mapKeepsTheOrderOfItsInputs() {
        List<Integer> inputs = IntStream.range(0, 5_000).boxed().toList();
        assertEquals(inputs.stream().map(i -> i * 2).toList(), Parallel.map(inputs, 1, i -> i * 2));
    }

    @Test
    void aFailingStepFailsTheCall() {
        IllegalArgumentException thrown = assertThrows(
                IllegalArgumentException.class,
                () -> Parallel.forEachIndex(10_000, 1, i -> {
                    if (i == 7_777) {
                        throw new IllegalArgumentException("step 7777");
                    }
                }));
        assertEquals("step 7777", thrown.getMessage());
    }

    @Test
    void aPoolBusyElsewhereLeavesTheWorkToTheCaller() throws InterruptedException {
        int workers = ForkJoinPool.getCommonPoolParallelism();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++) {
            ForkJoinPool.commonPool().execute(() -> {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            blocked.await();
            AtomicIntegerArray runs = new AtomicIntegerArray(1_000);
            assertTimeoutPreemptively(
                    Duration.ofSeconds(10), () -> Parallel.forEachIndex(1_000, 1, runs::incrementAndGet));
            for (int i = 0; i < 1_000; i++) {
                assertEquals(1, runs.get(i));
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    void theCpuOfPoolThreadsThatHelpedIsCountedForTheCaller() {
        Thread caller = Thread.currentThread();
        AtomicBoolean helped = new AtomicBoolean();
        long before = Parallel.helperCpuNanos();
        Parallel.forEachIndex(2_000, 1, i -> {
            if (Thread.currentThread() != caller) {
                helped.set(true);
            }
            // Busy for 20 microseconds of this thread's CPU, however the thread is scheduled.
            long until = THREADS.getCurrentThreadCpuTime() + 20_000;
            while (THREADS.getCurrentThreadCpuTime() < until) {
                Thread.onSpinWait();
            }
        });
        long helpers = Parallel.helperCpuNanos() - before;
        if (helped.get()) {
            // A helper that ran a step used at least its 20 microseconds of CPU.
            assertTrue(helpers >= 20_000, "helpers' CPU " + helpers + " ns");
        } else {
            assertEquals(0, helpers);
        }
    }
}
