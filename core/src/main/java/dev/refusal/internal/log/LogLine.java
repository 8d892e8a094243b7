package dev.refusal.internal.log;

import java.util.ArrayList;
import java.util.List;

/**
 * One log line being built: its key-values, then {@link #log}. A line for a level that is off
 * ({@link #OFF}) records nothing. Not thread-safe; build and log it on one thread.
 */
public final class LogLine {

  enum Level { DEBUG, INFO, WARN }

  /** The line of a level that is off: every call is a no-op. */
  static final LogLine OFF = new LogLine(null, null);

  private final RefusalLog log;
  final Level level;
  final List<String> keys;
  final List<Object> values;

  LogLine(RefusalLog log, Level level) {
    this.log = log;
    this.level = level;
    this.keys = log == null ? List.of() : new ArrayList<>(6);
    this.values = log == null ? List.of() : new ArrayList<>(6);
  }

  /** Adds a key-value; {@code value} is written with {@link String#valueOf(Object)}. */
  public LogLine kv(String key, Object value) {
    if (log != null) {
      keys.add(key);
      values.add(value);
    }
    return this;
  }

  /** Writes the line: {@code format} with SLF4J's {@code {}} placeholders filled by {@code args}. */
  public void log(String format, Object... args) {
    if (log != null) {
      log.write(this, format, args);
    }
  }

  /** {@code message} followed by the key-values as {@code key=value}, for SLF4J 1.7. */
  String folded(String message) {
    StringBuilder sb = new StringBuilder(message);
    for (int i = 0; i < keys.size(); i++) {
      sb.append(i == 0 ? " [" : ", ").append(keys.get(i)).append('=').append(values.get(i));
    }
    if (!keys.isEmpty()) {
      sb.append(']');
    }
    return sb.toString();
  }
}
