package dev.refusal.internal.guard;

import dev.refusal.CircuitState;
import dev.refusal.Endpoint;
import dev.refusal.RefusalGuardConfig;
import dev.refusal.Ticker;
import dev.refusal.internal.diagnosis.SystemView;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleSupplier;

/**
 * The inside of one guard, put together once: registry, gate, policy, events, recovery and the
 * two retry loops. Data flows one way, from the facade down: the loops use the gate and the
 * policy, the gate reports to the events and starts recovery watches, the watches report back to
 * the gate; nothing here calls the facade.
 */
public final class GuardEngine implements AutoCloseable {
  private final EndpointRegistry registry;
  private final Events events;
  private final GuardThreads threads;
  private final BlockingRetryLoop blocking;
  private final AsyncRetryLoop async;

  /**
   * @param ticker the guard's time; {@code coarse} the cheap one read on every call (the same
   *     one when a test injects time)
   * @param scheduler the user's scheduler, or null for the guard's own threads
   */
  public GuardEngine(RefusalGuardConfig config, CoreAccess access, Ticker ticker, Ticker coarse,
      ScheduledExecutorService scheduler, SystemView system, DoubleSupplier jitter) {
    this.threads = scheduler == null ? GuardThreads.own() : GuardThreads.given(scheduler);
    this.events = new Events(ticker, config.warnInterval());
    this.registry = new EndpointRegistry(config, coarse);
    RecoveryCoordinator recovery = new RecoveryCoordinator(threads, system, coarse,
        config.recoveryProbeInterval().toNanos(), config.recoveryProbeGap().toNanos());
    BreakerGate gate = new BreakerGate(events, ticker, coarse, config.openWait().toNanos(),
        config.halfOpenMaxWait().toNanos(), recovery::opened);
    recovery.reportTo(gate);
    RetryPolicy policy = new RetryPolicy(config, ticker, jitter);
    GuardCore core = new GuardCore(registry, gate, policy, events, recovery, access, ticker,
        coarse);
    this.blocking = new BlockingRetryLoop(core);
    this.async = new AsyncRetryLoop(core, threads);
  }

  public BlockingRetryLoop blocking() {
    return blocking;
  }

  public AsyncRetryLoop async() {
    return async;
  }

  public Events events() {
    return events;
  }

  /** The circuit state of {@code endpoint}; CLOSED for one never called. */
  public CircuitState state(Endpoint endpoint) {
    EndpointState s = registry.peek(endpoint);
    return s == null ? CircuitState.CLOSED : BreakerGate.state(s);
  }

  public long endpointCount() {
    return registry.size();
  }

  /** Ends the recovery watches, the waiting asynchronous calls and the guard's own threads. */
  @Override
  public void close() {
    threads.close();
    registry.forgetAll();
    async.closeAll();
  }
}
