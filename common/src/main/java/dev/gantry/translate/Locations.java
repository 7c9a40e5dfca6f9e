package dev.gantry.translate;

/**
 * Field paths within a route's spec, for the messages of its conditions ({@code rules[2].matches[0]}). Every
 * rule and match of every route asks for one while only invalid ones print it, so the common ones are made once.
 */
final class Locations {

    private static final int CACHED_RULES = 64;
    private static final int CACHED_MATCHES = 16;
    private static final String[] RULES = new String[CACHED_RULES];
    private static final String[][] MATCHES = new String[CACHED_RULES][CACHED_MATCHES];

    static {
        for (int r = 0; r < CACHED_RULES; r++) {
            RULES[r] = "rules[" + r + "]";
            for (int m = 0; m < CACHED_MATCHES; m++) {
                MATCHES[r][m] = RULES[r] + ".matches[" + m + "]";
            }
        }
    }

    private Locations() {}

    /** {@code rules[rule]}. */
    static String rule(int rule) {
        return rule < CACHED_RULES ? RULES[rule] : "rules[" + rule + "]";
    }

    /** {@code rules[rule].matches[match]}. */
    static String match(int rule, int match) {
        return rule < CACHED_RULES && match < CACHED_MATCHES
                ? MATCHES[rule][match]
                : rule(rule) + ".matches[" + match + "]";
    }
}
