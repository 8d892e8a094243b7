package dev.refusal.okhttp;

import dev.refusal.CallOptions;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.internal.HostSyntax;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import kotlin.jvm.functions.Function0;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okio.Timeout;

/**
 * What OkHttp did in one guarded call, learned from its own events: the routes each attempt tried
 * and how each ended, the proxy, whether the request had started to be written, whether a
 * redirect led to another host, and whether the call was cancelled. It is also the guard's view
 * of the call: the attempt ({@link #call()}), the endpoint an attempt dialled ({@link
 * #apply(Throwable)}) and the cancellation signal.
 *
 * <p>A trace is attached to its call twice, both through OkHttp's per-call API, never through a
 * global map: as an event listener ({@link Call#addEventListener}) and as the call's {@code
 * CallTrace} tag, so an interceptor that runs again for the same call (an outer interceptor that
 * proceeds twice) finds it instead of adding a second listener.
 *
 * <p>Traces are reused: each thread keeps one, bound to a call for the span of one interception
 * and free again after. A call that succeeds therefore allocates nothing here. The trace stays in
 * the listener list of every call it served; events of a call it no longer serves are dropped by
 * one volatile read ({@link #owner}), so they cannot mix with the current call's. A trace that is
 * busy (a call made from inside another call, on the same thread) is never shared: a fresh one
 * serves the inner call.
 *
 * <p>Thread-safety: events arrive on any thread (Happy Eyeballs connects run on OkHttp's task
 * threads, {@code cancel()} on the caller's); what they record is guarded by {@code this}. The
 * per-call fields are written by the binding thread before {@link #owner} is published.
 */
