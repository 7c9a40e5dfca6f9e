package dev.gantry.loadtest;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a long phase on stderr. With a terminal (or when asked), a bar redrawn in place; otherwise one line
 * when the phase starts and one when it ends, so CI logs stay readable.
 */
final class Progress implements AutoCloseable {

    private final PrintStream out;
    private final boolean bar;
    private final String label;
    private final long total;
    private final AtomicLong done = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private volatile long lastDrawNanos;
    private volatile String detail = "";
    private boolean closed;

    Progress(PrintStream out, boolean bar, String label, long total) {
        this.out = out;
        this.bar = bar;
        this.label = label;
        this.total = total;
        if (!bar) {
            out.println("[load-test] " + label + (total > 0 ? " (" + total + ")" : "") + " ...");
        } else {
            draw(true);
        }
    }

    void advance(long count) {
        done.addAndGet(count);
        if (bar) {
            draw(false);
        }
    }

    void set(long value) {
        done.set(value);
        if (bar) {
            draw(false);
        }
    }

    void detail(String text) {
        detail = text;
        if (bar) {
            draw(false);
        }
    }

    private synchronized void draw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDrawNanos < 200_000_000L) {
            return;
        }
        lastDrawNanos = now;
        long value = done.get();
        StringBuilder line = new StringBuilder("\r").append(label).append(' ');
        if (total > 0) {
            int width = 30;
            int filled = (int) Math.min(width, value * width / total);
            line.append('[')
                    .append("#".repeat(filled))
                    .append(".".repeat(width - filled))
                    .append("] ")
                    .append(String.format("%3d%% %d/%d", value * 100 / total, value, total));
        } else {
            line.append(value);
        }
        line.append(String.format(" %.1fs", (now - startNanos) / 1e9));
        if (!detail.isEmpty()) {
            line.append(' ').append(detail);
        }
        line.append("\u001b[K");
        out.print(line);
        out.flush();
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar) {
            lastDrawNanos = 0;
            draw(true);
            out.println();
        } else {
            out.printf(
                    "[load-test] %s: done in %.1f s%s%n",
                    label, seconds(), total > 0 ? " (" + done.get() + "/" + total + ")" : "");
        }
    }
}
