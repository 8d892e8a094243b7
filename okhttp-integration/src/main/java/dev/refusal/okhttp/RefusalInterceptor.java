package dev.refusal.okhttp;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.FailureKind;
import dev.refusal.RefusalCause;
import dev.refusal.RefusalGuard;
import dev.refusal.internal.DiagnosedFailures;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The application interceptor {@link RefusalOkHttp#install} adds: runs each call under the guard,
 * one fresh {@code proceed} per attempt, and turns what the guard throws into what OkHttp users
 * expect.
 */
final class RefusalInterceptor implements Interceptor {

  /** The evidence name of the routes OkHttp tried. */
  static final String ROUTES_PROBE = "okhttp-routes";

  private final RefusalGuard guard;
  private final Endpoints endpoints = new Endpoints();

  RefusalInterceptor(RefusalGuard guard) {
    this.guard = guard;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    HttpUrl url = request.url();
    Endpoint endpoint = endpoints.get(url.host(), url.port());
    if (endpoint == null) {
      return chain.proceed(request);
    }
    Call call = chain.call();
    CallTrace trace = CallTrace.bind(call, chain, request, endpoint, endpoints,
        request.tag(Idempotent.class) != null);
    try {
      return guard.call(endpoint, trace, trace.options(call));
    } catch (CallTrace.NotReplayable e) {
      throw notReplayed(e.original, trace, call);
    } catch (IOException e) {
      throw explained(e, trace, chain, call);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // The attempt throws only IOException and unchecked exceptions; nothing else can get here.
      throw new IOException(e);
    } finally {
      trace.unbind();
    }
  }

  /**
   * The guard's verdict with OkHttp's routes in its evidence; a stale DNS answer dropped; a
   * cancelled or interrupted call reported the way OkHttp reports one. The type stays the one
   * OkHttp threw (a refusal's {@code ConnectException} as a {@link DiagnosedConnectException}).
   */
  private IOException explained(IOException e, CallTrace trace, Chain chain, Call call) {
    Diagnosis d = Diagnosis.find(e).orElse(null);
    if (d == null || (e instanceof DiagnosedConnectException
        && ((DiagnosedConnectException) e).isRejection())) {
      // Not diagnosed, or the circuit is open: nothing was dialled, and the rejection is clear.
      return ended(e, call);
    }
    if (d.cause() == RefusalCause.STALE_ADDRESS) {
      Dns dns = chain.getDns();
      if (dns instanceof RefusalDns) {
        ((RefusalDns) dns).dropStale(chain.request().url().host(),
            trace.failedDirectAddresses());
      }
    }
    String routes = trace.routesObserved();
    boolean sent = trace.requestSentInCall() && !d.requestMayHaveBeenSent();
    if (routes == null && !sent) {
      return ended(e, call);
    }
    return ended(asIo(DiagnosedFailures.rediagnosed(e, withCall(d, routes, sent)), e), call);
  }

  /**
   * A connect-phase failure the guard was not allowed to replay (the request had been written, or
   * OkHttp had followed a redirect to another host): diagnosed for the address dialled, never
   * retried.
   */
  private IOException notReplayed(IOException original, CallTrace trace, Call call) {
    Endpoint dialled = trace.dialled(true);
    if (dialled == null || !FailureKind.of(original).isConnectPhase()) {
      return ended(original, call);
    }
    Diagnosis d = guard.diagnoser().diagnose(dialled, original);
    String routes = trace.routesObserved();
    // Not replayed because a request had been written (here, or on a redirect's first leg).
    Throwable diagnosed = DiagnosedFailures.withDiagnosis(original, withCall(d, routes, true));
    return ended(asIo(diagnosed, original), call);
  }

  /** {@code diagnosed}, which keeps {@code original}'s type, as the IOException it is. */
  private static IOException asIo(Throwable diagnosed, IOException original) {
    return diagnosed instanceof IOException ? (IOException) diagnosed : original;
  }

  /**
   * What the call throws: OkHttp's {@code IOException("Canceled")} when it was cancelled during
   * the guard's backoff (or the guard gave up because of it), {@code InterruptedIOException} when
   * the waiting thread was interrupted, else {@code e} itself.
   */
  private static IOException ended(IOException e, Call call) {
    boolean waitCancelled = false;
    boolean interrupted = false;
    for (Throwable s : e.getSuppressed()) {
      waitCancelled |= s instanceof CancellationException;
      interrupted |= s instanceof InterruptedException;
    }
    if (interrupted) {
      InterruptedIOException out = new InterruptedIOException("interrupted");
      out.addSuppressed(e);
      return out;
    }
    if (call.isCanceled() && (waitCancelled || Diagnosis.find(e).isPresent())) {
      IOException out = new IOException("Canceled");
      out.addSuppressed(e);
      return out;
    }
    return e;
  }

  /** {@code d} with the routes OkHttp tried first in its evidence, and what the call sent. */
  private static Diagnosis withCall(Diagnosis d, String routes, boolean sent) {
    Diagnosis.Builder b = d.toBuilder();
    if (routes != null) {
      List<Evidence> evidence = new ArrayList<>(d.evidence().size() + 1);
      evidence.add(Evidence.of(ROUTES_PROBE, routes));
      evidence.addAll(d.evidence());
      b.evidence(evidence);
    }
    if (sent) {
      b.requestMayHaveBeenSent(true);
    }
    return b.build();
  }
}
