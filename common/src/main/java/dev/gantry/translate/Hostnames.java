package dev.gantry.translate;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hostname rules of the Gateway API: validation, wildcard matching and listener/route intersection.
 *
 * <p>A wildcard hostname {@code *.example.com} matches one or more labels in place of {@code *}; it does not
 * match {@code example.com}. A null hostname (a listener without one) matches everything.
 */
public final class Hostnames {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  public static final int MAX_LENGTH = 253;

  private Hostnames() {
  }

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
    for (String label : rest.split("\\.", -1)) {
      if (label.length() > 63) {
        return "hostname '" + hostname + "' has a label longer than 63 characters";
      }
      if (!LABEL.matcher(label).matches()) {
        return "hostname '" + hostname + "' is not a valid lowercase RFC 1123 DNS name";
      }
    }
    return null;
  }

  static boolean isIpAddress(String text) {
    return text.matches("[0-9.]+") || text.contains(":");
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
