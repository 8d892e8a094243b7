package dev.refusal.okhttp;

/**
 * A request tag that lets {@link RefusalOkHttp} retry the request after a failure that may have
 * reached the server (a reset, a connection closed before the response).
 *
 * <pre>{@code
 * Request request = new Request.Builder()
 *     .url("http://orders.internal:8080/orders/42")
 *     .tag(Idempotent.class, Idempotent.INSTANCE)
 *     .build();
 * }</pre>
 *
 * <p>Without it, a request is retried only after failures that happened before any byte of it
 * was written, whatever its method: a GET is not assumed to be idempotent, since many are not.
 */
public final class Idempotent {

  /** The tag value; only its class is looked at. */
  public static final Idempotent INSTANCE = new Idempotent();

  private Idempotent() {}

  @Override
  public String toString() {
    return "Idempotent";
  }
}
