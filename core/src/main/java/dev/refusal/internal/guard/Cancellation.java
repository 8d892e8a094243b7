package dev.refusal.internal.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One call's view of its cancellation signal, made once per call and only when the call failed.
 *
 * <p>A {@link CompletableFuture} is watched as itself: {@code isDone()} and a timed {@code get},
 * which leaves nothing registered once it returns. A stage whose {@code toCompletableFuture()}
 * makes a new future that follows it (the JDK's minimal stage), or whose {@code
 * toCompletableFuture()} is unsupported (then a completion callback stands in), is followed
 * through one such future per stage, shared by every call that uses the stage (see {@link
 * Views}), so a long-lived stage collects nothing per call. A stage that cannot even take a
 * callback is treated as never completing. Never throws.
 */
final class Cancellation {
  private static final Cancellation NONE = new Cancellation(null);

  private final CompletableFuture<?> future;

  private Cancellation(CompletableFuture<?> future) {
    this.future = future;
  }

  static Cancellation of(CompletionStage<?> stage, Views views) {
    if (stage == null) {
      return NONE;
    }
    CompletableFuture<?> f = views.view(stage);
    return f == null ? NONE : new Cancellation(f);
  }

  /**
   * One guard's futures that follow cancellation stages which are not futures themselves, one per
   * stage (by identity, held weakly, bounded), so registering on a stage happens once per stage
   * and not once per call. Thread-safe.
   */
  static final class Views {
    private final Cache<CompletionStage<?>, CompletableFuture<?>> followers = Caffeine.newBuilder()
        .executor(Runnable::run)
        .weakKeys()
        .maximumSize(10_000)
        .build();

    CompletableFuture<?> view(CompletionStage<?> stage) {
      if (stage instanceof CompletableFuture && isPlain((CompletableFuture<?>) stage)) {
        return (CompletableFuture<?>) stage;
      }
      CompletableFuture<?> known = followers.getIfPresent(stage);
      if (known != null) {
        return known;
      }
      CompletableFuture<?> made = follower(stage);
      if (made != null) {
        CompletableFuture<?> raced = followers.asMap().putIfAbsent(stage, made);
        return raced != null ? raced : made;
      }
      return null;
    }

    /** True when {@code f} answers {@code isDone()} itself (the JDK's minimal stage does not). */
    private static boolean isPlain(CompletableFuture<?> f) {
      try {
        f.isDone();
        return true;
      } catch (Throwable unsupported) {
        return false;
      }
    }

    private static CompletableFuture<?> follower(CompletionStage<?> stage) {
      try {
        CompletableFuture<?> f = stage.toCompletableFuture();
        if (f != null) {
          return f;
        }
      } catch (Throwable unsupported) {
        // Legal for a CompletionStage; fall back to a callback.
      }
      CompletableFuture<Void> relay = new CompletableFuture<>();
      try {
        stage.whenComplete((v, e) -> relay.complete(null));
      } catch (Throwable refused) {
        return null;
      }
      return relay;
    }
  }

  boolean isCancelled() {
    return future != null && future.isDone();
  }

  /**
   * Waits {@code nanos} on the calling thread, or less when cancelled.
   *
   * @return true when the wait ended because of cancellation
   * @throws InterruptedException when the thread was interrupted
   */
  boolean await(long nanos) throws InterruptedException {
    if (nanos <= 0) {
      return isCancelled();
    }
    if (future == null) {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return false;
    }
    try {
      future.get(nanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException waited) {
      return false;
    } catch (ExecutionException | CancellationException completed) {
      return true;
    }
  }
}
