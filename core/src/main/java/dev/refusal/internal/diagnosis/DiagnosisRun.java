package dev.refusal.internal.diagnosis;

import dev.refusal.Confidence;
import dev.refusal.Endpoint;
import dev.refusal.Evidence;
import dev.refusal.FailureKind;
import dev.refusal.HostResolver;
import dev.refusal.RefusalCause;
import dev.refusal.internal.HostSyntax;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * One diagnosis of one failure: hands it, by its kind and (for a refusal) by where the dialled
 * address is, to the rule for that situation, which runs the built-in probes cheapest first and
 * stops as soon as the cause is proven.
 *
 * <p>Connect probes (tens of microseconds on loopback) go before the listener table
 * (milliseconds per read), which is read only when the probes leave the cause open. Probes dial
 * only the endpoint's own port: on its dialled and resolved addresses, the other address family
 * of the same host, and loopback when the target is this host. Not thread-safe; one instance per
 * diagnosis.
 */
public final class DiagnosisRun {

  /** Settings a run needs from its {@code Diagnoser}. */
  public static final class Settings {
    final long reprobeDelayNanos;
    final int dialTimeoutMillis;
    final long recentSuccessNanos;
    final long loopbackInContainerAfterNanos;
    final Predicate<InetSocketAddress> probeTargets;
    /** The diagnoser's listener-table cache, shared by its runs. */
    final ListenerTableCache tables = new ListenerTableCache();

    public Settings(long reprobeDelayNanos, int dialTimeoutMillis, long recentSuccessNanos,
        long loopbackInContainerAfterNanos, Predicate<InetSocketAddress> probeTargets) {
      this.reprobeDelayNanos = reprobeDelayNanos;
      this.dialTimeoutMillis = dialTimeoutMillis;
      this.recentSuccessNanos = recentSuccessNanos;
      this.loopbackInContainerAfterNanos = loopbackInContainerAfterNanos;
      this.probeTargets = probeTargets;
    }
  }

  /** Runs work bounded by a timeout on another thread; returns null on timeout or failure. */
  public interface Bounded {
    <T> T call(Callable<T> work, long timeoutNanos) throws Exception;
  }

  private final Endpoint endpoint;
  private final FailureKind kind;
  private final SystemView system;
  private final HostResolver resolver;
  private final Settings settings;
  private final long refusingForNanos;
  private final Findings findings;
  private final ProbeKit kit;

  /**
   * @param lastSuccessAgoNanos how long ago this endpoint last answered, or -1 if never seen
   * @param refusingForNanos how long this endpoint has refused without a success in between
   *     (0 for its first refusal)
   */
  public DiagnosisRun(Endpoint endpoint, FailureKind kind, SystemView system,
      HostResolver resolver, Bounded bounded, Settings settings, long startNanos,
      long deadlineNanos, long lastSuccessAgoNanos, long refusingForNanos) {
    this.endpoint = endpoint;
    this.kind = kind;
    this.system = system;
    this.resolver = resolver;
    this.settings = settings;
    this.refusingForNanos = refusingForNanos;
    this.findings = new Findings(startNanos, deadlineNanos);
    this.kit = new ProbeKit(endpoint, system, resolver, bounded, settings, findings,
        lastSuccessAgoNanos);
  }

  /** Runs the probes; never throws. */
  public DiagnosisRun run() {
    try {
      switch (kind) {
        case REFUSED:
          refused();
          break;
        case CONNECT_TIMEOUT:
          new ConnectTimeoutRule(findings, kit, system, settings.dialTimeoutMillis).diagnose();
          break;
        case UNKNOWN_HOST:
          new UnknownHostRule(findings, kit, localResources()).diagnose();
          break;
        case LOCAL_FD_EXHAUSTED:
          localResources().fdExhausted();
          break;
        case LOCAL_ADDRESS_UNAVAILABLE:
          localResources().localAddressUnavailable();
          break;
        case NO_ROUTE_TO_HOST:
        case NETWORK_UNREACHABLE:
          new UnreachableRule(findings, kit).diagnose(kind);
          break;
        case ADDRESS_FAMILY_UNAVAILABLE:
          new FamilyUnavailableRule(findings, kit).diagnose();
          break;
        default:
          new NotAConnectFailureRule(findings, kit).diagnose(kind);
      }
    } catch (RuntimeException | LinkageError e) {
      // A probe bug must never cost the caller its original exception.
      findings.note("diagnoser", "a probe failed: " + e.getClass().getSimpleName());
    }
    findings.closeBudget();
    return this;
  }

  /** A refusal: through a proxy, at a stale address, or by where the dialled address is. */
  private void refused() {
    Proxy proxy = endpoint.proxy().orElse(null);
    if (proxy != null) {
      String proxyText = String.valueOf(proxy.address());
      findings.note("proxy", "the connection went through the " + proxy.type() + " proxy "
          + proxyText);
      findings.conclude(RefusalCause.PROXY_REFUSED, Confidence.HIGH,
          RefusedWording.proxyRefused(proxyText, endpoint));
      return;
    }
    InetAddress dialled = kit.dialledAddress();
    if (dialled == null
        || new StaleAddressRule(findings, kit, resolver).diagnose(dialled)) {
      return;
    }
    ListenerTableCheck listeners = new ListenerTableCheck(findings, kit);
    String text = HostSyntax.addressText(dialled);
    if (dialled.isAnyLocalAddress() || dialled.isLoopbackAddress()) {
      // Linux connects a dial of 0.0.0.0 or :: to this host; usually a server's bind address
      // copied into a client's config.
      findings.note("local-addresses", dialled.isAnyLocalAddress()
          ? text + " is the wildcard address, which connects to this host; dial localhost or the"
              + " service's host name instead"
          : text + " is loopback");
      new RefusedOnLoopbackRule(findings, kit, listeners, system, refusingForNanos,
          settings.loopbackInContainerAfterNanos).diagnose(dialled);
      return;
    }
    String nif = kit.interfaces().nameOf(dialled);
    if (nif != null) {
      findings.note("local-addresses", text + " is this host's " + nif + " address");
      new RefusedOnLocalInterfaceRule(findings, kit, listeners).diagnose(dialled, nif);
    } else {
      findings.note("local-addresses", text + " is not an address of this host");
      new RefusedOnRemoteHostRule(findings, kit).diagnose(dialled);
    }
  }

  private LocalResourcesRule localResources() {
    return new LocalResourcesRule(findings, kit, system);
  }

  // ------------------------------------------------------------ results

  public RefusalCause cause() {
    return findings.cause();
  }

  public Confidence confidence() {
    return findings.confidence();
  }

  public String summary() {
    return findings.wording().summary();
  }

  public String remedy() {
    return findings.wording().remedy();
  }

  public List<Evidence> evidence() {
    return findings.evidence();
  }

  public List<InetAddress> addresses() {
    return kit.addresses();
  }

  /** How many connect probes were made. */
  public int dials() {
    return kit.dials();
  }

  public boolean budgetSpent() {
    return findings.budgetSpent();
  }
}
