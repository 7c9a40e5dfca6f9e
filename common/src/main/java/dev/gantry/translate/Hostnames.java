package dev.gantry.translate;

import java.util.Locale;

/**
 * Hostname rules of the Gateway API: validation, wildcard matching and listener/route intersection.
 *
 * <p>A wildcard hostname {@code *.example.com} matches one or more labels in place of {@code *}; it does not
 * match {@code example.com}. A null hostname (a listener without one) matches everything.
 */
public final class Hostnames {

    public static final int MAX_LENGTH = 253;

    private Hostnames() {}

    /** Why a hostname is invalid, or null when it is valid. */
    public static String problem(String hostname, boolean wildcardAllowed) {
        if (hostname == null || hostname.isEmpty()) {
            return "hostname is empty";
        }
        if (hostname.length() > MAX_LENGTH) {
            return "hostname is " + hostname.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        String rest = hostname;
        if (rest.startsWith("*.")) {
            if (!wildcardAllowed) {
                return "hostname '" + hostname + "' must not be a wildcard";
            }
            rest = rest.substring(2);
        }
        if (isIpAddress(rest)) {
            return "hostname '" + hostname + "' is an IP address; a DNS name is required";
        }
        // Label by label, without a regex or split: every listener and route hostname of a Gateway passes here.
        int start = 0;
        while (true) {
            int end = rest.indexOf('.', start);
            if (end < 0) {
                end = rest.length();
            }
            if (end - start > 63) {
                return "hostname '" + hostname + "' has a label longer than 63 characters";
            }
            if (!isLabel(rest, start, end)) {
                return "hostname '" + hostname + "' is not a valid lowercase RFC 1123 DNS name";
            }
            if (end == rest.length()) {
                return null;
            }
            start = end + 1;
        }
    }

    /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} over {@code text[start, end)}. */
    private static boolean isLabel(String text, int start, int end) {
        if (start == end || text.charAt(start) == '-' || text.charAt(end - 1) == '-') {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Only digits and dots (an IPv4 address, or a name that could be mistaken for one), or any colon (IPv6). */
    static boolean isIpAddress(String text) {
        if (text.indexOf(':') >= 0) {
            return true;
        }
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    public static boolean isWildcard(String hostname) {
        return hostname != null && hostname.startsWith("*.");
    }

    /** Whether {@code pattern} (null = any, exact, or wildcard) covers the host or host pattern {@code host}. */
    public static boolean covers(String pattern, String host) {
        if (pattern == null) {
            return true;
        }
        if (host == null) {
            return false;
        }
        if (pattern.equals(host)) {
            return true;
        }
        if (!isWildcard(pattern)) {
            return false;
        }
        String suffix = pattern.substring(1); // ".example.com"
        // A narrower wildcard ("*.a.example.com") compares by its suffix too.
        String body = isWildcard(host) ? host.substring(1) : host;
        return body.endsWith(suffix) && body.length() > suffix.length();
    }

    /**
     * The hostname a route gets on a listener: the more specific of the two when one covers the other, otherwise
     * null (no intersection). A null listener hostname accepts the route hostname as is.
     */
    public static String intersect(String listenerHostname, String routeHostname) {
        if (covers(listenerHostname, routeHostname)) {
            return routeHostname;
        }
        if (covers(routeHostname, listenerHostname)) {
            return listenerHostname;
        }
        return null;
    }

    /** Normalizes a hostname for comparison (Envoy and DNS are case-insensitive). */
    public static String normalize(String hostname) {
        return hostname == null || hostname.isEmpty() ? null : hostname.toLowerCase(Locale.ROOT);
    }
}
