package dev.gantry.xds.client;

import com.google.re2j.Pattern;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The request as an HTTP connection manager hands it to routing: its path normalized and its slashes merged when the
 * manager says so, and the port taken off its host when the manager strips it.
 */
final class RequestNormalization {

    private static final Pattern DOUBLE_SLASHES = Pattern.compile("//+");

    private RequestNormalization() {}

    /** The request with the path and host the connection manager's routing matches on. */
    static HttpRequest asRouted(HttpConnectionManager hcm, HttpRequest request) {
        String path = request.pathOnly();
        if (hcm.hasNormalizePath() && hcm.getNormalizePath().getValue()) {
            path = normalize(path);
        }
        if (hcm.getMergeSlashes()) {
            path = DOUBLE_SLASHES.matcher(path).replaceAll("/");
        }
        String query = request.query();
        String fullPath = query == null ? path : path + "?" + query;
        String authority = hcm.getStripAnyHostPort() ? withoutPort(request.authority()) : request.authority();
        return new HttpRequest(
                request.scheme(), authority, request.method(), fullPath, request.headers(), request.sni());
    }

    /**
     * The path as Envoy's {@code normalize_path} leaves it (RFC 3986 section 6): percent-encoded unreserved characters
     * decoded, then dot segments removed. A backslash, which Envoy's canonicalizer may treat as a separator, is not
     * modelled.
     */
    static String normalize(String path) {
        if (path.indexOf('\\') >= 0) {
            throw new UnsupportedOperationException(
                    "normalize_path of a path with a backslash is not modelled: " + path);
        }
        StringBuilder decoded = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length() && isHex(path.charAt(i + 1)) && isHex(path.charAt(i + 2))) {
                char value = (char) Integer.parseInt(path.substring(i + 1, i + 3), 16);
                if (isUnreserved(value)) {
                    decoded.append((char) value);
                    i += 2;
                    continue;
                }
            }
            decoded.append(c);
        }
        List<String> output = new ArrayList<>();
        String[] segments = decoded.toString().substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".")) {
                if (last) {
                    output.add("");
                }
            } else if (segment.equals("..")) {
                if (!output.isEmpty()) {
                    output.removeLast();
                }
                if (last) {
                    output.add("");
                }
            } else {
                output.add(segment);
            }
        }
        return "/" + String.join("/", output);
    }

    /** Where the port of a host begins (its colon), or -1; an IPv6 literal keeps its own colons. */
    static int portColon(String host) {
        if (host.startsWith("[")) {
            int end = host.lastIndexOf("]:");
            return end < 0 ? -1 : end + 1;
        }
        return host.lastIndexOf(':');
    }

    private static String withoutPort(String host) {
        int colon = portColon(host);
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0;
    }
}
