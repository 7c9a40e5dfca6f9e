package dev.gantry.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/**
 * The waiting around {@link DebounceWindow}, whose rule has tests of its own on a clock the test moves; here a quiet
 * time of a millisecond keeps the real waits short.
 */
class DebounceTest {

    private static final Duration QUIET = Duration.ofMillis(1);
    private static final Duration LONGEST = Duration.ofSeconds(2);

    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();

    private List<String> next() throws InterruptedException {
        return Debounce.nextBatch(queue, QUIET, LONGEST, w -> !w.startsWith("status"), "stop"::equals);
    }

    @Test
    void everythingQueuedJoinsTheBatch() throws Exception {
        queue.addAll(List.of("edit-1", "status-1", "edit-2"));
        assertEquals(List.of("edit-1", "status-1", "edit-2"), next());
        queue.add("edit-3");
        assertEquals(List.of("edit-3"), next(), "the next batch starts with what came after");
    }

    @Test
    void aBatchOfOnlyStatusesClosesAtOnce() throws Exception {
        Ticker frozen = () -> 0;
        queue.addAll(List.of("status-1", "status-2"));
        assertEquals(
                List.of("status-1", "status-2"),
                Debounce.nextBatch(queue, QUIET, LONGEST, w -> !w.startsWith("status"), "stop"::equals, frozen));
    }

    @Test
    void stopClosesTheBatchAtOnce() throws Exception {
        Ticker frozen = () -> 0;
        queue.addAll(List.of("edit-1", "stop", "edit-2"));
        assertEquals(
                List.of("edit-1", "stop"),
                Debounce.nextBatch(queue, QUIET, LONGEST, w -> !w.startsWith("status"), "stop"::equals, frozen));
    }
}
