package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.refusal.testing.FakeSystemView;
import dev.refusal.testing.Loopback;
import dev.refusal.testing.ManualClock;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Diagnoser")
class DiagnoserTest {

  /** A probe that counts its runs, through the public SPI. */
  static final class CountingProbe implements Probe {
    final AtomicInteger runs = new AtomicInteger();

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public ProbeResult probe(ProbeContext context) {
      runs.incrementAndGet();
      return ProbeResult.observed("run " + runs.get());
    }
  }

  @Nested
  @DisplayName("sharing and caching")
  class Sharing {

    @Test
    @DisplayName("500 threads failing on one endpoint run the probes once and share the answer")
    void concurrentFailuresShareOneDiagnosis() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      ConnectException refusal = Loopback.refused(Loopback.V4, port);
      CountingProbe probe = new CountingProbe();
      Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer())
          .addProbe(probe).cacheTtl(Duration.ofMinutes(1)).build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      ExecutorService pool = Executors.newFixedThreadPool(500);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Diagnosis>> results = new ArrayList<>();
      try {
        for (int i = 0; i < 500; i++) {
          results.add(pool.submit(() -> {
            start.await();
            return diagnoser.diagnose(endpoint, refusal);
          }));
        }
        start.countDown();
        Set<Diagnosis> distinct = ConcurrentHashMap.newKeySet();
        for (Future<Diagnosis> f : results) {
          distinct.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(probe.runs).hasValue(1);
        assertThat(distinct).hasSize(1);
        assertThat(distinct.iterator().next().cause()).isEqualTo(RefusalCause.NO_LISTENER);
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("threads that keep failing while cached diagnoses expire probe once per expiry,"
        + " never twice: a run that finishes just before another thread claims the endpoint"
        + " is seen in the cache")
    void oneRunPerExpiry() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      ConnectException refusal = Loopback.refused(Loopback.V4, port);
      CountingProbe probe = new CountingProbe();
      ManualClock clock = new ManualClock();
      Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer())
          .addProbe(probe).cacheTtl(Duration.ofSeconds(5)).clock(clock).build();
      Endpoint endpoint = Endpoint.of("127.0.0.1", port);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
      List<Future<?>> loops = new ArrayList<>();
      try {
        for (int t = 0; t < 8; t++) {
          loops.add(pool.submit(() -> {
            // Bounded by count too, in case the main thread dies before it sets stop.
            for (int i = 0; i < 50_000_000 && !stop.get(); i++) {
              diagnoser.diagnose(endpoint, refusal);
              calls.incrementAndGet();
            }
          }));
        }
        for (int expiry = 0; expiry <= 10; expiry++) {
          if (expiry > 0) {
            clock.advance(Duration.ofSeconds(6));
          }
          // The expiry's run, then many calls served from its cached answer, before the next.
          awaitAtLeast(probe.runs::get, expiry + 1);
          // Cached only after the run's waiters have their answer: advancing before that would
          // date the cached answer after the advance.
          awaitAtLeast(() -> diagnoser.cached(endpoint, FailureKind.REFUSED) == null ? 0 : 1, 1);
          long before = calls.get();
          awaitAtLeast(() -> calls.get() - before, 2_000);
        }
      } finally {
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
      for (Future<?> loop : loops) {
        loop.get();
      }
      assertThat(probe.runs).as("the first run and one per expiry").hasValue(11);
    }

    private void awaitAtLeast(java.util.function.LongSupplier value, long atLeast)
        throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (value.getAsLong() < atLeast && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(value.getAsLong()).as("reached within 5 s").isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    @DisplayName("async diagnosis completes with the same answer as the blocking one")
    void asyncForm() throws Exception {
      int port = Loopback.closedPort(Loopback.V4);
      Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer()).build();
      CompletableFuture<Diagnosis> f = diagnoser.diagnoseAsync(Endpoint.of("127.0.0.1", port),
          Loopback.refused(Loopback.V4, port));

      assertThat(f.get(5, TimeUnit.SECONDS).cause()).isEqualTo(RefusalCause.NO_LISTENER);
    }
  }

  @Nested
  @DisplayName("the time budget")
  class Budget {

    @Test
    @DisplayName("a probe that hangs is abandoned when the budget runs out; confidence drops")
    void hangingProbe() {
      int port = Loopback.closedPort(Loopback.V4);
      Probe hangs = new Probe() {
        @Override
        public String name() {
          return "hangs";
        }

        @Override
        public ProbeResult probe(ProbeContext context) throws InterruptedException {
          Thread.sleep(60_000);
          return ProbeResult.nothing();
        }
      };
      Diagnoser diagnoser = Diagnoser.builder().system(FakeSystemView.noContainer())
          .budget(Duration.ofMillis(300)).addProbe(hangs).build();

      long start = System.nanoTime();
      Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0.1", port),
          Loopback.refused(Loopback.V4, port));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;

