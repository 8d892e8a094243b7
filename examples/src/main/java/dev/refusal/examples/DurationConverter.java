package dev.refusal.examples;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration option: a whole number with a unit ({@code 500ms}, {@code 2s}, {@code 1m}) or
 * ISO-8601 ({@code PT0.5S}), from 1 ms to 10 minutes.
 */
final class DurationConverter implements ITypeConverter<Duration> {

  static final Duration MIN = Duration.ofMillis(1);
  static final Duration MAX = Duration.ofMinutes(10);

  private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,9})(ms|s|m)");
  private static final Pattern ISO = Pattern.compile("[-+]?[Pp].*");

  @Override
  public Duration convert(String text) {
    String trimmed = text.strip();
    Duration d = parse(trimmed);
    // A socket connect timeout of 0 means "wait forever", and under 1 ms it rounds to 0.
    if (d.compareTo(MIN) < 0 || d.compareTo(MAX) > 0) {
      throw new TypeConversionException(
          "duration '" + trimmed + "' is out of range (must be 1ms to 10m)");
    }
    return d;
  }

  private static Duration parse(String text) {
    Matcher m = WITH_UNIT.matcher(text.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        default:
          return Duration.ofMinutes(amount);
      }
    }
    if (ISO.matcher(text).matches()) {
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        // Falls through to the one message that lists every accepted form.
      }
    }
    throw new TypeConversionException(
        "'" + text + "' is not a duration (expected e.g. 500ms, 2s, 1m or PT0.5S)");
  }
}
