package dev.refusal.okhttp;

import dev.refusal.FailureKind;
import dev.refusal.testing.ThrowableShape;
import java.io.IOException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Run by {@link OkHttpFailureKindTest} in a child JVM whose resolver reads only a hosts file:
 * calls {@code http://refusal-test.invalid/} with OkHttp's default {@code Dns} and prints one line,
 * {@code KIND<tab>shape}, or {@code SETUP<tab>reason} if the call did not fail.
 */
public final class OkHttpFailureKindChild {

  /** The unknown name called; {@code .invalid} never resolves (RFC 6761). */
  static final String UNKNOWN_HOST = "refusal-test.invalid";

  private OkHttpFailureKindChild() {}

  public static void main(String[] args) {
    OkHttpClient client = new OkHttpClient();
    Request request = new Request.Builder().url("http://" + UNKNOWN_HOST + "/").build();
    try (Response response = client.newCall(request).execute()) {
      System.out.println("SETUP\tthe call succeeded with " + response.code());
    } catch (IOException e) {
      System.out.println(FailureKind.of(e) + "\t" + ThrowableShape.of(e));
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
