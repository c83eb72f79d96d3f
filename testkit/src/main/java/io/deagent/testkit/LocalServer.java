package io.deagent.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The plumbing the SaaS fakes share: a JDK HTTP server on the loopback address at a free port, a platform thread
 * per request, and a latch that holds hung requests until the fake is closed.
 */
final class LocalServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);

    private LocalServer(String name, HttpHandler handler) throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // a platform thread per request, not a virtual one: a hung request must not block the others, and the
        // fake must keep answering when the code under test occupies every virtual-thread carrier
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
    }

    static LocalServer start(String name, HttpHandler handler) {
        try {
            return new LocalServer(name, handler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a local port for the " + name, e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    String root() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort();
    }

    /** Blocks until the fake is closed; the caller then closes its exchange unanswered. */
    void hang() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Releases hung requests (their connections close unanswered) and stops the server. */
    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    static void send(HttpExchange exchange, int status, Map<String, String> headers, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        if (bytes.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        // one connection per request: the JDK client keeps idle connections in a JVM-wide cache keyed by host and
        // port, and a port reused by the next test's fake must never inherit a connection of the last one
        exchange.getResponseHeaders().set("Connection", "close");
        boolean noBody = bytes.length == 0 || status == 204 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
        if (!noBody) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
