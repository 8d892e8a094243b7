package dev.refusal.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

@DisplayName("--budget durations")
final class DurationConverterTest {

  private final DurationConverter converter = new DurationConverter();

  @ParameterizedTest(name = "''{0}'' is {1} ms")
  @CsvSource({"500ms, 500", "2s, 2000", "1m, 60000", "PT0.5S, 500", "pt2s, 2000", "2S, 2000",
      "1ms, 1", "10m, 600000", "' 750ms ', 750"})
  @DisplayName("accepts a whole number with ms, s or m, and ISO-8601")
  void accepts(String text, long millis) {
    assertThat(converter.convert(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "''{0}'' is rejected")
  @ValueSource(strings = {"5parsecs", "", "500", "ms", "1.5s", "500 ms", "-1s", "PT", "P1X",
      "1h", "9999999999s"})
  @DisplayName("rejects anything else, naming the accepted forms")
  void rejectsOtherForms(String text) {
    assertThatThrownBy(() -> converter.convert(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("500ms, 2s, 1m or PT0.5S");
  }

  @ParameterizedTest(name = "''{0}'' is out of range")
  @ValueSource(strings = {"0ms", "PT0S", "PT0.0001S", "PT-1S", "-PT1S", "601s", "11m"})
  @DisplayName("rejects durations under 1 ms, which a socket would read as 'no timeout', or over"
      + " 10 minutes")
  void rejectsOutOfRange(String text) {
    assertThatThrownBy(() -> converter.convert(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("out of range");
  }
}
