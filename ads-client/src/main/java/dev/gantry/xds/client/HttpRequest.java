package dev.gantry.xds.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as it reaches a proxy's listener, for {@link EnvoyRouter}: the scheme the client used, the
 * authority (Host header, port included if the client sent one), method, path with its query string, the other
 * headers (names in lower case, each with its values in order) and, for a request over TLS, the SNI the client sent
 * (null over plain text).
 */
public record HttpRequest(
        String scheme, String authority, String method, String path, Map<String, List<String>> headers, String sni) {

    public HttpRequest {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a request path starts with /: " + path);
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        headers = Map.copyOf(copy);
    }

    /** A plain-text GET of {@code path} for {@code host}, without other headers. */
    public static HttpRequest get(String host, String path) {
        return new HttpRequest("http", host, "GET", path, Map.of(), null);
    }

    /** The same request with another method. */
    public HttpRequest withMethod(String newMethod) {
        return new HttpRequest(scheme, authority, newMethod, path, headers, sni);
    }

    /** The same request with one more value of a header (the name is case-insensitive, as in HTTP). */
    public HttpRequest withHeader(String name, String value) {
        Map<String, List<String>> more = new LinkedHashMap<>(headers);
        List<String> values = new ArrayList<>(more.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
        values.add(value);
        more.put(name.toLowerCase(Locale.ROOT), values);
        return new HttpRequest(scheme, authority, method, path, more, sni);
    }

    /** The same request sent over TLS with this SNI, as an HTTPS client does. */
    public HttpRequest overTls(String serverName) {
        return new HttpRequest("https", authority, method, path, headers, serverName);
    }

    /** The path without its query string or fragment. */
    public String pathOnly() {
        int end = path.length();
        int query = path.indexOf('?');
        int fragment = path.indexOf('#');
        if (query >= 0) {
            end = query;
        }
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return path.substring(0, end);
    }

    /** The query string after the {@code ?}, without fragment, or null when the path has none. */
    public String query() {
        int query = path.indexOf('?');
        if (query < 0) {
            return null;
        }
        int fragment = path.indexOf('#', query);
        return fragment < 0 ? path.substring(query + 1) : path.substring(query + 1, fragment);
    }
}
