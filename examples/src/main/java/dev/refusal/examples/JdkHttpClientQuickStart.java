package dev.refusal.examples;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.RefusalGuard;
import dev.refusal.jdkhttp.RefusalHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The README's JDK {@code HttpClient} quick start, runnable: it POSTs an order to the URL given
 * (by default {@code http://localhost:8080/orders}) through a wrapped client, and prints the
 * response, or the diagnosis when the connect fails.
 *
 * <pre>
 * java -cp examples/target/refusal-examples.jar dev.refusal.examples.JdkHttpClientQuickStart \
 *     http://127.0.0.1:8080/orders
 * </pre>
 *
 * <p>The lines between the README markers are the README's snippet, word for word; a test keeps
 * the two the same.
 */
public final class JdkHttpClientQuickStart {

  private JdkHttpClientQuickStart() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    placeOrder(args.length > 0 ? args[0] : "http://localhost:8080/orders");
  }

  static void placeOrder(String url) throws IOException, InterruptedException {
    // README quick start: begin
    HttpClient client = RefusalHttpClient.wrap(HttpClient.newHttpClient(), RefusalGuard.defaults());
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofString("{\"item\": 42}"))
        .build();
    try {
      // A refused connect is retried by cause (a POST too: no byte was sent), then diagnosed.
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      System.out.println(response.statusCode() + " " + response.body());
    } catch (DiagnosedConnectException e) {
      // "Connection refused: localhost:8080 (127.0.0.1) — NO_LISTENER (HIGH): nothing listens
      // on port 8080 on this host. Start the service, or check which port it listens on ..."
      System.err.println(e.getMessage());
    }
    // README quick start: end
  }
}
