package dev.refusal.jdkhttp;

import dev.refusal.Diagnosis;
import dev.refusal.RefusalCause;
import dev.refusal.internal.DiagnosedFailures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Turns what the guard gave up with into what a caller of {@code HttpClient} expects. */
final class Failures {

  private Failures() {}

  /**
   * What {@code send} or {@code sendAsync} reports for a failure the guard gave up on (or a call
   * its open circuit rejected): the guard's exception, which keeps the JDK's type (a refusal's
   * {@code ConnectException} as a {@code DiagnosedConnectException}, an {@code
   * HttpConnectTimeoutException} as one with the diagnosis in its message); an address-family
   * mismatch on a host name also says that the JDK client does not try the host's other
   * addresses. Anything undiagnosed is unchanged.
   */
  static Throwable translate(Throwable failure) {
    Diagnosis d = Diagnosis.find(failure).orElse(null);
    if (d == null || !needsJdkNote(d)) {
      return failure;
    }
    String summary = d.summary();
    if (summary.endsWith(".")) {
      summary = summary.substring(0, summary.length() - 1);
    }
    Diagnosis noted = d.withSummary(summary + "; the JDK HttpClient dials only the first address "
        + d.endpoint().host() + " resolves to and never tries the others");
    return DiagnosedFailures.rediagnosed(failure, noted);
  }

  /** {@link #translate(Throwable)} for a failure {@code send} may throw as it is. */
  static IOException translate(IOException failure) {
    Throwable out = translate((Throwable) failure);
    return out instanceof IOException ? (IOException) out : failure;
  }

  /**
   * True when the guard's wait before a retry was ended by an interrupt: it then restored the
   * thread's interrupt flag and added the {@link InterruptedException} to the last failure.
   */
  static boolean interruptedWhileWaiting(IOException e) {
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
  static InterruptedException interrupted(IOException e) {
    IOException last = translate(e);
    InterruptedException interrupted = new InterruptedException(
        "interrupted while waiting to retry; the last attempt failed: " + last.getMessage());
    interrupted.initCause(last);
    return interrupted;
  }

  /**
   * The JDK client's way of dialling matters when the host name has several addresses, one in
   * the other family accepts, and the JDK dials the first address only. A name with one address
   * gets no note: there is nothing else to try.
   */
  private static boolean needsJdkNote(Diagnosis d) {
    return d.cause() == RefusalCause.ADDRESS_FAMILY_MISMATCH && !d.endpoint().isIpLiteral()
        && addressCount(d.endpoint().host()) >= 2;
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
