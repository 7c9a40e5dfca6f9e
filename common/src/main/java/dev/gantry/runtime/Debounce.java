package dev.gantry.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Takes work from a queue in debounced batches: a batch closes once no work that counts has arrived for the quiet
 * time, or once it has waited the longest allowed. Work that does not count (cheap bookkeeping, such as an
 * object's status coming back) joins the batch without keeping it open.
 */
public final class Debounce {

    private Debounce() {}

    /** Like {@link #nextBatch(BlockingQueue, Duration, Duration, Predicate, Predicate, Ticker)} on the JVM's clock. */
    public static <W> List<W> nextBatch(
            BlockingQueue<W> queue, Duration quiet, Duration longest, Predicate<W> counts, Predicate<W> ends)
            throws InterruptedException {
        return nextBatch(queue, quiet, longest, counts, ends, Ticker.SYSTEM);
    }

    /**
     * Blocks for the first item, then gathers more until the {@link DebounceWindow} closes.
     *
     * @param quiet how long the batch stays open after the last item that counts
     * @param longest how long the batch may stay open at most
     * @param counts whether an item keeps the batch open
     * @param ends whether an item closes the batch at once (a stop request)
     * @param ticker the clock the window is measured on
     */
    public static <W> List<W> nextBatch(
            BlockingQueue<W> queue,
            Duration quiet,
            Duration longest,
            Predicate<W> counts,
            Predicate<W> ends,
            Ticker ticker)
            throws InterruptedException {
        List<W> batch = new ArrayList<>();
        W first = queue.take();
        batch.add(first);
        DebounceWindow window = new DebounceWindow(quiet, longest, ticker.nanoTime(), counts.test(first));
        List<W> drained = new ArrayList<>();
        while (!ends.test(batch.getLast())) {
            drained.clear();
            queue.drainTo(drained);
            long now = ticker.nanoTime();
            for (W work : drained) {
                batch.add(work);
                window.add(now, counts.test(work));
                if (ends.test(work)) {
                    return batch;
                }
            }
            long wait = window.remaining(now);
            if (wait <= 0) {
                return batch;
            }
            W next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                return batch;
            }
            batch.add(next);
            window.add(ticker.nanoTime(), counts.test(next));
        }
        return batch;
    }
}
