package dev.refusal.internal;

import dev.refusal.FailureKind;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * The classifier behind {@link FailureKind#of(Throwable)}.
 *
 * <p>Types decide first, because messages come from {@code strerror} and may be localized; the
 * message then refines a type that is ambiguous (a {@code ConnectException} says "timed out" for
 * {@code ETIMEDOUT}). A bare {@code ConnectException} is only weak evidence of a refusal: the
 * search goes on down the chain for something more specific, and settles for the weak answer when
 * nothing better turns up. This is why OkHttp's "Failed to connect to ..." wrapper and the JDK
 * client's message-less chain both come out right.
 *
 * <p>The walk is bounded in steps rather than tracked in a visited set, so it allocates nothing
 * and a cause cycle simply runs into the bound.
 */
public final class FailureClassifier {

  /** Steps along one cause chain; deeper causes are not looked at. */
  static final int MAX_CHAIN = 256;
  /** Levels of suppressed exceptions followed (suppressed of suppressed of ...). */
  static final int MAX_SUPPRESSED_DEPTH = 2;
  /** Messages longer than this are searched only in their head. */
  static final int MAX_MESSAGE = 2_048;

  // Results of examining a single throwable.
  private static final int NONE = -1;
  private static final int WEAK_REFUSED = -2;

  private static final FailureKind[] KINDS = FailureKind.values();

  private FailureClassifier() {}

  /** Classifies {@code failure}; never throws. */
  public static FailureKind classify(Throwable failure) {
    if (failure == null) {
      return FailureKind.OTHER;
    }
    int result = classifyTree(failure, 0);
    if (result >= 0) {
      return KINDS[result];
    }
    return result == WEAK_REFUSED ? FailureKind.REFUSED : FailureKind.OTHER;
  }

  /** Returns a kind ordinal for strong evidence, else {@link #WEAK_REFUSED} or {@link #NONE}. */
  private static int classifyTree(Throwable root, int suppressedDepth) {
    boolean weak = false;
    Throwable node = root;
    for (int i = 0; i < MAX_CHAIN && node != null; i++) {
      int r = examine(node);
      if (r >= 0) {
        return r;
      }
      weak |= r == WEAK_REFUSED;
      Throwable next = causeOf(node);
      if (next == node) {
        break;
      }
      node = next;
    }
    if (suppressedDepth < MAX_SUPPRESSED_DEPTH) {
      // Only reached when the cause chain held no strong evidence, so the array copy that
      // getSuppressed() makes stays off the common path.
      node = root;
      for (int i = 0; i < MAX_CHAIN && node != null; i++) {
        Throwable[] suppressed = suppressedOf(node);
        for (Throwable s : suppressed) {
          if (s == null || s == root) {
            continue;
          }
          int r = classifyTree(s, suppressedDepth + 1);
          if (r >= 0) {
            return r;
          }
          weak |= r == WEAK_REFUSED;
        }
        Throwable next = causeOf(node);
        if (next == node) {
          break;
        }
        node = next;
      }
    }
    return weak ? WEAK_REFUSED : NONE;
  }

  private static int examine(Throwable t) {
    if (t instanceof ConnectException) {
      if (t instanceof NoRouteToHostException) {
        return FailureKind.NO_ROUTE_TO_HOST.ordinal();
      }
      String m = messageOf(t);
      if (m != null) {
        if (m.contains("onnection refused")) {
          return FailureKind.REFUSED.ordinal();
        }
        if (m.contains("timed out")) {
          return FailureKind.CONNECT_TIMEOUT.ordinal();
        }
        if (m.contains("nreachable")) {
          return FailureKind.NETWORK_UNREACHABLE.ordinal();
        }
      }
      return WEAK_REFUSED;
    }
    if (t instanceof SocketTimeoutException) {
      String m = messageOf(t);
      // "Connect timed out" (JDK 17+), "connect timed out" (older JDKs); anything else is a
      // read or write timeout on an established connection.
      return m != null && m.contains("onnect timed out")
          ? FailureKind.CONNECT_TIMEOUT.ordinal()
          : FailureKind.OTHER.ordinal();
    }
    if (t instanceof HttpConnectTimeoutException) {
      return FailureKind.CONNECT_TIMEOUT.ordinal();
    }
    if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
      return FailureKind.UNKNOWN_HOST.ordinal();
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
    if (t instanceof IOException) {
      return examineMessage(messageOf(t), t instanceof SocketException);
    }
    return NONE;
  }

  private static int examineMessage(String m, boolean socket) {
    if (m == null) {
      return NONE;
    }
    if (m.contains("oo many open files")) {
      return FailureKind.LOCAL_FD_EXHAUSTED.ordinal();
    }
    if (m.contains("onnection refused")) {
      return FailureKind.REFUSED.ordinal();
    }
    if (m.contains("onnection reset") || m.contains("roken pipe")
        || m.contains("unexpected end of stream") || m.contains("received no bytes")) {
      return FailureKind.RESET.ordinal();
    }
    if (socket) {
      if (m.contains("etwork is unreachable") || m.contains("etwork unreachable")) {
        return FailureKind.NETWORK_UNREACHABLE.ordinal();
      }
      if (m.contains("o route to host") || m.contains("ost is unreachable")) {
        return FailureKind.NO_ROUTE_TO_HOST.ordinal();
      }
      if (m.contains("annot assign requested address")) {
        return FailureKind.LOCAL_ADDRESS_UNAVAILABLE.ordinal();
      }
      if (m.contains("onnect timed out") || m.contains("onnection timed out")) {
        return FailureKind.CONNECT_TIMEOUT.ordinal();
      }
    }
    return NONE;
  }

  // Throwable's accessors are overridable; a hostile or broken override must not escape.

  private static String messageOf(Throwable t) {
    String m;
    try {
      m = t.getMessage();
    } catch (Throwable ignored) {
      return null;
    }
    if (m != null && m.length() > MAX_MESSAGE) {
      m = m.substring(0, MAX_MESSAGE);
    }
    return m;
  }

  private static Throwable causeOf(Throwable t) {
    try {
      return t.getCause();
    } catch (Throwable ignored) {
      return null;
    }
  }

  private static final Throwable[] NO_THROWABLES = new Throwable[0];

  private static Throwable[] suppressedOf(Throwable t) {
    try {
      Throwable[] s = t.getSuppressed();
      return s == null ? NO_THROWABLES : s;
    } catch (Throwable ignored) {
      return NO_THROWABLES;
    }
  }
}
