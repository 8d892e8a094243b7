package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.Endpoint;
import dev.refusal.HostResolver;
import dev.refusal.RefusalCause;
import dev.refusal.internal.HostSyntax;
import dev.refusal.internal.diagnosis.SystemView.Dial;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;

/**
 * The probes a diagnosis may run against the failed endpoint: bare dials of its port, lookups of
 * its name, the listener table, a re-probe after a pause, and the endpoint's history.
 *
 * <p>Every dial, lookup and table read checks the deadline before it starts and gives up (null,
 * or {@link Dial#FAILED}) once it has passed; dials go only where the diagnoser's probeTargets
 * allows. Each probe notes what it saw in the {@link Findings}; the re-probes and the history
 * also conclude RESTARTING when they prove it. Not thread-safe; one instance per diagnosis.
 */
final class ProbeKit {

  /** Other addresses of a name dialled at most, so that a large pool is never swept. */
  static final int MAX_ADDRESS_PROBES = 4;

  private final Endpoint endpoint;
  private final int port;
  private final SystemView system;
  private final HostResolver resolver;
  private final DiagnosisRun.Bounded bounded;
  private final DiagnosisRun.Settings settings;
  private final Findings findings;
  private final long lastSuccessAgoNanos;

  private List<InetAddress> addresses = Collections.emptyList();
  private int dials;

  /** @param lastSuccessAgoNanos how long ago this endpoint last answered, or -1 if never seen */
  ProbeKit(Endpoint endpoint, SystemView system, HostResolver resolver,
      DiagnosisRun.Bounded bounded, DiagnosisRun.Settings settings, Findings findings,
      long lastSuccessAgoNanos) {
    this.endpoint = endpoint;
    this.port = endpoint.port();
    this.system = system;
    this.resolver = resolver;
    this.bounded = bounded;
    this.settings = settings;
    this.findings = findings;
    this.lastSuccessAgoNanos = lastSuccessAgoNanos;
  }

  /**
   * The address the client dialled: given, or resolved (noting that it was inferred); null, with
   * an UNKNOWN conclusion, when neither. Also sets {@link #addresses()}.
   */
  InetAddress dialledAddress() {
    InetSocketAddress given = endpoint.address().orElse(null);
    InetAddress dialled = given == null ? null : given.getAddress();
    if (endpoint.isIpLiteral()) {
      InetAddress literal = parseLiteral(endpoint.host());
      addresses = literal == null ? List.of() : List.of(literal);
      return dialled != null ? dialled : literal;
    }
    List<InetAddress> resolved = lookup(endpoint.host(), false);
    addresses = resolved == null ? List.of() : resolved;
    if (!addresses.isEmpty()) {
      note("dns", endpoint.host() + " resolves to " + Wording.addressList(addresses));
    }
    if (dialled == null && !addresses.isEmpty()) {
      dialled = addresses.get(0);
      note("dns", "the client did not say which address it dialled; assuming the first, "
          + HostSyntax.addressText(dialled));
    }
    if (dialled == null) {
      findings.conclude(RefusalCause.UNKNOWN, Confidence.LOW,
          FailureWording.dialledUnknown(endpoint));
    }
    return dialled;
  }

  /** The endpoint whose port every dial goes to. */
  Endpoint endpoint() {
    return endpoint;
  }

  /** The endpoint's addresses as {@link #dialledAddress()} found them; empty before. */
  List<InetAddress> addresses() {
    return addresses;
  }

  /** How many connect probes were made. */
  int dials() {
    return dials;
  }

  /** This host's interface addresses, as the system lists them now. */
  InterfaceAddresses interfaces() {
    return new InterfaceAddresses(system.localAddresses());
  }

  /** Re-dials at once; true (and RESTARTING) when the dialled address accepts now. */
  boolean acceptsNow(InetAddress dialled) {
    if (dial(dialled, "reprobe") != Dial.ACCEPTED) {
      return false;
    }
    restarted(dialled);
    return true;
  }

