package dev.gantry.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The debounce rule on a clock the test moves: times are in milliseconds, as nanoseconds. */
class DebounceWindowTest {

    private static final Duration QUIET = Duration.ofMillis(400);
    private static final Duration LONGEST = Duration.ofSeconds(2);

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }

    @Test
    void workThatCountsKeepsTheBatchOpenForTheQuietTime() {
        DebounceWindow window = new DebounceWindow(QUIET, LONGEST, ms(0), true);
        assertEquals(ms(400), window.closesAt());
        window.add(ms(100), true);
        window.add(ms(250), true);
        assertEquals(ms(650), window.closesAt(), "400 ms after the last edit");
        assertEquals(ms(50), window.remaining(ms(600)));
    }

    @Test
    void workThatDoesNotCountJoinsWithoutKeepingTheBatchOpen() {
        DebounceWindow window = new DebounceWindow(QUIET, LONGEST, ms(0), true);
        for (int i = 1; i <= 8; i++) {
            window.add(ms(40L * i), false);
        }
        assertEquals(ms(400), window.closesAt(), "statuses every 40 ms do not hold the batch");
    }

    @Test
    void aBatchOfOnlyStatusesClosesAtOnce() {
        DebounceWindow window = new DebounceWindow(QUIET, LONGEST, ms(1_000), false);
        window.add(ms(1_000), false);
        assertEquals(0, window.remaining(ms(1_000)));
    }

    @Test
    void aSteadyStreamOfEditsIsCutAtTheLongestWait() {
        DebounceWindow window = new DebounceWindow(QUIET, LONGEST, ms(0), true);
        for (long t = 50; t <= 5_000; t += 50) {
            window.add(ms(t), true);
        }
        assertEquals(ms(2_000), window.closesAt());
        assertEquals(ms(-3_000), window.remaining(ms(5_000)));
    }
}
