package dev.gantry.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpFaultProxyTest {

    private ServerSocket echo;
    private TcpFaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (socket;
                                InputStream in = socket.getInputStream();
                                OutputStream out = socket.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // The test reset it.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = TcpFaultProxy.start("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        byte[] answer = socket.getInputStream().readNBytes(text.length());
        return new String(answer, StandardCharsets.UTF_8);
    }

    /** Whether the echo came back; a reset shows as an exception or an early end of stream, by timing. */
    private static boolean answered(Socket socket, String text) {
        try {
            return roundTrip(socket, text).equals(text);
        } catch (IOException e) {
            return false;
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    @Test
    void bytesPassBothWays() throws IOException {
        try (Socket socket = connect()) {
            assertEquals("hello", roundTrip(socket, "hello"));
            assertEquals("again", roundTrip(socket, "again"));
        }
        assertEquals(1, proxy.accepted());
    }

    @Test
    void aCutResetsOpenConnectionsAndLetsNewOnesThrough() throws IOException {
        try (Socket socket = connect()) {
            assertEquals("before", roundTrip(socket, "before"));
            proxy.cut();
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    if (socket.getInputStream().read() < 0) {
                        throw new IOException("end of stream");
                    }
                }
            });
        }
        try (Socket socket = connect()) {
            assertEquals("after", roundTrip(socket, "after"));
        }
    }

    @Test
    void anOutageResetsEveryConnectionUntilItEnds() throws IOException {
        Socket open = connect();
        assertEquals("up", roundTrip(open, "up"));
        proxy.beginOutage();
        assertFalse(answered(open, "during"), "an open connection is reset");
        open.close();
        try (Socket during = connect()) {
            assertFalse(answered(during, "during"), "a new connection is reset");
        }
        assertTrue(proxy.refused() >= 1);
        proxy.endOutage();
        try (Socket after = connect()) {
            assertEquals("back", roundTrip(after, "back"));
        }
    }

    @Test
    void latencyDelaysEachWay() throws IOException {
        proxy.latency(Duration.ofMillis(100));
        try (Socket socket = connect()) {
            long start = System.nanoTime();
            assertEquals("slow", roundTrip(socket, "slow"));
            long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(took >= 200, "two chunks, each delayed 100 ms: " + took + " ms");
        }
    }
}
