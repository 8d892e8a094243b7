package dev.refusal.okhttp;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The OkHttp clients a test builds, shut down together afterwards, and the few calls tests make.
 * Every client has finite connect, read and write timeouts, so no call can hang a test.
 */
final class Clients implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

  private final List<OkHttpClient> made = new ArrayList<>();

  /** A builder with bounded timeouts. */
  static OkHttpClient.Builder builder() {
    return new OkHttpClient.Builder().connectTimeout(TIMEOUT).readTimeout(TIMEOUT)
        .writeTimeout(TIMEOUT);
  }

  /** Builds {@code builder} and remembers the client for {@link #close()}. */
  OkHttpClient build(OkHttpClient.Builder builder) {
    OkHttpClient client = builder.build();
    made.add(client);
    return client;
  }

  static Request get(String url) {
    return new Request.Builder().url(url).build();
  }

  static Request post(String url, String body) {
    return new Request.Builder().url(url).post(RequestBody.create(body, TEXT)).build();
  }

  /** Executes {@code request} and returns the response body; fails the test on an error code. */
  static String body(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw new AssertionError(request.url() + " answered " + response.code());
      }
      return response.body().string();
    }
  }

  /** Executes {@code request} and returns what it threw; fails the test when it did not throw. */
  static IOException failure(OkHttpClient client, Request request) {
    try (Response response = client.newCall(request).execute()) {
      throw new AssertionError(request.url() + " answered " + response.code());
    } catch (IOException e) {
      return e;
    }
  }

  /** The diagnosis of a failure that must be a {@link DiagnosedConnectException}. */
  static Diagnosis diagnosis(Throwable failure) {
    if (!(failure instanceof DiagnosedConnectException)) {
      throw new AssertionError("expected a DiagnosedConnectException, got " + failure, failure);
    }
    return ((DiagnosedConnectException) failure).diagnosis();
  }

  @Override
  public void close() {
    for (OkHttpClient client : made) {
      client.dispatcher().executorService().shutdownNow();
      client.connectionPool().evictAll();
    }
  }
}