      assertThat(tookMillis).isLessThan(2_000);
      assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
      assertThat(d.confidence()).isEqualTo(Confidence.MEDIUM);
      assertThat(d.evidence()).extracting(Evidence::toString)
          .contains("hangs: did not finish within the time budget");
    }

    @Test
    @DisplayName("a budget of zero runs no probe and still names what the kind tells")
    void zeroBudget() {
      int port = Loopback.closedPort(Loopback.V4);
      FakeSystemView system = FakeSystemView.noContainer();
      Diagnosis d = Diagnoser.builder().system(system).budget(Duration.ZERO).build()
          .diagnose(Endpoint.of("127.0.0.1", port), Loopback.refused(Loopback.V4, port));

      assertThat(system.dialled()).isEmpty();
      assertThat(d.kind()).isEqualTo(FailureKind.REFUSED);
      assertThat(d.confidence()).isNotEqualTo(Confidence.HIGH);
      assertThat(d.evidence()).extracting(Evidence::probe).contains("budget");
    }
  }

  @Nested
  @DisplayName("custom probes")
  class CustomProbes {

    @Test
    @DisplayName("a probe's conclusion replaces a less confident built-in one")
    void conclusionWins() throws Exception {
      Probe consul = new Probe() {
        @Override
        public String name() {
          return "consul";
        }

        @Override
        public ProbeResult probe(ProbeContext context) {
          return ProbeResult.concluded(RefusalCause.STALE_ADDRESS, Confidence.HIGH,
              "the catalogue lists orders at 10.0.0.9 only",
              "the instance at this address was deregistered", "Re-resolve the service.");
        }
      };
      InetAddress now = InetAddress.getByName("127.0.0.9");
      // The built-in probes see a name that resolves again: DNS_FAILURE, MEDIUM.
      Diagnosis d = Diagnoser.builder().system(FakeSystemView.noContainer()).addProbe(consul)
          .budget(Duration.ofSeconds(10)).resolver(host -> List.of(now)).build()
          .diagnose(Endpoint.of("orders.internal", 8080),
              new UnknownHostException("orders.internal"));

      assertThat(d.cause()).isEqualTo(RefusalCause.STALE_ADDRESS);
      assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
      assertThat(d.summary()).isEqualTo("the instance at this address was deregistered");
      assertThat(d.evidence()).extracting(Evidence::toString)
          .contains("consul: the catalogue lists orders at 10.0.0.9 only");
    }

    @Test
    @DisplayName("a probe's conclusion does not replace a HIGH built-in one; its evidence stays")
    void highBuiltInStays() {
      Probe guess = new Probe() {
        @Override
        public String name() {
          return "guess";
        }

        @Override
        public ProbeResult probe(ProbeContext context) {
          return ProbeResult.concluded(RefusalCause.RESTARTING, Confidence.LOW, "deploy log",
              "a deploy may be running", "Wait.");
        }
      };
      int port = Loopback.closedPort(Loopback.V4);
      Diagnosis d = Diagnoser.builder().system(FakeSystemView.noContainer()).addProbe(guess)
          .build()
          .diagnose(Endpoint.of("127.0.0.1", port), Loopback.refused(Loopback.V4, port));

      assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
      assertThat(d.evidence()).extracting(Evidence::probe).contains("guess");
    }

    @Test
    @DisplayName("a probe that throws is recorded and never reaches the caller")
    void throwingProbe() {
      Probe broken = new Probe() {
        @Override
        public String name() {
          return "broken";
        }

        @Override
        public ProbeResult probe(ProbeContext context) {
          throw new IllegalStateException("boom");
        }
      };
      int port = Loopback.closedPort(Loopback.V4);
      Diagnosis d = Diagnoser.builder().system(FakeSystemView.noContainer()).addProbe(broken)
          .build()
          .diagnose(Endpoint.of("127.0.0.1", port), Loopback.refused(Loopback.V4, port));

      assertThat(d.cause()).isEqualTo(RefusalCause.NO_LISTENER);
      assertThat(d.evidence()).extracting(Evidence::toString)
          .contains("broken: failed: IllegalStateException");
    }
  }

  @Nested
  @DisplayName("turned off and rate limited")
  class Limits {

    @Test
    @DisplayName("diagnostics turned off: no probe runs, no file is read")
    void disabled() {
      int port = Loopback.closedPort(Loopback.V4);
      FakeSystemView system = FakeSystemView.noContainer();
      CountingProbe probe = new CountingProbe();
      Diagnosis d = Diagnoser.builder().enabled(false).system(system).addProbe(probe).build()
          .diagnose(Endpoint.of("127.0.0.1", port), Loopback.refused(Loopback.V4, port));

      assertThat(system.dialled()).isEmpty();
      assertThat(system.filesRead()).isEmpty();
      assertThat(probe.runs).hasValue(0);
      assertThat(d.confidence()).isEqualTo(Confidence.LOW);
      assertThat(d.evidence()).extracting(Evidence::observation)
          .containsExactly("diagnostics are turned off; no probe ran");
    }

    @Test
    @DisplayName("a flood of distinct endpoints is held to the global rate")
    void globalRateLimit() {
      FakeSystemView system = FakeSystemView.noContainer();
      // A clock that does not move: the bucket never refills, so exactly its five tokens count.
      Diagnoser diagnoser = Diagnoser.builder().system(system).maxDiagnosesPerSecond(5)
          .clock(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)).build();
      int port = Loopback.closedPort(Loopback.V4);
      ConnectException refusal = Loopback.refused(Loopback.V4, port);
      int probed = 0;
      for (int i = 0; i < 50; i++) {
        Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0." + (i + 10), port), refusal);
        if (!d.evidence().get(0).probe().equals("diagnoser")) {
          probed++;
        }
      }
      assertThat(probed).isEqualTo(5);
    }
  }

  @Nested
  @DisplayName("a cancellation and an unavailable address family")
  class CancelledAndAddressFamily {

    private final Diagnoser probing = Diagnoser.builder().system(FakeSystemView.noContainer())
        .cacheTtl(Duration.ZERO).build();
    private final Diagnoser off = Diagnoser.builder().enabled(false)
        .system(FakeSystemView.noContainer()).build();

    /** OkHttp's cancelled call, carrying the refusal of the attempt before the cancel. */
    private IOException cancelledAfterARefusal() {
      IOException cancelled = new IOException("Canceled");
      cancelled.addSuppressed(new ConnectException("Connection refused"));
      return cancelled;
    }

    @Test
    @DisplayName("a cancelled call is no connect failure: UNKNOWN, LOW, nothing to fix")
    void cancelled() {
      for (Diagnoser diagnoser : List.of(probing, off)) {
        Diagnosis d = diagnoser.diagnose(Endpoint.of("127.0.0.1", 8080),
            cancelledAfterARefusal());

        assertThat(d.kind()).isEqualTo(FailureKind.CANCELED);
        assertThat(d.cause()).isEqualTo(RefusalCause.UNKNOWN);
        assertThat(d.confidence()).isEqualTo(Confidence.LOW);
        assertThat(d.summary()).isEqualTo(
            "the call was cancelled or its thread interrupted; this is not a connect failure");
        assertThat(d.remedy()).isEqualTo("Nothing to fix at the connection level.");
      }
    }

    @Test
    @DisplayName("an IPv6 dial the host cannot make, in a JVM not limited to IPv4, is an"
        + " ADDRESS_FAMILY_MISMATCH of MEDIUM confidence naming the missing stack")
    void addressFamilyWithoutPreferIpv4Stack() throws Exception {
      Assumptions.assumeFalse(
          "true".equals(System.getProperty("java.net.preferIPv4Stack")),
          "this test JVM runs with -Djava.net.preferIPv4Stack=true");
      InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("::1"), 8080);
      Endpoint endpoint = Endpoint.of("::1", 8080).withAddress(target);

      Diagnosis d = probing.diagnose(endpoint,
          new SocketException("Address family not supported by protocol"));

      assertThat(d.kind()).isEqualTo(FailureKind.ADDRESS_FAMILY_UNAVAILABLE);
      assertThat(d.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
      assertThat(d.confidence()).isEqualTo(Confidence.MEDIUM);
      assertThat(d.summary()).isEqualTo("this host has no IPv6 stack for [::1]:8080");
      assertThat(d.remedy()).contains("an A record or 127.0.0.1").contains("enable IPv6");
    }

    @Test
    @DisplayName("unprobed, an unavailable address family still names the cause")
    void addressFamilyUnprobed() {
      Diagnosis d = off.diagnose(Endpoint.of("::1", 8080),
          new SocketException("Protocol family unavailable"));

      assertThat(d.kind()).isEqualTo(FailureKind.ADDRESS_FAMILY_UNAVAILABLE);
      assertThat(d.cause()).isEqualTo(RefusalCause.ADDRESS_FAMILY_MISMATCH);
      assertThat(d.confidence()).isEqualTo(Confidence.LOW);
    }
  }

  @Nested
  @DisplayName("bad input")
  class BadInput {

    @Test
    @DisplayName("null arguments name the parameter")
    void nulls() {
      Diagnoser d = Diagnoser.defaults();
      assertThatThrownBy(() -> d.diagnose(null, new ConnectException()))
          .isInstanceOf(NullPointerException.class).hasMessage("endpoint");
      assertThatThrownBy(() -> d.diagnose(Endpoint.of("h", 1), null))
          .isInstanceOf(NullPointerException.class).hasMessage("failure");
    }

    @Test
    @DisplayName("out-of-range settings name the setting and the value")
    void settings() {
      assertThatThrownBy(() -> Diagnoser.builder().budget(Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("budget").hasMessageContaining("PT-1S");
      assertThatThrownBy(() -> Diagnoser.builder().maxEndpoints(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxEndpoints must be between 1 and 10000000, but was 0");
    }
  }
}
