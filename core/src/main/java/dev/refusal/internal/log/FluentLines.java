package dev.refusal.internal.log;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes a {@link LogLine} through SLF4J 2's fluent API. Loaded only when that API is present
 * ({@link RefusalLog#FLUENT}), so nothing here links against 1.7.
 */
final class FluentLines {

  private FluentLines() {}

  static void write(Logger logger, LogLine line, String format, Object[] args) {
    LoggingEventBuilder b = switch (line.level) {
      case DEBUG -> logger.atDebug();
      case INFO -> logger.atInfo();
      default -> logger.atWarn();
    };
    for (int i = 0; i < line.keys.size(); i++) {
      b = b.addKeyValue(line.keys.get(i), line.values.get(i));
    }
    b.log(format, args);
  }
}
