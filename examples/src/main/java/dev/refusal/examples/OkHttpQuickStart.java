package dev.refusal.examples;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.RefusalGuard;
import dev.refusal.okhttp.RefusalOkHttp;
import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The README's OkHttp quick start, as a program: one GET through a guarded client, printing the
 * answer or the diagnosis.
 *
 * <p>Run: {@code java -cp examples/target/refusal-examples.jar
 * dev.refusal.examples.OkHttpQuickStart http://127.0.0.1:8080/}
 */
public final class OkHttpQuickStart {

  private OkHttpQuickStart() {}

  /** Calls {@code args[0]} (default {@code http://localhost:8080/orders/42}) once. */
  public static void main(String[] args) throws IOException {
    String url = args.length > 0 ? args[0] : "http://localhost:8080/orders/42";

    OkHttpClient client = RefusalOkHttp.install(new OkHttpClient.Builder(), RefusalGuard.defaults())
        .callTimeout(Duration.ofSeconds(10)) // bounds the whole call: retries and waits included
        .build();

    Request request = new Request.Builder().url(url).build();
    try (Response response = client.newCall(request).execute()) {
      System.out.println(response.code() + " " + response.body().string());
    } catch (DiagnosedConnectException e) { // a ConnectException: catch (IOException e) still works
      System.out.println(e.getMessage()); // what is wrong, and what to do about it
      System.out.println(e.diagnosis().cause() + ", transient: " + e.diagnosis().isTransient());
    }

    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
