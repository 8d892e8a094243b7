package dev.refusal.jdkhttp;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.RefusalCause;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;

/** Turns what the guard gave up with into what a caller of {@code HttpClient} expects. */
final class Failures {

  private Failures() {}

  /**
   * What {@code send} or {@code sendAsync} reports for a failure the guard gave up on (or a call
   * its open circuit rejected):
   *
   * <ul>
   *   <li>a connect timeout stays an {@link HttpConnectTimeoutException}, the type the JDK
   *       documents for it, carrying the diagnosis as its message and the {@link
   *       DiagnosedConnectException} as its cause;
   *   <li>an address-family mismatch on a host name says that the JDK client does not try the
   *       host's other addresses;
   *   <li>anything else is the guard's exception, unchanged.
   * </ul>
   */
  static IOException translate(DiagnosedConnectException e) {
    DiagnosedConnectException d = withJdkNote(e);
    if (d.getCause() instanceof HttpConnectTimeoutException) {
      HttpConnectTimeoutException timeout = new HttpConnectTimeoutException(d.getMessage());
      timeout.initCause(d);
      return timeout;
    }
    return d;
  }

  /** {@link #translate(DiagnosedConnectException)} for any failure; others are unchanged. */
  static Throwable translate(Throwable failure) {
    return failure instanceof DiagnosedConnectException
        ? translate((DiagnosedConnectException) failure) : failure;
  }

  /**
   * True when the guard's wait before a retry was ended by an interrupt: it then restored the
   * thread's interrupt flag and added the {@link InterruptedException} to the last failure.
   */
  static boolean interruptedWhileWaiting(DiagnosedConnectException e) {
    if (!Thread.currentThread().isInterrupted()) {
      return false;
    }
    for (Throwable suppressed : e.getSuppressed()) {
      if (suppressed instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  /**
   * What {@code send} throws when an interrupt ended its wait before a retry: the {@link
   * InterruptedException} that {@code HttpClient.send} declares, with the last failure
   * (translated) as its cause. The interrupt flag stays set.
   */
  static InterruptedException interrupted(DiagnosedConnectException e) {
    IOException last = translate(e);
    InterruptedException interrupted = new InterruptedException(
        "interrupted while waiting to retry; the last attempt failed: " + last.getMessage());
    interrupted.initCause(last);
    return interrupted;
  }

  /**
   * The exception with a note on the JDK client's way of dialling, when it matters: the host
   * name has several addresses, one in the other family accepts, and the JDK dials the first
   * address only. A name with one address gets no note: there is nothing else to try. Calls
   * rejected by an open circuit (no cause) are left as they are.
   */
  private static DiagnosedConnectException withJdkNote(DiagnosedConnectException e) {
    Diagnosis d = e.diagnosis();
    if (d == null || e.getCause() == null || d.cause() != RefusalCause.ADDRESS_FAMILY_MISMATCH
        || d.endpoint().isIpLiteral() || addressCount(d.endpoint().host()) < 2) {
      return e;
    }
    String summary = d.summary();
    if (summary.endsWith(".")) {
      summary = summary.substring(0, summary.length() - 1);
    }
    Diagnosis noted = d.withSummary(summary + "; the JDK HttpClient dials only the first address "
        + d.endpoint().host() + " resolves to and never tries the others");
    DiagnosedConnectException out = new DiagnosedConnectException(noted, e.getCause());
    for (Throwable suppressed : e.getSuppressed()) {
      out.addSuppressed(suppressed);
    }
    return out;
  }

  /**
   * How many addresses the JVM gives for {@code host}; the wrapper resolved it moments ago, so
   * this is an answer from the JVM's address cache. 0 when it does not resolve now.
   */
  private static int addressCount(String host) {
    try {
      return InetAddress.getAllByName(host).length;
    } catch (UnknownHostException | SecurityException e) {
      return 0;
    }
  }
}
