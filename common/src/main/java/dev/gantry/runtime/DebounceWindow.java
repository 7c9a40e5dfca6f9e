package dev.gantry.runtime;

import java.time.Duration;

/**
 * When a batch of work closes: once no work that counts has arrived for the quiet time, or once the batch has been
 * open the longest allowed. Work that does not count (an object's status coming back, say) joins the batch without
 * keeping it open. A pure rule over the times it is told; {@link Debounce} does the waiting.
 */
public final class DebounceWindow {

    private final long quietNanos;
    private final long deadline;
    private long quietUntil;

    /**
     * A window opened by its first item.
     *
     * @param now when the first item arrived, in {@link Ticker} nanoseconds
     * @param counts whether the first item keeps the batch open
     */
    public DebounceWindow(Duration quiet, Duration longest, long now, boolean counts) {
        this.quietNanos = quiet.toNanos();
        this.deadline = now + longest.toNanos();
        this.quietUntil = counts ? now + quietNanos : now;
    }

    /** One more item arrived at {@code now}. */
    public void add(long now, boolean counts) {
        if (counts) {
            quietUntil = now + quietNanos;
        }
    }

    /** When the batch closes unless more work that counts arrives first. */
    public long closesAt() {
        return Math.min(quietUntil, deadline);
    }

    /** Nanoseconds left to wait at {@code now}; zero or less when the batch is closed. */
    public long remaining(long now) {
        return closesAt() - now;
    }
}
