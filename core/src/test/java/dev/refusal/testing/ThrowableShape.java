package dev.refusal.testing;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Renders an exception's chain as one line, so a test can pin the exact shape a client produces
 * and a failure message shows it: {@code java.net.ConnectException: null <-
 * java.nio.channels.ClosedChannelException: null}.
 *
 * <p>Each exception is {@code class: message}, with a null message written as {@code null}
 * (unlike {@link Throwable#toString()}, which drops it). Suppressed exceptions follow their holder
 * in braces: {@code A: m {suppressed: B: n <- C: o}}. An exception already rendered is written as
 * {@code (cycle)}.
 */
public final class ThrowableShape {

  private ThrowableShape() {}

  /** The one-line shape of {@code failure}, or {@code "null"}. */
  public static String of(Throwable failure) {
    if (failure == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    render(failure, out, Collections.newSetFromMap(new IdentityHashMap<>()));
    return out.toString();
  }

  private static void render(Throwable first, StringBuilder out, Set<Throwable> seen) {
    Throwable t = first;
    while (t != null) {
      if (t != first) {
        out.append(" <- ");
      }
      if (!seen.add(t)) {
        out.append("(cycle)");
        return;
      }
      out.append(t.getClass().getName()).append(": ").append(t.getMessage());
      Throwable[] suppressed = t.getSuppressed();
      if (suppressed.length > 0) {
        out.append(" {suppressed: ");
        for (int i = 0; i < suppressed.length; i++) {
          if (i > 0) {
            out.append("; ");
          }
          render(suppressed[i], out, seen);
        }
        out.append('}');
      }
      t = t.getCause();
    }
  }
}
