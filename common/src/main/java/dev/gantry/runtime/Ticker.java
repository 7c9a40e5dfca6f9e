package dev.gantry.runtime;

/**
 * A source of monotonic nanoseconds, injected where batching and timing decide behaviour, so that tests can move time
 * themselves instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /** The JVM's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
