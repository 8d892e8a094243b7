package dev.refusal.examples;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.OutputStream;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * The library's log lines as structured JSON: Logback with logstash-logback-encoder, which writes
 * each event's SLF4J 2 key-values ({@code endpoint}, {@code cause}, {@code confidence}, {@code
 * attempt}, {@code state}) as top-level JSON fields, ready for a log pipeline to index.
 *
 * <p>In an application this is configuration, not code: a {@code logback.xml} with
 *
 * <pre>{@code
 * <appender name="JSON" class="ch.qos.logback.core.ConsoleAppender">
 *   <encoder class="net.logstash.logback.encoder.LogstashEncoder"/>
 * </appender>
 * <logger name="dev.refusal" level="INFO"><appender-ref ref="JSON"/></logger>
 * }</pre>
 *
 * <p>This class does the same programmatically, so a test can read what it writes.
 */
public final class StructuredLoggingExample {

  private StructuredLoggingExample() {}

  /**
   * Sends the {@code dev.refusal} loggers' events, INFO and up, as one JSON object per line to
   * {@code out}; returns the appender, to detach with {@link #stop}.
   */
  public static OutputStreamAppender<ILoggingEvent> logJsonTo(OutputStream out) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setName("refusal-json");
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    Logger logger = context.getLogger("dev.refusal");
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    logger.addAppender(appender);
    return appender;
  }

  /** Detaches and stops what {@link #logJsonTo} attached. */
  public static void stop(OutputStreamAppender<ILoggingEvent> appender) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger("dev.refusal").detachAppender(appender);
    appender.stop();
  }
}
