package dev.bulwark.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDK HttpServer on a free 127.0.0.1 port that answers each request with the next step of its
 * script, then with its fallback step. It counts requests and the client ports they came from (one
 * port per TCP connection).
 */
final class ScriptedServer implements AutoCloseable {

  /** One scripted answer. */
  @FunctionalInterface
  interface Step {
    void handle(HttpExchange exchange) throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Queue<Step> script = new ConcurrentLinkedQueue<>();
  private final Step fallback;
  private final AtomicInteger requests = new AtomicInteger();
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

  private ScriptedServer(Step fallback, Step... first) throws IOException {
    this.fallback = fallback;
    this.script.addAll(java.util.List.of(first));
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          clientPorts.add(exchange.getRemoteAddress().getPort());
          Step step = script.poll();
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            (step != null ? step : fallback).handle(exchange);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
  }

  static ScriptedServer start(Step fallback, Step... first) throws IOException {
    return new ScriptedServer(fallback, first);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  int port() {
    return server.getAddress().getPort();
  }

  String authority() {
    return "http://127.0.0.1:" + port();
  }

  int requests() {
    return requests.get();
  }

  /** How many TCP connections the requests came over. */
  int connections() {
    return clientPorts.size();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Answers with {@code status}, {@code body} and header name/value pairs. */
  static Step respond(int status, String body, String... headers) {
    return exchange -> {
      for (int i = 0; i < headers.length; i += 2) {
        exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    };
  }
}
