package dev.bulwark.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on a free 127.0.0.1 port that writes the raw response texts it is given, one per
 * connection, in order (the last one repeats), each with {@code Connection: close}. Unlike the
 * JDK's HttpServer it sends exactly the headers given — no {@code Date} of its own — so a test can
 * set or omit {@code Date}.
 */
final class RawServer implements AutoCloseable {

  private final ServerSocket socket;
  private final Thread acceptor;
  private final AtomicInteger requests = new AtomicInteger();

  RawServer(List<String> responses) throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                      BufferedReader in =
                          new BufferedReader(
                              new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                      String line;
                      while ((line = in.readLine()) != null && !line.isEmpty()) {
                        // skip the request's headers; the tests send no body
                      }
                      int n = requests.getAndIncrement();
                      String response = responses.get(Math.min(n, responses.size() - 1));
                      OutputStream out = s.getOutputStream();
                      out.write(response.getBytes(StandardCharsets.US_ASCII));
                      out.flush();
                    } catch (IOException closed) {
                      return; // the socket was closed by close()
                    }
                  }
                });
  }

  /** A response with the given status, extra header lines and an empty body. */
  static String response(int status, String... headerLines) {
    StringBuilder b = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
    for (String h : headerLines) {
      b.append(h).append("\r\n");
    }
    return b.append("Content-Length: 0\r\nConnection: close\r\n\r\n").toString();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    try {
      acceptor.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
