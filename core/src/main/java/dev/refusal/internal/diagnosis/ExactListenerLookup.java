package dev.refusal.internal.diagnosis;

import java.util.List;

/**
 * Asks the kernel who listens on one TCP port, without reading the whole socket table. Linux
 * answers through NETLINK_SOCK_DIAG (as {@code ss} does): with a LISTEN-only filter the kernel
 * never walks the established and TIME_WAIT sockets, so the answer takes tens of microseconds
 * on a host where {@code /proc/net/tcp} takes tens of milliseconds.
 *
 * <p>Java reaches netlink only through native code. The implementation uses the FFM API, so it
 * exists only on JDK 22 and later, and it is used only where the application granted native
 * access ({@code --enable-native-access=dev.refusal}, or {@code =ALL-UNNAMED} on the class
 * path): without that grant the JDK prints a warning for native calls, and a library must not
 * make its users' JVMs print warnings. Everywhere else {@link #system()} is null and the
 * listener table is read from {@code /proc}. Implementations are thread-safe.
 */
public interface ExactListenerLookup {

  /** The system property that turns the lookup off when set to {@code false}. */
  String ENABLED_PROPERTY = "refusal.sockdiag";

  /**
   * The LISTEN sockets on {@code port}, IPv4 and IPv6; null when the kernel did not answer
   * before {@code deadlineNanos} (by {@link System#nanoTime()}) or refused the request, so the
   * caller falls back to the table. Never throws.
   */
  List<ListenerTable.Row> listenersOn(int port, long deadlineNanos);

  /** What answers, for evidence: "netlink sock_diag". */
  String describe();

  /**
   * This machine's exact lookup, or null when there is none here: not Linux on x86-64 or arm64,
   * a JDK before 22, no native access granted, the property {@value #ENABLED_PROPERTY} set to
   * {@code false}, or a kernel without sock_diag (gVisor, WSL1). The first call loads it, which
   * takes a few hundred milliseconds (native linking); later calls return at once.
   */
  static ExactListenerLookup system() {
    return ExactLookupLoader.load();
  }

  /**
   * This machine's exact lookup once it is loaded; until then null, and loading begins on a
   * thread of its own, so no caller waits for it.
   */
  static ExactListenerLookup systemIfLoaded() {
    return ExactLookupLoader.loadedOrStart();
  }
}
