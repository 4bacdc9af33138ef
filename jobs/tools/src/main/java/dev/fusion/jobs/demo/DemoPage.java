package dev.fusion.jobs.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The demo's live page on localhost: {@code /} is a self-contained HTML page (no network needed)
 * that polls {@code /status.json} each second and plots the timeline.
 */
final class DemoPage implements AutoCloseable {

    private static final String PAGE_RESOURCE = "page.html";

    private final HttpServer server;
    private final DemoTimeline timeline;

    private DemoPage(HttpServer server, DemoTimeline timeline) {
        this.server = server;
        this.timeline = timeline;
    }

    /** Serves {@code timeline} on {@code port} of the loopback address (0: a free port). */
    static DemoPage start(int port, DemoTimeline timeline) {
        byte[] page = pageBytes();
        try {
            HttpServer server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            server.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/")) {
                    reply(exchange, 200, "text/html; charset=utf-8", page);
                } else {
                    reply(exchange, 404, "text/plain; charset=utf-8",
                            "not found\n".getBytes(StandardCharsets.UTF_8));
                }
            });
            server.createContext("/status.json", exchange -> reply(exchange, 200,
                    "application/json", timeline.toJson().getBytes(StandardCharsets.UTF_8)));
            server.start();
            return new DemoPage(server, timeline);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve the demo page on port " + port
                    + " (in use? choose another with --page-port, 0 for a free one)", e);
        }
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort() + "/";
    }

    /** See {@link DemoTimeline#awaitReadAfterFinish}. */
    void awaitPollAfterFinish(Duration timeout) throws InterruptedException {
        timeline.awaitReadAfterFinish(timeout);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] pageBytes() {
        try (InputStream in = DemoPage.class.getResourceAsStream(PAGE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + PAGE_RESOURCE + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
