package dev.refusal.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A small property-based testing harness that runs inside a plain Jupiter test: it draws {@code
 * tries} values from a {@link Gen}, checks each within a time bound, and on the first failure
 * shrinks the value to a smaller one that still fails and reports both with the seed.
 *
 * <pre>{@code
 * ForAll.values(Gen.strings(Gen.ANY_CHAR, 0, 200))
 *     .tries(1000)
 *     .shrink(ForAll::shrinkString)
 *     .check(text -> assertThat(parse(text)).isNotNull());
 * }</pre>
 *
 * <p>Why not jqwik: from 1.10 its engine prints, into every test run's output, that AI agents
 * must not use it, followed by an instruction addressed to them; this project is built by coding
 * agents that read that output. A harness this size needs no second test engine, so the property
 * classes are ordinary Jupiter tests and are counted with the rest.
 *
 * <p>Each run draws a fresh seed, so CI keeps exploring; a failure names its seed, and {@code
 * -Drefusal.seed=N} replays it. A passing check prints one line with its tries and seed.
 */
public final class ForAll<T> {

  /** The property: throws (an assertion, or anything else) when the value falsifies it. */
  @FunctionalInterface
  public interface Check<T> {
    void accept(T value) throws Exception;
  }

  /** Smaller candidates for a failing value, most aggressive first. */
  @FunctionalInterface
  public interface Shrink<T> {
    List<T> smaller(T value);
  }

  // Daemon threads, so a try that hangs fails its property without keeping the test JVM alive; a
  // cached pool, so a hung thread never blocks the tries after it.
  private static final ExecutorService TRIES = Executors.newCachedThreadPool(task -> {
    Thread t = new Thread(task, "property-try");
    t.setDaemon(true);
    return t;
  });
  private static final int MAX_SHRINK_RUNS = 2_000;
  private static final Duration MAX_SHRINK_TIME = Duration.ofSeconds(20);
  private static final int MAX_SHOWN = 300;

  private final Gen<T> gen;
  private int tries = 1_000;
  private Duration perTry = Duration.ofSeconds(5);
  private Shrink<T> shrink = value -> List.of();
  private Function<? super T, String> show = ForAll::show;

  private ForAll(Gen<T> gen) {
    this.gen = gen;
  }

  public static <T> ForAll<T> values(Gen<T> gen) {
    return new ForAll<>(gen);
  }

  public ForAll<T> tries(int tries) {
    this.tries = tries;
    return this;
  }

  /** The most one try may take; past it the try fails as a hang. */
  public ForAll<T> perTry(Duration perTry) {
    this.perTry = perTry;
    return this;
  }

  public ForAll<T> shrink(Shrink<T> shrink) {
    this.shrink = shrink;
    return this;
  }

  /** How a counterexample is printed (default: {@link #show(Object)}). */
  public ForAll<T> show(Function<? super T, String> show) {
    this.show = show;
    return this;
  }

