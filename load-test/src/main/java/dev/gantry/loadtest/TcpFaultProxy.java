package dev.gantry.loadtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on the loopback interface that stands between one process and the API server, and injects the faults
 * of a network: an outage (every connection, open or new, is reset until it ends), a cut (the open connections are
 * reset, so watches break mid-stream, new ones get through), and latency on every chunk each way.
 *
 * <p>Faults at the HTTP level (410 on a watch resume, 429 or 5xx on a list or a status write) are the API's own to
 * inject; this proxy does what only the network can. One proxy per process lets a test cut one process off while the
 * others keep the API.
 */
public final class TcpFaultProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean outage;
    private volatile long latencyNanos;
    private volatile boolean closed;

    private TcpFaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fault-proxy-accept-" + server.getLocalPort()).start(this::acceptLoop);
    }

    /** A proxy to {@code host:port} on a free loopback port. */
    public static TcpFaultProxy start(String host, int port) throws IOException {
        return new TcpFaultProxy(new InetSocketAddress(host, port));
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The URL a client uses instead of the API's, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Starts an outage: the open connections are reset and every new one is, until {@link #endOutage}. */
    public void beginOutage() {
        outage = true;
        cut();
    }

    public void endOutage() {
        outage = false;
    }

    public boolean inOutage() {
        return outage;
    }

    /** Resets every open connection (watches break mid-stream); new connections get through. */
    public void cut() {
        for (Socket socket : open) {
            reset(socket);
        }
    }

    /** Delays every chunk each way by this much (zero: none). */
    public void latency(Duration latency) {
        latencyNanos = latency.toNanos();
    }

    /** Connections let through so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections reset on arrival during an outage so far. */
    public long refused() {
        return refused.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (outage) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            accepted.incrementAndGet();
            Thread.ofVirtual().name("fault-proxy-connect").start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 5_000);
        } catch (IOException e) {
            reset(client);
            closeQuietly(upstream);
            return;
        }
        open.add(client);
        open.add(upstream);
        Thread.ofVirtual().name("fault-proxy-up").start(() -> pump(client, upstream));
        Thread.ofVirtual().name("fault-proxy-down").start(() -> pump(upstream, client));
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                long delay = latencyNanos;
                if (delay > 0) {
                    Thread.sleep(Duration.ofNanos(delay));
                }
                if (outage) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // The other direction or a fault closed the pair; reset both below.
        } finally {
            reset(from);
            reset(to);
        }
    }

    /** Closes with SO_LINGER 0, so the peer reads a reset rather than a clean end of stream. */
    private void reset(Socket socket) {
        open.remove(socket);
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // Already closed.
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
        cut();
    }
}
