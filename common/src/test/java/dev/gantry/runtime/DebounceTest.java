package dev.gantry.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DebounceTest {

  private static final Duration QUIET = Duration.ofMillis(400);
  private static final Duration LONGEST = Duration.ofSeconds(2);

  private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private List<String> next() throws InterruptedException {
    return Debounce.nextBatch(queue, QUIET, LONGEST, w -> !w.startsWith("status"), "stop"::equals);
  }

  @Test
  void workThatCountsKeepsTheBatchOpenForTheQuietTime() throws Exception {
    queue.add("edit-1");
    timer.schedule(() -> queue.add("edit-2"), 100, TimeUnit.MILLISECONDS);
    timer.schedule(() -> queue.add("edit-3"), 250, TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    assertEquals(List.of("edit-1", "edit-2", "edit-3"), next());
    assertTrue(System.nanoTime() - start >= 640_000_000L, "closed only after 400 ms without edits");
  }

  @Test
  void workThatDoesNotCountJoinsWithoutKeepingTheBatchOpen() throws Exception {
    queue.add("edit-1");
    for (int i = 1; i <= 8; i++) {
      String status = "status-" + i;
      timer.schedule(() -> queue.add(status), 40L * i, TimeUnit.MILLISECONDS);
    }
    long start = System.nanoTime();
    List<String> batch = next();
    long took = System.nanoTime() - start;
    assertEquals("edit-1", batch.getFirst());
    // Held by the statuses, it would close 400 ms after the last one (at 720 ms).
    assertTrue(took < 650_000_000L, "statuses arriving every 40 ms did not hold the batch: " + took / 1_000_000);
  }

  @Test
  void aBatchOfOnlyStatusesClosesAtOnce() throws Exception {
    queue.add("status-1");
    queue.add("status-2");
    long start = System.nanoTime();
    assertEquals(List.of("status-1", "status-2"), next());
    assertTrue(System.nanoTime() - start < 300_000_000L, "no quiet time waited");
  }

  @Test
  void aSteadyStreamOfEditsIsCutAtTheLongestWait() throws Exception {
    queue.add("edit-0");
    var feeder = timer.scheduleAtFixedRate(() -> queue.add("edit"), 50, 50, TimeUnit.MILLISECONDS);
    timer.schedule(() -> feeder.cancel(false), 5, TimeUnit.SECONDS);
    long start = System.nanoTime();
    next();
    long took = System.nanoTime() - start;
    feeder.cancel(true);
    assertTrue(took >= 1_900_000_000L && took < 3_500_000_000L, "closed at the longest wait: " + took / 1_000_000);
  }

  @Test
  void stopClosesTheBatchAtOnce() throws Exception {
    queue.add("edit-1");
    queue.add("stop");
    long start = System.nanoTime();
    assertEquals(List.of("edit-1", "stop"), next());
    assertTrue(System.nanoTime() - start < 300_000_000L, "no quiet time waited");
  }
}
