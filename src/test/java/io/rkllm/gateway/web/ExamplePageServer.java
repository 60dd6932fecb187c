package io.rkllm.gateway.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpServer;

/**
 * A second origin for the cross-origin tests: the JDK's HTTP server on another loopback port, serving
 * {@code examples/cross-origin.html} as a web server of a frontend team would.
 */
final class ExamplePageServer implements AutoCloseable {

    static final Path PAGE = Path.of("examples", "cross-origin.html");

    private final HttpServer server;

    private ExamplePageServer(HttpServer server) {
        this.server = server;
    }

    static ExamplePageServer start() throws IOException {
        byte[] page = Files.readAllBytes(PAGE);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cross-origin.html", (exchange) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
        return new ExamplePageServer(server);
    }

    /** The page's address with this host name ({@code localhost} or {@code 127.0.0.1}: two origins, one server). */
    String pageUrl(String host, int gatewayPort) {
        return "http://" + host + ":" + this.server.getAddress().getPort()
                + "/cross-origin.html?gateway=http://localhost:" + gatewayPort;
    }

    @Override
    public void close() {
        this.server.stop(0);
    }

}
