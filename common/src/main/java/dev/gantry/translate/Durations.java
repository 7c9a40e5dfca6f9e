package dev.gantry.translate;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses Gateway API durations (GEP-2257): {@code 1h}, {@code 10s}, {@code 1m30s}, {@code 500ms}, {@code 0s}. */
public final class Durations {

    private static final Pattern WHOLE = Pattern.compile("^([0-9]{1,5}(h|m|s|ms)){1,4}$");
    private static final Pattern PART = Pattern.compile("([0-9]{1,5})(h|ms|m|s)");

    private Durations() {}

    /** The duration, or null if the text is not a valid Gateway API duration. */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            return null;
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long value = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "h" -> Duration.ofHours(value);
                        case "m" -> Duration.ofMinutes(value);
                        case "s" -> Duration.ofSeconds(value);
                        default -> Duration.ofMillis(value);
                    });
        }
        return total;
    }
}
