package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HostnamesTest {

    /** The rules as the Gateway API's schema writes them, as regexes: the reference the validator must agree with. */
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private static boolean validByReference(String hostname, boolean wildcardAllowed) {
        if (hostname.isEmpty() || hostname.length() > Hostnames.MAX_LENGTH) {
            return false;
        }
        String rest = hostname;
        if (rest.startsWith("*.")) {
            if (!wildcardAllowed) {
                return false;
            }
            rest = rest.substring(2);
        }
        if (rest.matches("[0-9.]+") || rest.contains(":")) {
            return false;
        }
        for (String label : rest.split("\\.", -1)) {
            if (label.length() > 63) {
                return false;
            }
        }
        return NAME.matcher(rest).matches();
    }

    @Test
    void acceptsDnsNamesAndWildcards() {
        assertNull(Hostnames.problem("foo.example.com", false));
        assertNull(Hostnames.problem("a", false));
        assertNull(Hostnames.problem("x-1.y2", false));
        assertNull(Hostnames.problem("*.example.com", true));
        assertNull(Hostnames.problem("1.example.com", false));
    }

    @Test
    void namesWhatIsWrong() {
        assertEquals("hostname is empty", Hostnames.problem("", true));
        assertNotNull(Hostnames.problem("*.example.com", false));
        assertEquals(
                "hostname '10.0.0.1' is an IP address; a DNS name is required", Hostnames.problem("10.0.0.1", true));
        assertNotNull(Hostnames.problem("::1", true));
        assertEquals(
                "hostname 'Foo.example.com' is not a valid lowercase RFC 1123 DNS name",
                Hostnames.problem("Foo.example.com", true));
        assertNotNull(Hostnames.problem("-a.example.com", true));
        assertNotNull(Hostnames.problem("a-.example.com", true));
        assertNotNull(Hostnames.problem("a..example.com", true));
        assertNotNull(Hostnames.problem("example.com.", true));
        assertNotNull(Hostnames.problem("*", true));
        assertNotNull(Hostnames.problem("a.*.com", true));
        assertEquals(
                "hostname '" + "a".repeat(64) + ".com' has a label longer than 63 characters",
                Hostnames.problem("a".repeat(64) + ".com", true));
    }

    @Test
    void agreesWithTheSchemasRegexesOnRandomNames() {
        Random random = new Random(1713);
        String alphabet = "ab9-.*:A_";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder name = new StringBuilder();
            if (random.nextInt(4) == 0) {
                name.append("*.");
            }
            int length = random.nextInt(12);
            for (int c = 0; c < length; c++) {
                name.append(alphabet.charAt(random.nextInt(random.nextBoolean() ? 4 : alphabet.length())));
            }
            String hostname = name.toString();
            for (boolean wildcard : new boolean[] {true, false}) {
                assertEquals(
                        validByReference(hostname, wildcard),
                        Hostnames.problem(hostname, wildcard) == null,
                        () -> "'" + hostname + "' wildcard " + wildcard);
            }
        }
    }
}
