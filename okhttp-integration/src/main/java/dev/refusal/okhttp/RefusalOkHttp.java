package dev.refusal.okhttp;

import dev.refusal.RefusalGuard;
import java.util.Objects;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * Installs a {@link RefusalGuard} into an OkHttp client: refused connects are diagnosed, retried by
 * cause with backoff, and counted by a per-{@code host:port} circuit breaker.
 *
 * <pre>{@code
 * OkHttpClient client = RefusalOkHttp.install(new OkHttpClient.Builder(), RefusalGuard.defaults())
 *     .build();
 * }</pre>
 *
 * <p>What an installed client does, per call:
 *
 * <ul>
 *   <li>OkHttp's own route fallback comes first: every address of the host, Happy Eyeballs, its
 *       own retry on another route. Only when OkHttp gives up does the guard decide.
 *   <li>A failure before the request was written (refused, connect timeout, no route, …) is
 *       retried with backoff when its diagnosis says waiting can help, for every method, POST
 *       included: no byte of the request reached the server, so the body is sent exactly once, to
 *       the server that finally accepts it.
 *   <li>A failure after the request was written is retried only for requests tagged {@link
 *       Idempotent}, and only when the connection broke (a reset, a connection closed before the
 *       response); anything else is OkHttp's own exception, untouched.
 *   <li>When the guard gives up, the call throws the type plain OkHttp throws, diagnosed for the
 *       address OkHttp actually dialled, with every route OkHttp tried in its evidence: a refusal's
 *       {@link java.net.ConnectException} as a {@link dev.refusal.DiagnosedConnectException} (a
 *       {@code ConnectException}), a {@link java.net.SocketTimeoutException} or {@link
 *       java.net.UnknownHostException} as the same type with the diagnosis in its message. {@link
 *       dev.refusal.Diagnosis#find} finds the diagnosis on any of them. While an endpoint's
 *       circuit is open, calls fail with a {@code DiagnosedConnectException} without dialling.
 *   <li>{@link OkHttpClient.Builder#callTimeout callTimeout} bounds the whole sequence, waits
 *       included; {@link okhttp3.Call#cancel()} ends a backoff wait at once and the call fails with
 *       OkHttp's usual {@code IOException("Canceled")}. {@code execute()} and {@code enqueue()}
 *       both work; an enqueued call waits on its dispatcher thread.
 * </ul>
 *
 * <p>Install it after interceptors that rewrite the request's URL, since the breaker is chosen
 * from the URL this interceptor sees; interceptors added after it run once per attempt. The
 * client's own event listener (or factory) is left in place and still hears every event: the
 * guard's per-call trace is added to each call with {@link okhttp3.Call#addEventListener}, and
 * lives and dies with the call. Pair it with {@link RefusalDns} to recover from stale DNS
 * answers.
 */
public final class RefusalOkHttp {

  private RefusalOkHttp() {}

  /**
   * Adds the guard to {@code builder} as an application interceptor and returns the same builder,
   * for chaining.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if the OkHttp on the class path is older than 5.0 (the message
   *     names the version found), or if the builder already has a guard installed (a builder copied
   *     with {@link OkHttpClient#newBuilder()} from a guarded client has one): two guards would
   *     multiply each other's retries
   */
  public static OkHttpClient.Builder install(OkHttpClient.Builder builder, RefusalGuard guard) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(guard, "guard");
    OkHttpVersion.check();
    for (Interceptor existing : builder.interceptors()) {
      if (existing instanceof RefusalInterceptor) {
        throw new IllegalStateException("a RefusalGuard is already installed on this builder (one"
            + " copied from a guarded client with newBuilder() keeps it); two guards would"
            + " multiply each other's retries");
      }
    }
    return builder.addInterceptor(new RefusalInterceptor(guard));
  }
}
