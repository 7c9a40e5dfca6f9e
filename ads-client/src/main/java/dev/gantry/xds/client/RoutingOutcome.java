package dev.gantry.xds.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What Envoy does with a request, as {@link EnvoyRouter} finds it from the configuration a proxy holds. */
public sealed interface RoutingOutcome {

    /**
     * The request goes upstream: to one of the backends (by weight), with the path and host after the route's
     * rewrites and the route's header edits (each backend's own edits are applied before them, as Envoy does).
     */
    record Forward(
            String routeName,
            List<Backend> backends,
            String path,
            String authority,
            HeaderEdits requestHeaders,
            HeaderEdits responseHeaders)
            implements RoutingOutcome {
        public Forward {
            backends = List.copyOf(backends);
        }

        /** The clusters that can be picked (weight above zero), in order. */
        public List<String> clusters() {
            return backends.stream()
                    .filter(b -> b.weight() > 0)
                    .map(Backend::cluster)
                    .toList();
        }

        /** The request headers a backend receives: the backend's edits, then the route's. */
        public Map<String, List<String>> upstreamHeaders(Backend backend, Map<String, List<String>> received) {
            return requestHeaders.applyTo(backend.requestHeaders().applyTo(received));
        }
    }

    /** A cluster a route can forward to, with its weight and whether the proxy holds it warm. */
    record Backend(String cluster, int weight, boolean held, HeaderEdits requestHeaders, HeaderEdits responseHeaders) {}

    /** The route answers with a redirect: its status and the Location header as Envoy builds it. */
    record Redirect(String routeName, int status, String location) implements RoutingOutcome {}

    /** The route answers by itself with a status (and a body, possibly empty). */
    record DirectResponse(String routeName, int status, String body) implements RoutingOutcome {}

    /** No virtual host or no route matched: Envoy answers 404. */
    record NoRoute(String reason) implements RoutingOutcome {
        public int status() {
            return 404;
        }
    }

    /**
     * The route names clusters none of which the proxy holds warm: Envoy answers with the route's
     * {@code cluster_not_found_response_code} (503 unless the route says otherwise).
     */
    record ClusterNotHeld(String routeName, List<String> clusters, int status) implements RoutingOutcome {
        public ClusterNotHeld {
            clusters = List.copyOf(clusters);
        }
    }

    /** The connection does not get to HTTP: no listener on the port, no filter chain for it, or a TLS mismatch. */
    record ConnectionFailed(String reason) implements RoutingOutcome {}

    /** Header edits of one level of the configuration, in Envoy's terms. */
    record HeaderEdits(List<Header> toAdd, List<String> toRemove) {
        public static final HeaderEdits NONE = new HeaderEdits(List.of(), List.of());

        public HeaderEdits {
            toAdd = List.copyOf(toAdd);
            toRemove = toRemove.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
        }

        /** Applies the edits as Envoy's header parser does: removals first, then additions in order. */
        public Map<String, List<String>> applyTo(Map<String, List<String>> headers) {
            Map<String, List<String>> result = new LinkedHashMap<>();
            headers.forEach((name, values) -> result.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(values)));
            toRemove.forEach(result::remove);
            for (Header header : toAdd) {
                String name = header.name().toLowerCase(Locale.ROOT);
                List<String> existing = result.get(name);
                switch (header.action()) {
                    case APPEND ->
                        result.computeIfAbsent(name, n -> new ArrayList<>()).add(header.value());
                    case OVERWRITE_OR_ADD -> result.put(name, new ArrayList<>(List.of(header.value())));
                    case ADD_IF_ABSENT -> {
                        if (existing == null) {
                            result.put(name, new ArrayList<>(List.of(header.value())));
                        }
                    }
                    case OVERWRITE_IF_EXISTS -> {
                        if (existing != null) {
                            result.put(name, new ArrayList<>(List.of(header.value())));
                        }
                    }
                }
            }
            Map<String, List<String>> copy = new LinkedHashMap<>();
            result.forEach((name, values) -> copy.put(name, List.copyOf(values)));
            return copy;
        }
    }

    /** A header to add and how (Envoy's {@code HeaderValueOption.append_action}). */
    record Header(String name, String value, Append action) {}

    /** Envoy's append actions. */
    enum Append {
        APPEND,
        ADD_IF_ABSENT,
        OVERWRITE_OR_ADD,
        OVERWRITE_IF_EXISTS
    }
}
