package dev.refusal.jdkhttp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * Calls {@code HttpClient}'s JDK 21 methods ({@code close}, {@code shutdown}, {@code
 * shutdownNow}, {@code awaitTermination}, {@code isTerminated}) on a delegate, from code compiled
 * for Java 17. Each is looked up once; where the running JDK lacks it, the call does what JDK 21's
 * {@code HttpClient} defaults do.
 *
 * <p>A multi-release jar would need a JDK 21 compiler in a build that must also run on JDK 17;
 * method handles need nothing and cost a direct call once linked.
 */
final class TerminationMethods {

  private static final MethodHandle CLOSE = find("close", void.class);
  private static final MethodHandle SHUTDOWN = find("shutdown", void.class);
  private static final MethodHandle SHUTDOWN_NOW = find("shutdownNow", void.class);
  private static final MethodHandle AWAIT_TERMINATION =
      find("awaitTermination", boolean.class, Duration.class);
  private static final MethodHandle IS_TERMINATED = find("isTerminated", boolean.class);

  private TerminationMethods() {}

  /** True when the running JDK's {@code HttpClient} has these methods (JDK 21 and later). */
  static boolean available() {
    return CLOSE != null;
  }

  static void close(HttpClient client) {
    if (CLOSE != null) {
      try {
        CLOSE.invokeExact(client);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new UndeclaredThrowableException(t);
      }
    }
  }

  static void shutdown(HttpClient client) {
    if (SHUTDOWN != null) {
      try {
        SHUTDOWN.invokeExact(client);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new UndeclaredThrowableException(t);
      }
    }
  }

  static void shutdownNow(HttpClient client) {
    if (SHUTDOWN_NOW != null) {
      try {
        SHUTDOWN_NOW.invokeExact(client);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new UndeclaredThrowableException(t);
      }
    }
  }

  static boolean awaitTermination(HttpClient client, Duration duration)
      throws InterruptedException {
    Objects.requireNonNull(duration, "duration");
    if (AWAIT_TERMINATION == null) {
      return true;
    }
    try {
      return (boolean) AWAIT_TERMINATION.invokeExact(client, duration);
    } catch (RuntimeException | Error | InterruptedException e) {
      throw e;
    } catch (Throwable t) {
      throw new UndeclaredThrowableException(t);
    }
  }

  static boolean isTerminated(HttpClient client) {
    if (IS_TERMINATED == null) {
      return false;
    }
    try {
      return (boolean) IS_TERMINATED.invokeExact(client);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new UndeclaredThrowableException(t);
    }
  }

  private static MethodHandle find(String name, Class<?> returnType, Class<?>... parameters) {
    try {
      return MethodHandles.publicLookup().findVirtual(HttpClient.class, name,
          MethodType.methodType(returnType, parameters));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }
}
