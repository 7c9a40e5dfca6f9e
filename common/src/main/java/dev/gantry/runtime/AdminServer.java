package dev.gantry.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP endpoint of a component: {@code /healthz} (liveness), {@code /readyz} (readiness),
 * {@code /metrics} (Prometheus text) and whatever {@code /debug} handlers the component adds.
 */
public final class AdminServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    /** A port already in use. */
    public static final class PortInUseException extends IllegalStateException {
        public PortInUseException(String what, int port) {
            super(what + " port " + port + " is already in use");
        }
    }

    /**
     * @param host address to bind (0.0.0.0 in a cluster, 127.0.0.1 locally)
     * @param port port, 0 for any free one
     * @param registry metrics to expose
     * @param readiness answers /readyz
     */
    public AdminServer(String host, int port, PrometheusRegistry registry, Supplier<Readiness> readiness) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (BindException e) {
            throw new PortInUseException("admin", port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "admin-http-" + port);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n", "text/plain"));
        server.createContext("/readyz", exchange -> {
            Readiness state = readiness.get();
            respond(
                    exchange,
                    state.ready() ? 200 : 503,
                    (state.ready() ? "ready: " : "not ready: ") + state.detail() + "\n",
                    "text/plain");
        });
        server.createContext("/metrics", new MetricsHandler(registry));
    }

    /** Adds a handler under a path (e.g. {@code /debug/shard}). */
    public AdminServer route(String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            try {
                handler.handle(exchange);
            } catch (RuntimeException e) {
                respond(exchange, 500, "error: " + e.getMessage() + "\n", "text/plain");
            }
        });
        return this;
    }

    public AdminServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Writes a complete response. */
    public static void respond(HttpExchange exchange, int code, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Query parameters of a request, decoded. */
    public static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }
}
