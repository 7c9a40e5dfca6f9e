package dev.gantry.controller;

/** A token bucket: {@code qps} tokens a second, at most {@code burst} saved up. Thread-safe. */
final class RateLimiter {

    private final double qps;
    private final double burst;
    private double tokens;
    private long lastNanos;

    RateLimiter(double qps, int burst) {
        this.qps = qps;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = System.nanoTime();
    }

    /** Blocks until a token is available, then takes it. */
    void acquire() throws InterruptedException {
        long waitNanos;
        synchronized (this) {
            refill();
            tokens -= 1;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / qps * 1e9);
        }
        if (waitNanos > 0) {
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        }
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * qps);
        lastNanos = now;
    }
}
