package dev.refusal.internal;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.FailureKind;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.concurrent.CancellationException;

/**
 * The classifier behind {@link FailureKind#of(Throwable)}.
 *
 * <p>Types decide first, because messages come from {@code strerror} and may be localized; the
 * message then refines a type that is ambiguous (a {@code ConnectException} says "timed out" for
 * {@code ETIMEDOUT}). A bare {@code ConnectException} is only weak evidence of a refusal: the
 * search goes on down the chain for something more specific, and settles for the weak answer when
 * nothing better turns up. This is why OkHttp's "Failed to connect to ..." wrapper and the JDK
 * client's message-less chain ({@code ConnectException: null <- ConnectException: null <-
 * ClosedChannelException}) both come out right.
 *
 * <p>A cancellation (a cancelled future, an interrupt, OkHttp's {@code IOException("Canceled")})
 * is strong evidence found in the first pass, so the outermost one decides: what it carries as
 * its cause or suppressed (the refused route before the cancel) does not turn it into a refusal.
 *
 * <p>The search runs in up to three passes, each only when the one before found nothing strong:
 *
 * <ol>
 *   <li>the cause chain, outside in, by type, reading only the messages of exceptions whose type
 *       already says "network" ({@code ConnectException}'s refused or timed out, a {@code
 *       SocketException}'s {@code strerror} text), and a plain {@code IOException}'s message only
 *       for being exactly OkHttp's "Canceled";
 *   <li>the chain again, reading what the first pass put off: the rarer {@code errno} texts of a
 *       {@code ConnectException}, and the messages of plain {@code IOException} wrappers, which
 *       often repeat their cause's ("java.net.SocketException: Too many open files") but may say
 *       anything; typed evidence anywhere in the chain therefore outranks a wrapper's words;
 *   <li>the suppressed exceptions hanging off the chain, only when the chain held no evidence at
 *       all, not even a bare {@code ConnectException}: the failure a client reports as primary
 *       decides, and what it suppressed (OkHttp's other routes, earlier attempts, failed closes)
 *       is a fallback. This also keeps {@code getSuppressed()}, which locks and copies, off the
 *       common path.
 * </ol>
 *
 * <p>Nothing is allocated: cycles are found with Brent's algorithm (two references, no visited
 * set), and every classification is capped at {@link #MAX_VISITS} exceptions looked at, shared
 * across passes and suppressed exceptions, so a hostile graph costs a bounded amount of work.
 * The walk state (budget left and outcome) travels packed in one {@code int}.
 */
public final class FailureClassifier {

  /**
   * Exceptions looked at per classification, counting a node again each time a pass revisits it:
   * enough for all three passes over a 10,000-deep chain.
   */
  static final int MAX_VISITS = 32_768;
  /** Levels of suppressed exceptions followed (suppressed of suppressed, and no deeper). */
  static final int MAX_SUPPRESSED_DEPTH = 2;
  /** Messages longer than this are searched only in their head. */
  static final int MAX_MESSAGE = 2_048;

  // Outcomes of examining one throwable or a whole tree: a kind's ordinal, or one of these.
  /** Nothing learned. */
  private static final int NONE = 0xFF;
  /** A bare {@code ConnectException}. */
  private static final int WEAK_REFUSED = 0xFE;
  /** A plain {@code IOException} whose message the second pass reads. */
  private static final int DEFERRED = 0xFD;
  /** A {@code ConnectException} whose message the second pass reads again. */
  private static final int WEAK_DEFERRED = 0xFC;
  private static final int OUTCOME_BITS = 8;
  private static final int OUTCOME_MASK = 0xFF;

  private static final FailureKind[] KINDS = FailureKind.values();
  private static final Throwable[] NO_THROWABLES = new Throwable[0];

  private FailureClassifier() {}

  /** Classifies {@code failure}; never throws. */
  public static FailureKind classify(Throwable failure) {
    if (failure == null) {
      return FailureKind.OTHER;
    }
    int outcome;
    try {
      outcome = outcome(walk(failure, 0, MAX_VISITS));
    } catch (Throwable unexpected) {
      // Every accessor is already guarded; this catches what no guard can, such as a
      // StackOverflowError when called with the stack nearly exhausted.
      return FailureKind.OTHER;
    }
    if (outcome == WEAK_REFUSED) {
      return FailureKind.REFUSED;
    }
    return outcome == NONE ? FailureKind.OTHER : KINDS[outcome];
  }

