package dev.gantry.runtime;

/**
 * Whether a component is ready, and if not, why.
 *
 * @param ready whether /readyz answers 200
 * @param detail what it is waiting for, or a summary when ready
 */
public record Readiness(boolean ready, String detail) {

    public static Readiness ready(String detail) {
        return new Readiness(true, detail);
    }

    public static Readiness notReady(String detail) {
        return new Readiness(false, detail);
    }
}
