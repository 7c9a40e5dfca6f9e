package dev.gantry.xds.client;

import static dev.gantry.xds.client.ModelledFields.understood;
import static dev.gantry.xds.client.ModelledFields.unpack;
import static dev.gantry.xds.client.ModelledFields.unsupported;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;
import java.util.Locale;

/**
 * The listener's half of {@link EnvoyRouter}: the filter chain a connection reaches by its SNI, as Envoy picks it,
 * and the HTTP connection manager of that chain with the HTTP filters it runs.
 */
final class FilterChainSelection {

    static final String CORS = "envoy.filters.http.cors";
    private static final String HCM = "envoy.filters.network.http_connection_manager";
    private static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
    private static final String ROUTER = "envoy.filters.http.router";

    private FilterChainSelection() {}

    /** Where a connection to a listener goes: to an HTTP connection manager, or nowhere. */
    sealed interface Result {}

    /** The connection reaches this HTTP connection manager, which runs the CORS filter or not. */
    record Served(HttpConnectionManager connectionManager, boolean corsFilter) implements Result {}

    /** No filter chain takes the connection. */
    record Refused(RoutingOutcome.ConnectionFailed outcome) implements Result {}

    /** The filter chain of the listener that takes the request's connection, and the connection manager in it. */
    static Result select(Listener listener, HttpRequest request) {
        understood(listener, "name", "stat_prefix", "address", "filter_chains", "listener_filters");
        understood(listener.getAddress().getSocketAddress(), "address", "port_value", "protocol");
        boolean inspectsTls = false;
        for (ListenerFilter filter : listener.getListenerFiltersList()) {
            if (!filter.getName().equals(TLS_INSPECTOR)) {
                throw unsupported("Listener.listener_filters", filter.getName());
            }
            inspectsTls = true;
        }
        // Without the TLS inspector Envoy never learns the SNI, and only chains without server names can match.
        String sni = inspectsTls && request.sni() != null ? request.sni().toLowerCase(Locale.ROOT) : null;
        FilterChain chain = filterChain(listener, sni);
        if (chain == null) {
            return new Refused(new RoutingOutcome.ConnectionFailed(
                    "no filter chain of listener " + listener.getName() + " for SNI " + sni));
        }
        understood(chain, "name", "filter_chain_match", "transport_socket", "filters");
        boolean chainTls = chain.hasTransportSocket();
        if (chainTls != (request.sni() != null || request.scheme().equals("https"))) {
            return new Refused(new RoutingOutcome.ConnectionFailed("filter chain " + chain.getName() + " of listener "
                    + listener.getName() + (chainTls ? " expects TLS" : " expects plain text")));
        }
        if (chain.getFiltersCount() != 1 || !chain.getFilters(0).getName().equals(HCM)) {
            throw unsupported(
                    "FilterChain.filters",
                    chain.getFiltersList().stream()
                            .map(Filter::getName)
                            .toList()
                            .toString());
        }
        HttpConnectionManager hcm = unpack(chain.getFilters(0).getTypedConfig(), HttpConnectionManager.class);
        understood(
                hcm,
                "stat_prefix",
                "codec_type",
                "rds",
                "upgrade_configs",
                "normalize_path",
                "merge_slashes",
                "strip_any_host_port",
                "use_remote_address",
                "http_filters");
        boolean cors = false;
        for (HttpFilter filter : hcm.getHttpFiltersList()) {
            switch (filter.getName()) {
                case CORS -> cors = true;
                case ROUTER -> {}
                default -> throw unsupported("HttpConnectionManager.http_filters", filter.getName());
            }
        }
        return new Served(hcm, cors);
    }

    /** Envoy's filter chain match on server names: exact, then the longest wildcard suffix, then none. */
    private static FilterChain filterChain(Listener listener, String sni) {
        FilterChain catchAll = null;
        FilterChain best = null;
        int bestLength = -1;
        for (FilterChain chain : listener.getFilterChainsList()) {
            understood(chain.getFilterChainMatch(), "server_names");
            List<String> names = chain.getFilterChainMatch().getServerNamesList();
            if (names.isEmpty()) {
                if (catchAll == null) {
                    catchAll = chain;
                }
                continue;
            }
            if (sni == null) {
                continue;
            }
            for (String name : names) {
                String lower = name.toLowerCase(Locale.ROOT);
                int length;
                if (lower.equals(sni)) {
                    length = Integer.MAX_VALUE;
                } else if (lower.startsWith("*.") && sni.endsWith(lower.substring(1))) {
                    length = lower.length();
                } else {
                    continue;
                }
                if (length > bestLength) {
                    best = chain;
                    bestLength = length;
                }
            }
        }
        return best != null ? best : catchAll;
    }
}
