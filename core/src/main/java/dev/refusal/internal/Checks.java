package dev.refusal.internal;

import java.time.Duration;
import java.util.Objects;

/** Builder-setting checks whose messages name the setting and the bad value. */
public final class Checks {

  private Checks() {}

  /** Returns {@code value}, or throws naming {@code name} when it is outside min..max. */
  public static int range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max
          + ", but was " + value);
    }
    return value;
  }

  /** Returns {@code value}, or throws naming {@code name} when it is null or outside min..max. */
  public static Duration range(String name, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max
          + ", but was " + value);
    }
    return value;
  }
}