  /** Re-dials the same address after a short pause; true when it now accepts (RESTARTING). */
  boolean reprobe(InetAddress dialled) {
    long wait = settings.reprobeDelayNanos - (System.nanoTime() - findings.startNanos());
    if (wait > 0) {
      if (wait >= findings.deadlineNanos() - System.nanoTime()) {
        findings.budgetRanOut();
        return false;
      }
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    if (dial(dialled, "reprobe") != Dial.ACCEPTED) {
      return false;
    }
    restarted(dialled);
    return true;
  }

  private void restarted(InetAddress dialled) {
    settings.tables.invalidate();
    findings.conclude(RefusalCause.RESTARTING, Confidence.HIGH,
        RefusedWording.acceptsAgain(dialled, port, findings.millisSinceStart()));
  }

  /** True (and RESTARTING) when the endpoint answered within the recent-success window. */
  boolean recentlyAnswered() {
    if (lastSuccessAgoNanos < 0) {
      note("history", "no earlier success with " + endpoint + " seen by this process");
      return false;
    }
    long seconds = lastSuccessAgoNanos / 1_000_000_000L;
    note("history", endpoint + " last answered " + seconds + " s ago");
    if (lastSuccessAgoNanos > settings.recentSuccessNanos) {
      return false;
    }
    findings.conclude(RefusalCause.RESTARTING, Confidence.MEDIUM,
        RefusedWording.answeredRecently(endpoint, seconds));
    return true;
  }

  /**
   * The listeners on the port: the kernel's exact answer where it gives one, else the whole
   * table; null when the budget is spent or the table could not be read whole in it.
   */
  ListenerTable readTable() {
    if (spent()) {
      return null;
    }
    List<ListenerTable.Row> exact = system.listenersOn(port, findings.deadlineNanos());
    return exact != null ? exactListeners(exact) : readWholeTable();
  }

  /** The listeners on the port as the kernel's exact lookup gave them: fresh, nothing reused. */
  private ListenerTable exactListeners(List<ListenerTable.Row> exact) {
    if (exact.isEmpty()) {
      note("listener-table", "no LISTEN socket on port " + port + " (asked the kernel through"
          + " netlink sock_diag)");
    }
    return ListenerTable.ofListeners(exact);
  }

  /** The whole socket table from /proc, for the listeners on the port or the state counts. */
  ListenerTable readWholeTable() {
    if (spent()) {
      return null;
    }
    ListenerTableCache.Entry entry = settings.tables.get(system, port, findings.deadlineNanos());
    ListenerTable table = entry.table;
    if (!table.readable()) {
      note("listener-table", "/proc/net/tcp and tcp6 cannot be read here (not Linux?)");
      return table;
    }
    if (!table.complete()) {
      // Rows not read yet may hold this port's listener: the table proves nothing.
      findings.budgetRanOut();
      note("listener-table", table.sockets() == 0
          ? "the time budget ran out before /proc/net/tcp and tcp6 were read; the read goes on,"
              + " for the next diagnosis"
          : "the time budget ran out after " + table.sockets()
              + " sockets of /proc/net/tcp and tcp6 were read");
      return null;
    }
    long ageMillis = (findings.startNanos() - entry.readAtNanos) / 1_000_000;
    if (ageMillis > 0) {
      note("listener-table", "read " + ageMillis + " ms before this diagnosis, for another one");
    }
    if (table.malformedLines() > 0) {
      note("listener-table", table.malformedLines() + " lines could not be parsed");
    }
    if (table.listenersOn(port).isEmpty()) {
      note("listener-table", "no LISTEN row for port " + port + " in /proc/net/tcp or tcp6 ("
          + table.sockets() + " sockets read)");
    }
    return table;
  }

  Dial dial(InetAddress address, String probe) {
    return dial(address, probe, settings.dialTimeoutMillis);
  }

  Dial dial(InetAddress address, String probe, int timeoutMillis) {
    if (spent()) {
      return Dial.FAILED;
    }
    InetSocketAddress target = new InetSocketAddress(address, port);
    if (!allowed(target)) {
      note(probe, hostPort(address) + " not dialled: the diagnoser's probeTargets excludes it");
      return Dial.FAILED;
    }
    long left = (findings.deadlineNanos() - System.nanoTime()) / 1_000_000;
    int timeout = (int) Math.max(1, Math.min(timeoutMillis, left));
    Dial result = system.dial(target, timeout);
    dials++;
    note(probe, hostPort(address) + " " + result.name().toLowerCase(Locale.ROOT)
        .replace('_', ' '));
    return result;
  }

  /** The user's probe-target filter; one that throws allows nothing. */
  private boolean allowed(InetSocketAddress target) {
    try {
      return settings.probeTargets.test(target);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * The resolver's answer for {@code host}: its usual one, or with {@code fresh} one that skips
   * every cache. Null, noted, when there is none.
   */
  List<InetAddress> lookup(String host, boolean fresh) {
    if (spent()) {
      return null;
    }
    String probe = fresh ? "dns-fresh" : "dns";
    try {
      List<InetAddress> answer = bounded.call(
          () -> fresh ? resolver.lookupFresh(host) : resolver.lookup(host),
          findings.deadlineNanos() - System.nanoTime());
      if (answer == null) {
        findings.budgetRanOut();
        note(probe, "no answer for " + host + " within the time budget");
      }
      return answer;
    } catch (UnknownHostException e) {
      note(probe, host + " does not resolve" + (fresh ? " in a fresh query" : " through the JVM"));
      return null;
    } catch (RejectedExecutionException e) {
      note(probe, "not looked up: every probe thread is busy (slow DNS elsewhere?)");
      return null;
    } catch (Exception e) {
      note(probe, "lookup of " + host + " failed: " + e.getClass().getSimpleName());
      return null;
    }
  }

  /** The addresses of the other family on the interface named {@code nif} (null: none). */
  List<InetAddress> otherFamilyAddressesOf(String nif, InetAddress dialled) {
    return interfaces().otherFamilyOf(nif, dialled);
  }

  /** Names that never resolve in public DNS, so no query is sent for them. */
  static boolean reservedName(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.endsWith(".localhost") || h.endsWith(".invalid")
        || h.equals("invalid") || h.endsWith(".test") || h.endsWith(".example");
  }

  String hostPort(InetAddress a) {
    return HostSyntax.socketText(a, port);
  }

  private boolean spent() {
    return findings.spent();
  }

  private void note(String probe, String observation) {
    findings.note(probe, observation);
  }

  private static InetAddress parseLiteral(String host) {
    try {
      // An IP literal, so no lookup happens; a zone id names a local interface.
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