final class CallTrace extends EventListener
    implements Callable<Response>, Function<Throwable, Endpoint>, Function0<CallTrace> {

  /** Routes remembered per attempt; OkHttp tries one per address and proxy. */
  static final int MAX_ROUTES = 16;

  private static final ThreadLocal<CallTrace> LOCAL = ThreadLocal.withInitial(CallTrace::new);
  private static final AtomicIntegerFieldUpdater<CallTrace> BUSY =
      AtomicIntegerFieldUpdater.newUpdater(CallTrace.class, "busy");

  private final CallOptions plainOptions;
  private final CallOptions idempotentOptions;

  /** 1 while bound to a call; claimed by compare-and-set. */
  private volatile int busy;
  /** The call being traced, published after the per-call fields; null while free. */
  private volatile Call owner;
  /** Something was recorded since the trace was last cleared. */
  private volatile boolean dirty;

  // Per call: written by the binding thread before owner is published.
  private Interceptor.Chain chain;
  private Request request;
  private Endpoint endpoint;
  private Endpoints endpoints;
  private boolean idempotent;
  private int attempt;
  /** Set by {@link #invoke()} when OkHttp stored this trace as a call's tag. */
  private boolean tagged;

  // The current attempt, guarded by this.
  private final ArrayList<Route> routes = new ArrayList<>(4);
  private Route firstFailure;
  private boolean requestSent;
  /** Like requestSent, for the whole call: every attempt, OkHttp's own retries within them. */
  private boolean requestSentInCall;
  private boolean elsewhere;
  private Endpoint elsewhereEndpoint;
  private CompletableFuture<Void> cancellation;

  CallTrace() {
    CallOptions options = CallOptions.DEFAULTS.dialled(this);
    this.plainOptions = options;
    this.idempotentOptions = options.idempotent(true);
  }

  /**
   * Returns a trace bound to {@code call} and listening to its events: the one attached to the
   * call already when it is free, else this thread's when it is free, else a new one.
   */
  static CallTrace bind(Call call, Interceptor.Chain chain, Request request, Endpoint endpoint,
      Endpoints endpoints, boolean idempotent) {
    CallTrace local = LOCAL.get();
    CallTrace offer = local.busy == 0 ? local : new CallTrace();
    offer.tagged = false;
    CallTrace trace = call.tag(CallTrace.class, offer);
    if (trace == offer && offer.tagged) {
      offer.tagged = false;
      call.addEventListener(offer);
    }
    if (trace == null || !BUSY.compareAndSet(trace, 0, 1)) {
      trace = new CallTrace();
      trace.busy = 1;
      call.addEventListener(trace);
    }
    if (trace.dirty) {
      // An event of the trace's last call that raced with unbind() left something behind.
      synchronized (trace) {
        trace.clearAttempt();
        trace.cancellation = null;
        trace.dirty = false;
      }
    }
    trace.chain = chain;
    trace.request = request;
    trace.endpoint = endpoint;
    trace.endpoints = endpoints;
    trace.idempotent = idempotent;
    trace.attempt = 0;
    trace.requestSentInCall = false;
    trace.owner = call;
    return trace;
  }

  /** Frees the trace for the next call; what it recorded is dropped. */
  void unbind() {
    owner = null;
    chain = null;
    request = null;
    endpoint = null;
    endpoints = null;
    if (dirty) {
      synchronized (this) {
        clearAttempt();
        cancellation = null;
        dirty = false;
      }
    }
    busy = 0;
  }

  /** OkHttp's {@code tag(Class, computeIfAbsent)} calls this when the call has no trace yet. */
  @Override
  public CallTrace invoke() {
    tagged = true;
    return this;
  }

  /**
   * The guard's options for this call: idempotence from the request's tag, the cancellation
   * signal, and a deadline from the call's timeout ({@code callTimeout}, or a deadline set on
   * {@link Call#timeout()}), so no retry is scheduled whose wait would outlast it.
   */
  CallOptions options(Call call) {
    CallOptions options = idempotent ? idempotentOptions : plainOptions;
    CompletableFuture<Void> cancel;
    synchronized (this) {
      cancel = cancellationFuture();
    }
    // A future of this call's own: the guard watches it as itself and keeps nothing on it.
    options = options.cancellation(cancel);
    Timeout timeout = call.timeout();
    long nanos = timeout.timeoutNanos();
    boolean bounded = nanos > 0;
    long remaining = nanos;
    if (timeout.hasDeadline()) {
      long untilDeadline = timeout.deadlineNanoTime() - System.nanoTime();
      remaining = bounded ? Math.min(remaining, untilDeadline) : untilDeadline;
      bounded = true;
    }
    return bounded ? options.deadline(Duration.ofNanos(Math.max(0, remaining))) : options;
  }

  // ----------------------------------------------------------------------- the guard's view

  /** One attempt: a fresh {@code proceed} through OkHttp's own retries and route fallback. */
  @Override
  public Response call() throws IOException {
    attempt++;
    if (dirty) {
      synchronized (this) {
        clearAttempt();
      }
    }
    try {
      return chain.proceed(request);
    } catch (IOException e) {
      if (mustNotReplay(e)) {
        throw new NotReplayable(e);
      }
      throw e;
    }
  }

  /**
   * The endpoint the failed attempt dialled, for the guard's diagnosis: the call's endpoint with
   * the address of the first route that failed, or with its proxy when it went through one; as
   * it is when no route failed. Null when OkHttp was routing to another host (a redirect), whose
   * failure is not this endpoint's.
   */
  @Override
  public Endpoint apply(Throwable failure) {
    return dialled(false);
  }

  /** Like {@link #apply}, but for a redirect's host too when {@code anyHost}. */
  synchronized Endpoint dialled(boolean anyHost) {
    Endpoint base = elsewhere ? (anyHost ? elsewhereEndpoint : null) : endpoint;
    if (base == null) {
      return null;
    }
    Route first = firstFailure;
    if (first == null) {
      return base;
    }
    if (first.proxy.type() != Proxy.Type.DIRECT) {
      // The socket dialled was the proxy's, and the proxy names it; an address here would pair
      // the proxy's host with the target's port (the guard's recovery probe dials that pair).
      return base.withProxy(first.proxy);
    }
    return base.withAddress(first.address);
  }

  /**
   * A connect-phase failure the guard must not replay: it followed a request that was already
   * written (a redirect's first leg reached its server), and the request is not idempotent; or
   * it happened on a redirect's other host, which is not the endpoint this call's breaker guards.
   */
  private boolean mustNotReplay(IOException e) {
    boolean sent;
    boolean away;
    synchronized (this) {
      sent = requestSent;
      away = elsewhere;
    }
    return (away || (sent && !idempotent)) && FailureKind.of(e).isConnectPhase();
  }

  /** Evidence of the routes the last attempt tried, or null when it tried none. */
  synchronized String routesObserved() {
    if (routes.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(96).append("attempt ").append(attempt)
        .append(": OkHttp tried ");
    Proxy proxy = null;
    for (int i = 0; i < routes.size(); i++) {
      Route r = routes.get(i);
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(socketText(r.address)).append(" (").append(r.outcome()).append(')');
      if (r.proxy.type() != Proxy.Type.DIRECT) {
        proxy = r.proxy;
      }
    }
    if (proxy == null) {
      sb.append(", directly");
    } else {
      sb.append(", through the ").append(proxy.type()).append(" proxy");
    }
    if (requestSent) {
      sb.append("; the request had been written");
    }
    return sb.toString();
  }

  /** True once OkHttp started writing a request of this call, in any attempt or its retries. */
  synchronized boolean requestSentInCall() {
    return requestSentInCall;
  }

  /** The addresses the last attempt dialled directly and failed on. */
  synchronized List<InetAddress> failedDirectAddresses() {
    List<InetAddress> out = new ArrayList<>(routes.size());
    for (Route r : routes) {
      InetAddress a = r.address.getAddress();
      if (r.failure != null && r.proxy.type() == Proxy.Type.DIRECT && a != null
          && !out.contains(a)) {
        out.add(a);
      }
    }
    return out;
  }

  private void clearAttempt() {
    routes.clear();
    firstFailure = null;
    requestSent = false;
    elsewhere = false;
    elsewhereEndpoint = null;
    dirty = cancellation != null;
  }

  // -------------------------------------------------------------------------- OkHttp's events

  @Override
  public void proxySelectStart(Call call, HttpUrl url) {
    if (owner != call) {
      return;
    }
    Endpoints known = endpoints;
    Endpoint mine = endpoint;
    Endpoint target = known == null ? null : known.get(url.host(), url.port());
    boolean away = mine == null || !mine.equals(target);
    synchronized (this) {
      if (owner == call) {
        elsewhere = away;
        elsewhereEndpoint = away ? target : null;
        dirty = true;
      }
    }
  }

  @Override
  public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
    if (owner != call) {
      return;
    }
    synchronized (this) {
      if (owner == call && routes.size() < MAX_ROUTES) {
        routes.add(new Route(address, proxy));
        dirty = true;
      }
    }
  }

  @Override
  public void connectEnd(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol) {
    if (owner != call) {
      return;
    }
    synchronized (this) {
      if (owner == call) {
        Route r = route(address, proxy);
        if (r != null) {
          r.connected = true;
        }
      }
    }
  }

  @Override
  public void connectFailed(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol,
      IOException failure) {
    if (owner != call) {
      return;
    }
    synchronized (this) {
      if (owner == call) {
        Route r = route(address, proxy);
        if (r != null) {
          r.failure = failure;
          if (firstFailure == null) {
            firstFailure = r;
          }
        }
      }
    }
  }

  @Override
  public void requestHeadersStart(Call call) {
    if (owner != call) {
      return;
    }
    synchronized (this) {
      if (owner == call) {
        requestSent = true;
        requestSentInCall = true;
        dirty = true;
      }
    }
  }

  @Override
  public void canceled(Call call) {
    if (owner != call) {
      return;
    }
    synchronized (this) {
      if (owner == call) {
        cancellationFuture().complete(null);
      }
    }
  }

  /** The open route for {@code address} and {@code proxy}, added when unseen. Holds the lock. */
  private Route route(InetSocketAddress address, Proxy proxy) {
    for (int i = routes.size() - 1; i >= 0; i--) {
      Route r = routes.get(i);
      if (r.failure == null && !r.connected && r.address.equals(address)
          && r.proxy.equals(proxy)) {
        return r;
      }
    }
    if (routes.size() >= MAX_ROUTES) {
      return null;
    }
    Route r = new Route(address, proxy);
    routes.add(r);
    dirty = true;
    return r;
  }

  /** This call's cancellation future, made on first use. Holds the lock. */
  private CompletableFuture<Void> cancellationFuture() {
    CompletableFuture<Void> f = cancellation;
    if (f == null) {
      f = new CompletableFuture<>();
      cancellation = f;
      dirty = true;
    }
    Call call = owner;
    if (call != null && call.isCanceled()) {
      // Cancelled before this trace listened, or between two attempts.
      f.complete(null);
    }
    return f;
  }

  private static String socketText(InetSocketAddress address) {
    InetAddress a = address.getAddress();
    return a == null ? address.getHostString() + ":" + address.getPort()
        : HostSyntax.socketText(a, address.getPort());
  }

  /** One route an attempt tried: an address, through a proxy or directly. */
  private static final class Route {
    final InetSocketAddress address;
    final Proxy proxy;
    IOException failure;
    boolean connected;

    Route(InetSocketAddress address, Proxy proxy) {
      this.address = address;
      this.proxy = proxy;
    }

    String outcome() {
      if (connected) {
        return "connected";
      }
      if (failure == null) {
        return "abandoned";
      }
      return FailureKind.of(failure).name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  /**
   * Carries a failure out of the guard without letting it be replayed: the guard sees a failure
   * of kind OTHER, which it neither retries nor counts, and the interceptor rethrows the
   * original.
   */
  static final class NotReplayable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient IOException original;

    NotReplayable(IOException original) {
      super("not replayed: the request had been written, or the failure was on a redirect's host",
          null, false, false);
      this.original = original;
    }
  }
}