  /** Runs the property; returns the number of tries, all of which passed. */
  public int check(Check<T> property) {
    String caller = StackWalker.getInstance()
        .walk(frames -> frames.skip(1).findFirst()
            .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1)
                + "." + f.getMethodName())
            .orElse("?"));
    Long fixed = Long.getLong("refusal.seed");
    long seed = fixed != null ? fixed : ThreadLocalRandom.current().nextLong();
    SplittableRandom root = new SplittableRandom(seed);
    for (int i = 1; i <= tries; i++) {
      T value = gen.next(root.split());
      Throwable failure = run(property, value);
      if (failure != null) {
        throw falsified(property, caller, seed, i, value, failure);
      }
    }
    System.out.printf(Locale.ROOT, "[property] %s: %d tries passed (seed %d)%n", caller, tries,
        seed);
    return tries;
  }

  private AssertionError falsified(Check<T> property, String caller, long seed, int attempt,
      T original, Throwable originalFailure) {
    T smallest = original;
    Throwable failure = originalFailure;
    int steps = 0;
    // A hang is not shrunk: every candidate that hangs too would leave another thread spinning.
    if (!(failure instanceof Hang)) {
      long deadline = System.nanoTime() + MAX_SHRINK_TIME.toNanos();
      int runs = 0;
      boolean smaller = true;
      while (smaller && runs < MAX_SHRINK_RUNS && System.nanoTime() < deadline) {
        smaller = false;
        for (T candidate : shrink.smaller(smallest)) {
          if (++runs > MAX_SHRINK_RUNS || System.nanoTime() > deadline) {
            break;
          }
          Throwable f = run(property, candidate);
          if (f != null && !(f instanceof Hang)) {
            smallest = candidate;
            failure = f;
            steps++;
            smaller = true;
            break;
          }
        }
      }
    }
    String message = String.format(Locale.ROOT,
        "%s falsified on try %d of %d (seed %d; replay with -Drefusal.seed=%d)%n"
            + "  counterexample (shrunk in %d steps): %s%n"
            + "  original: %s%n"
            + "  failure: %s",
        caller, attempt, tries, seed, seed, steps, show.apply(smallest), show.apply(original),
        failure);
    return new AssertionError(message, failure);
  }

  private Throwable run(Check<T> property, T value) {
    Future<Throwable> result = TRIES.submit(() -> {
      try {
        property.accept(value);
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    try {
      return result.get(perTry.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      result.cancel(true);
      return new Hang(perTry);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** A try that did not finish within its bound. */
  static final class Hang extends AssertionError {
    private static final long serialVersionUID = 1L;

    Hang(Duration bound) {
      super("did not finish within " + bound.toMillis() + " ms");
    }
  }

  // Shrinkers for the common shapes.

  /** Removes ever smaller runs of characters: halves first, then quarters, down to one. */
  public static List<String> shrinkString(String s) {
    List<String> out = new ArrayList<>();
    int n = s.length();
    for (int chunk = Math.max(1, n / 2); chunk >= 1; chunk /= 2) {
      // Long input: try at most 64 cuts per chunk size, spread evenly.
      int step = Math.max(chunk, n / 64);
      for (int start = 0; start < n; start += step) {
        out.add(s.substring(0, start) + s.substring(Math.min(n, start + chunk)));
      }
      if (chunk == 1) {
        break;
      }
    }
    return out;
  }

  /** Removes ever smaller runs of elements, then shrinks each element with {@code element}. */
  public static <E> List<List<E>> shrinkList(List<E> list, Shrink<E> element) {
    List<List<E>> out = new ArrayList<>();
    int n = list.size();
    for (int chunk = Math.max(1, n / 2); chunk >= 1; chunk /= 2) {
      for (int start = 0; start < n; start += chunk) {
        List<E> shorter = new ArrayList<>(list.subList(0, start));
        shorter.addAll(list.subList(Math.min(n, start + chunk), n));
        out.add(shorter);
      }
      if (chunk == 1) {
        break;
      }
    }
    for (int i = 0; i < n; i++) {
      for (E e : element.smaller(list.get(i))) {
        List<E> changed = new ArrayList<>(list);
        changed.set(i, e);
        out.add(changed);
      }
    }
    return out;
  }

  /**
   * A value as a failure report shows it: strings quoted with every non-printable character
   * escaped, long ones cut with their length.
   */
  public static String show(Object value) {
    if (value instanceof String) {
      return quote((String) value);
    }
    if (value instanceof List) {
      StringBuilder sb = new StringBuilder("[");
      for (Object e : (List<?>) value) {
        if (sb.length() > 1) {
          sb.append(", ");
        }
        sb.append(show(e));
      }
      return sb.append(']').toString();
    }
    String s = String.valueOf(value);
    return s.length() > MAX_SHOWN * 4 ? s.substring(0, MAX_SHOWN * 4) + "…" : s;
  }

  public static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length() && i < MAX_SHOWN; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append(c);
      } else {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    sb.append('"');
    if (s.length() > MAX_SHOWN) {
      sb.append("…(").append(s.length()).append(" chars)");
    }
    return sb.toString();
  }
}