  /**
   * Runs the three passes over {@code root}'s chain.
   *
   * @return {@code (budget left << OUTCOME_BITS) | outcome}, the outcome being a kind's ordinal,
   *     {@link #WEAK_REFUSED} or {@link #NONE}
   */
  private static int walk(Throwable root, int suppressedDepth, int budget) {
    boolean weak = false;
    boolean deferred = false;

    // Pass 1: types, and the messages of network types.
    Throwable node = root;
    Throwable mark = root;
    int sinceMark = 0;
    int window = 1;
    while (node != null && budget > 0) {
      budget--;
      int r = examine(node);
      if (isStrong(r)) {
        return pack(budget, r);
      }
      weak |= r == WEAK_REFUSED || r == WEAK_DEFERRED;
      deferred |= r == DEFERRED || r == WEAK_DEFERRED;
      Throwable next = causeOf(node);
      if (next == mark) {
        break; // back at an exception already examined: a cycle
      }
      if (++sinceMark == window) {
        mark = next;
        window <<= 1;
        sinceMark = 0;
      }
      node = next;
    }

    // Pass 2: the messages pass 1 put off.
    if (deferred) {
      node = root;
      mark = root;
      sinceMark = 0;
      window = 1;
      while (node != null && budget > 0) {
        budget--;
        int r = examineDeferred(node);
        if (isStrong(r)) {
          return pack(budget, r);
        }
        Throwable next = causeOf(node);
        if (next == mark) {
          break;
        }
        if (++sinceMark == window) {
          mark = next;
          window <<= 1;
          sinceMark = 0;
        }
        node = next;
      }
    }
    if (weak) {
      return pack(budget, WEAK_REFUSED);
    }

    // Pass 3: suppressed exceptions, for a chain that held no evidence at all.
    if (suppressedDepth < MAX_SUPPRESSED_DEPTH) {
      node = root;
      mark = root;
      sinceMark = 0;
      window = 1;
      while (node != null && budget > 0) {
        budget--;
        for (Throwable s : suppressedOf(node)) {
          if (budget <= 0) {
            break;
          }
          if (s == null) {
            continue;
          }
          int packed = walk(s, suppressedDepth + 1, budget);
          budget = budgetOf(packed);
          int r = outcome(packed);
          if (isStrong(r)) {
            return pack(budget, r);
          }
          weak |= r == WEAK_REFUSED;
        }
        Throwable next = causeOf(node);
        if (next == mark) {
          break;
        }
        if (++sinceMark == window) {
          mark = next;
          window <<= 1;
          sinceMark = 0;
        }
        node = next;
      }
    }
    return pack(budget, weak ? WEAK_REFUSED : NONE);
  }

  private static boolean isStrong(int outcome) {
    return outcome < WEAK_DEFERRED;
  }

  private static int pack(int budget, int outcome) {
    return budget << OUTCOME_BITS | outcome;
  }

  private static int budgetOf(int packed) {
    return packed >>> OUTCOME_BITS;
  }

  private static int outcome(int packed) {
    return packed & OUTCOME_MASK;
  }

