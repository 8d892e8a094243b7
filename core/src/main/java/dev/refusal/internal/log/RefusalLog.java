package dev.refusal.internal.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * Refusal's own log lines, with key-values, on whichever SLF4J API the application resolved.
 * Maven often picks {@code slf4j-api} 1.7 (resilience4j declares it nearer than Refusal's 2.x),
 * which has no fluent API: calling {@code atWarn()} there throws {@code NoSuchMethodError} into
 * the caller. So the API is detected once; on 2.x the key-values go through the fluent API, on
 * 1.7 they are folded into the message as {@code key=value} after it. Nothing a log call does
 * (a broken appender, a missing method) is thrown to the caller. Thread-safe.
 */
public final class RefusalLog {

  /** Whether the SLF4J API on the class path has the 2.x fluent API. */
  static final boolean FLUENT = hasFluentApi();

  private final Logger logger;

  private RefusalLog(Logger logger) {
    this.logger = logger;
  }

  /** The log named {@code name}. */
  public static RefusalLog named(String name) {
    return new RefusalLog(LoggerFactory.getLogger(name));
  }

  /** The log named after {@code type}. */
  public static RefusalLog of(Class<?> type) {
    return named(type.getName());
  }

  public boolean isDebugEnabled() {
    return logger.isDebugEnabled();
  }

  public boolean isInfoEnabled() {
    return logger.isInfoEnabled();
  }

  /** A DEBUG line, or nothing when DEBUG is off. */
  public LogLine debug() {
    return logger.isDebugEnabled() ? new LogLine(this, LogLine.Level.DEBUG) : LogLine.OFF;
  }

  /** An INFO line, or nothing when INFO is off. */
  public LogLine info() {
    return logger.isInfoEnabled() ? new LogLine(this, LogLine.Level.INFO) : LogLine.OFF;
  }

  /** A WARN line, or nothing when WARN is off. */
  public LogLine warn() {
    return logger.isWarnEnabled() ? new LogLine(this, LogLine.Level.WARN) : LogLine.OFF;
  }

  /** A WARN line without key-values, with {@code thrown}'s stack trace; never throws. */
  public void warn(String message, Throwable thrown) {
    try {
      logger.warn(message, thrown);
    } catch (RuntimeException | LinkageError e) {
      // A log line must never break the call that writes it.
    }
  }

  /** Writes {@code line}; never throws. */
  void write(LogLine line, String format, Object[] args) {
    try {
      if (FLUENT) {
        FluentLines.write(logger, line, format, args);
      } else {
        String message = MessageFormatter.arrayFormat(format, args).getMessage();
        String folded = line.folded(message);
        switch (line.level) {
          case DEBUG -> logger.debug(folded);
          case INFO -> logger.info(folded);
          default -> logger.warn(folded);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // A log line must never break the call that writes it.
    }
  }

  private static boolean hasFluentApi() {
    try {
      Logger.class.getMethod("atWarn");
      Class.forName("org.slf4j.spi.LoggingEventBuilder", false, Logger.class.getClassLoader());
      return true;
    } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
      return false;
    }
  }
}
