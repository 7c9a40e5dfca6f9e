package dev.gantry.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; the failure says what was awaited and what was seen. */
public final class Eventually {

    private Eventually() {}

    public static void await(Duration timeout, String what, Supplier<Boolean> condition) {
        await(timeout, what, condition, () -> "");
    }

    /**
     * @param describe called on timeout to explain the last state seen
     */
    public static void await(Duration timeout, String what, Supplier<Boolean> condition, Supplier<String> describe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
        String detail = describe.get();
        throw new AssertionError(
                "timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + (detail.isEmpty() ? "" : ": " + detail),
                last);
    }
}
