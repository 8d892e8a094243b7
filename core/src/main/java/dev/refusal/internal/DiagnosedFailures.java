package dev.refusal.internal;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Puts a diagnosis on a failure without changing the type its callers catch, and finds it again.
 *
 * <ul>
 *   <li>a {@code ConnectException}, {@code SocketException} or {@code IOException} of exactly
 *       that class becomes a {@link DiagnosedConnectException} (a subtype of all three);
 *   <li>a JDK type with nothing but a message ({@code SocketTimeoutException}, {@code
 *       UnknownHostException}, {@code NoRouteToHostException}, {@code BindException}, {@code
 *       PortUnreachableException}, {@code HttpConnectTimeoutException}) is made again, the same
 *       class, its message followed by the diagnosis headline (or the headline alone, when it
 *       starts with that message), the original as its cause and its stack trace the original's;
 *   <li>any other type (a client's own subclass) is itself returned, with the diagnosis attached
 *       as a suppressed exception: its message cannot change, its type must not.
 * </ul>
 *
 * <p>Never throws for a non-null failure and diagnosis; thread-safe.
 */
public final class DiagnosedFailures {

  private static final Map<Class<?>, Function<String, Throwable>> REMADE = Map.of(
      SocketTimeoutException.class, SocketTimeoutException::new,
      UnknownHostException.class, UnknownHostException::new,
      NoRouteToHostException.class, NoRouteToHostException::new,
      BindException.class, BindException::new,
      PortUnreachableException.class, PortUnreachableException::new,
      HttpConnectTimeoutException.class, HttpConnectTimeoutException::new);

  /** Enough for any real chain; a hostile one ends the search, never the caller. */
  private static final int MAX_VISITS = 256;

  private DiagnosedFailures() {}

  /** {@code failure} carrying {@code d}, of a type every catch block for it still matches. */
  public static Throwable withDiagnosis(Throwable failure, Diagnosis d) {
    if (failure instanceof DiagnosedConnectException) {
      return rediagnosed(failure, d);
    }
    Class<?> type = failure.getClass();
    if (type.isAssignableFrom(DiagnosedConnectException.class)) {
      return new DiagnosedConnectException(d, failure);
    }
    Function<String, Throwable> remake = REMADE.get(type);
    if (remake != null) {
      try {
        return remade(remake, failure, d);
      } catch (RuntimeException unexpected) {
        // A throwable that will not take a cause or a stack: attach instead.
      }
    }
    return attached(failure, d);
  }

  /**
   * The same failure as {@code diagnosed} (which {@link #withDiagnosis} made) with {@code newer}
   * in place of its diagnosis, and every suppressed exception kept but the old diagnosis.
   */
  public static Throwable rediagnosed(Throwable diagnosed, Diagnosis newer) {
    if (diagnosed instanceof DiagnosedConnectException) {
      DiagnosedConnectException e = (DiagnosedConnectException) diagnosed;
      if (e.isRejection()) {
        return e;
      }
      return copySuppressed(e, new DiagnosedConnectException(newer, e.getCause()));
    }
    AttachedDiagnosis a = attachmentOn(diagnosed);
    if (a == null) {
      return withDiagnosis(diagnosed, newer);
    }
    if (a.original() == diagnosed) {
      a.replace(newer);
      return diagnosed;
    }
    Throwable again = withDiagnosis(a.original(), newer);
    return copySuppressed(diagnosed, again);
  }

  /**
   * The client's own failure behind {@code diagnosed}: the cause of a {@link
   * DiagnosedConnectException} or of a failure made again, else {@code diagnosed} itself.
   */
  public static Throwable original(Throwable diagnosed) {
    if (diagnosed instanceof DiagnosedConnectException) {
      Throwable cause = diagnosed.getCause();
      return cause == null ? diagnosed : cause;
    }
    AttachedDiagnosis a = attachmentOn(diagnosed);
    return a == null ? diagnosed : a.original();
  }

  /**
   * The first diagnosis in {@code t}'s causes and suppressed exceptions, breadth first; a cycle
   * or a hostile chain ends the search. Never throws.
   */
  public static Optional<Diagnosis> find(Throwable t) {
    if (t == null) {
      return Optional.empty();
    }
    try {
      Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      ArrayDeque<Throwable> queue = new ArrayDeque<>();
      queue.add(t);
      while (!queue.isEmpty() && seen.size() < MAX_VISITS) {
        Throwable next = queue.poll();
        if (!seen.add(next)) {
          continue;
        }
        Diagnosis d = diagnosisOf(next);
        if (d != null) {
          return Optional.of(d);
        }
        Throwable cause = next.getCause();
        if (cause != null) {
          queue.add(cause);
        }
        for (Throwable s : next.getSuppressed()) {
          if (s != null) {
            queue.add(s);
          }
        }
      }
    } catch (RuntimeException | StackOverflowError hostile) {
      // A getCause() or getSuppressed() that throws: what was found so far is all there is.
    }
    return Optional.empty();
  }

  private static Diagnosis diagnosisOf(Throwable t) {
    if (t instanceof DiagnosedConnectException) {
      return ((DiagnosedConnectException) t).diagnosis();
    }
    return t instanceof AttachedDiagnosis ? ((AttachedDiagnosis) t).diagnosis() : null;
  }

  private static Throwable remade(Function<String, Throwable> remake, Throwable failure,
      Diagnosis d) {
    String message = failure.getMessage();
    String headline = d.headline();
    // The headline starts with the kind's words ("Connect timed out: …"); a message that says
    // only those is not repeated.
    Throwable out = remake.apply(message == null || message.isEmpty()
        || headline.regionMatches(true, 0, message, 0, message.length())
        ? headline : message + " — " + headline);
    out.initCause(failure);
    out.setStackTrace(failure.getStackTrace());
    out.addSuppressed(new AttachedDiagnosis(d, failure));
    return out;
  }

  private static Throwable attached(Throwable failure, Diagnosis d) {
    AttachedDiagnosis a = attachmentOn(failure);
    if (a != null && a.original() == failure) {
      a.replace(d);
    } else {
      failure.addSuppressed(new AttachedDiagnosis(d, failure));
    }
    return failure;
  }

  private static AttachedDiagnosis attachmentOn(Throwable t) {
    for (Throwable s : t.getSuppressed()) {
      if (s instanceof AttachedDiagnosis) {
        return (AttachedDiagnosis) s;
      }
    }
    return null;
  }

  private static Throwable copySuppressed(Throwable from, Throwable to) {
    for (Throwable s : from.getSuppressed()) {
      if (!(s instanceof AttachedDiagnosis) && s != to) {
        to.addSuppressed(s);
      }
    }
    return to;
  }
}