  /** Pass 1: decides by type, reading only the messages of network types. */
  private static int examine(Throwable t) {
    if (t instanceof DiagnosedConnectException) {
      // Its message is free prose (a host named "unreachable-db", a summary that says
      // "unreachable"); the diagnosis already holds the kind.
      Diagnosis d = ((DiagnosedConnectException) t).diagnosis();
      if (d != null) {
        return d.kind().ordinal();
      }
    }
    if (t instanceof ConnectException) {
      // The JDK throws it for ECONNREFUSED, ETIMEDOUT and ENOTCONN; HttpClient and OkHttp also
      // use it to wrap other connect failures, sometimes copying the cause's message.
      String m = messageOf(t);
      if (m == null) {
        return WEAK_REFUSED;
      }
      if (has(m, "onnection refused")) {
        return FailureKind.REFUSED.ordinal();
      }
      if (has(m, "timed out")) {
        return FailureKind.CONNECT_TIMEOUT.ordinal();
      }
      return WEAK_DEFERRED;
    }
    if (t instanceof SocketTimeoutException) {
      String m = messageOf(t);
      // "Connect timed out" (JDK 13+), "connect timed out" (older JDKs); anything else is a
      // read or write timeout on an established connection.
      return m != null && has(m, "onnect timed out")
          ? FailureKind.CONNECT_TIMEOUT.ordinal()
          : FailureKind.OTHER.ordinal();
    }
    if (t instanceof InterruptedIOException || t instanceof ClosedByInterruptException) {
      // An interrupted blocking read or write, or OkHttp's call timeout, which cancels the call.
      return FailureKind.CANCELED.ordinal();
    }
    if (t instanceof HttpTimeoutException) {
      // The JDK client's request timeout may carry the local close it caused as its cause
      // ("header parser received no bytes"); that is the timeout's doing, not a reset.
      return t instanceof HttpConnectTimeoutException
          ? FailureKind.CONNECT_TIMEOUT.ordinal()
          : FailureKind.OTHER.ordinal();
    }
    if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
      return FailureKind.UNKNOWN_HOST.ordinal();
    }
    if (t instanceof UnsupportedAddressTypeException) {
      // A channel's (and so the JDK client's) form of EAFNOSUPPORT.
      return FailureKind.ADDRESS_FAMILY_UNAVAILABLE.ordinal();
    }
    if (t instanceof NoRouteToHostException) {
      return FailureKind.NO_ROUTE_TO_HOST.ordinal();
    }
    if (t instanceof BindException) {
      return FailureKind.LOCAL_ADDRESS_UNAVAILABLE.ordinal();
    }
    if (t instanceof EOFException) {
      return FailureKind.RESET.ordinal();
    }
    if (t instanceof SocketException) {
      return examineMessage(messageOf(t), true);
    }
    if (t instanceof IOException) {
      String m = messageOf(t);
      if (m == null) {
        return NONE;
      }
      // OkHttp's exact words for a cancelled call ("canceled" from its DNS): no wrapper of
      // another failure says only that.
      return m.equals("Canceled") || m.equals("canceled")
          ? FailureKind.CANCELED.ordinal()
          : DEFERRED;
    }
    if (t instanceof CancellationException || t instanceof InterruptedException) {
      return FailureKind.CANCELED.ordinal();
    }
    return NONE;
  }

  /** Pass 2: reads the messages {@link #examine} put off. */
  private static int examineDeferred(Throwable t) {
    if (t instanceof ConnectException) {
      String m = messageOf(t);
      return m == null ? NONE : errnoIn(m);
    }
    if (t instanceof IOException && !(t instanceof SocketException)) {
      return examineMessage(messageOf(t), false);
    }
    return NONE;
  }

  /**
   * Reads an {@code IOException}'s message. Wrappers often carry their cause's {@code toString()}
   * ("java.net.SocketException: Too many open files"), so plain {@code IOException}s are read for
   * the unmistakable phrases; the network-only phrases count only on a {@code SocketException},
   * and an unrecognized wrapper lets the walk go on to its cause.
   */
  private static int examineMessage(String m, boolean socket) {
    if (m == null) {
      return NONE;
    }
    if (has(m, "oo many open files")) {
      return FailureKind.LOCAL_FD_EXHAUSTED.ordinal();
    }
    if (has(m, "onnection refused")) {
      return FailureKind.REFUSED.ordinal();
    }
    if (has(m, "onnection reset") || has(m, "roken pipe") || has(m, "onnection abort")
        || has(m, "unexpected end of stream") || has(m, "received no bytes")) {
      return FailureKind.RESET.ordinal();
    }
    if (socket) {
      if (has(m, "onnect timed out") || has(m, "onnection timed out")) {
        return FailureKind.CONNECT_TIMEOUT.ordinal();
      }
      return errnoIn(m);
    }
    return NONE;
  }

  /**
   * The {@code strerror} texts of connect errors other than refusal and timeout. Every phrase
   * holds a space, so a host name in a wrapper's message ("Failed to connect to
   * unreachable.example/...") cannot match one.
   */
  private static int errnoIn(String m) {
    if (has(m, "oo many open files")) {
      return FailureKind.LOCAL_FD_EXHAUSTED.ordinal();
    }
    if (has(m, "annot assign requested address")) {
      return FailureKind.LOCAL_ADDRESS_UNAVAILABLE.ordinal();
    }
    if (has(m, "etwork is unreachable") || has(m, "etwork unreachable")) {
      return FailureKind.NETWORK_UNREACHABLE.ordinal();
    }
    if (has(m, "o route to host") || has(m, "ost is unreachable")) {
      return FailureKind.NO_ROUTE_TO_HOST.ordinal();
    }
    // EAFNOSUPPORT: the JDK's own text ("Protocol family unavailable", "IPv6 protocol family
    // unavailable" from JDK 25), glibc's, and the BSDs'.
    if (has(m, "rotocol family unavailable") || has(m, "ddress family not supported")
        || has(m, "rotocol family not supported")) {
      return FailureKind.ADDRESS_FAMILY_UNAVAILABLE.ordinal();
    }
    return NONE;
  }

  /** {@code m.contains(phrase)}, but looking only at the head of a huge message, without a copy. */
  private static boolean has(String m, String phrase) {
    if (m.length() <= MAX_MESSAGE) {
      return m.contains(phrase);
    }
    int n = phrase.length();
    char first = phrase.charAt(0);
    for (int i = 0, last = MAX_MESSAGE - n; i <= last; i++) {
      if (m.charAt(i) == first && m.regionMatches(i, phrase, 0, n)) {
        return true;
      }
    }
    return false;
  }

  // Throwable's accessors are overridable; a hostile or broken override must not escape.

  private static String messageOf(Throwable t) {
    try {
      return t.getMessage();
    } catch (Throwable ignored) {
      return null;
    }
  }

  private static Throwable causeOf(Throwable t) {
    try {
      return t.getCause();
    } catch (Throwable ignored) {
      return null;
    }
  }

  private static Throwable[] suppressedOf(Throwable t) {
    try {
      Throwable[] s = t.getSuppressed();
      return s == null ? NO_THROWABLES : s;
    } catch (Throwable ignored) {
      return NO_THROWABLES;
    }
  }
}
