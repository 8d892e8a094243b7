package dev.refusal.internal.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.refusal.Endpoint;
import dev.refusal.FailureKind;
import dev.refusal.RefusalGuardConfig;
import dev.refusal.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The endpoints one guard knows, each with its own breaker: bounded in size and forgetting
 * endpoints nobody calls, so a client that talks to many hosts does not leak. A hit is one hash
 * lookup and allocates nothing. Thread-safe.
 */
public final class EndpointRegistry {
  private final Cache<Endpoint, EndpointState> cache;
  private final CircuitBreakerConfig breakerConfig;
  private final Ticker ticker;
  /** Each thread's last endpoint, so repeated calls skip the cache within a tick. */
  private final ThreadLocal<EndpointState[]> lastUsed =
      ThreadLocal.withInitial(() -> new EndpointState[1]);

  /**
   * @param ticker the guard's ticker: breaker waits and idle expiry follow it
   */
  public EndpointRegistry(RefusalGuardConfig config, Ticker ticker) {
    this.ticker = ticker;
    this.breakerConfig = CircuitBreakerConfig.custom()
        // "Consecutive failures": a window of the last N recorded calls, all of them failures.
        .slidingWindow(config.failureThreshold(), config.failureThreshold(),
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(100)
        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
        .waitDurationInOpenState(config.openWait())
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .recordException(t -> FailureKind.of(t).isConnectPhase())
        .ignoreException(t -> !FailureKind.of(t).isConnectPhase())
        .clock(new TickerClock(ticker))
        .build();
    this.cache = Caffeine.newBuilder()
        // Maintenance (eviction, expiry) runs on the calling thread, amortized, rather than
        // waking a ForkJoinPool thread: cheaper per call, and no dependency on the common pool.
        .executor(Runnable::run)
        .maximumSize(config.maxEndpoints())
        .expireAfterAccess(config.endpointIdleExpiry())
        .ticker(ticker::read)
        .removalListener((Endpoint e, EndpointState s, RemovalCause c) -> {
          if (s != null) {
            s.forgotten = true;
          }
        })
        .build();
  }

  /**
   * The state of {@code endpoint}, made on first use. A thread that calls one endpoint again
   * within the same tick of the guard's coarse clock finds it in a one-entry slot of its own and
   * skips the cache, whose read records an access (a buffer write); the cache still sees every
   * endpoint in use at least once per tick, so idle expiry and the size bound keep working.
   */
  public EndpointState get(Endpoint endpoint) {
    EndpointState[] slot = lastUsed.get();
    EndpointState s = slot[0];
    long now = ticker.read();
    if (s != null && s.touchedNanos == now && !s.forgotten && s.endpoint.equals(endpoint)) {
      return s;
    }
    s = cache.getIfPresent(endpoint);
    if (s == null) {
      s = cache.get(endpoint, this::newState);
    }
    s.touchedNanos = now;
    slot[0] = s;
    return s;
  }

  /** The state of {@code endpoint} if it is known. */
  public EndpointState peek(Endpoint endpoint) {
    EndpointState s = lastUsed.get()[0];
    if (s != null && !s.forgotten && s.endpoint.equals(endpoint)) {
      return s;
    }
    return cache.getIfPresent(endpoint);
  }

  /** Endpoints remembered now (an estimate). */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Marks every endpoint forgotten, ending their watches. */
  public void forgetAll() {
    cache.asMap().values().forEach(s -> s.forgotten = true);
  }

  private EndpointState newState(Endpoint endpoint) {
    // No event consumer on the breaker: with one, resilience4j builds an event object (with a
    // ZonedDateTime) for every rejected call. State changes are observed where they can happen.
    return new EndpointState(endpoint, CircuitBreaker.of(endpoint.toString(), breakerConfig));
  }

  /** The guard's ticker as the clock resilience4j measures its open wait with. */
  static final class TickerClock extends Clock {
    private final Ticker ticker;

    TickerClock(Ticker ticker) {
      this.ticker = ticker;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(0, ticker.read());
    }

    @Override
    public long millis() {
      return Math.floorDiv(ticker.read(), 1_000_000L);
    }
  }
}
