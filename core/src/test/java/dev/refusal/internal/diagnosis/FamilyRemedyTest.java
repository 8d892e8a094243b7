package dev.refusal.internal.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.internal.diagnosis.FamilyRemedy.Source;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Family remedies name only settings that change what is dialled")
class FamilyRemedyTest {

  private static final InetAddress V4 = address("127.0.0.1");
  private static final InetAddress V6 = address("::1");
  private static final InetAddress ANY_V4 = address("0.0.0.0");
  private static final InetAddress ANY_V6 = address("::");

  @Test
  @DisplayName("every source, dialled family and kind of accepting address: never"
      + " preferIPv4Stack; preferIPv6Addresses only for a name with both families")
  void everyCombination() {
    int checked = 0;
    for (Source source : Source.values()) {
      for (boolean dialledV4 : new boolean[] {true, false}) {
        InetAddress dialled = dialledV4 ? V4 : V6;
        for (InetAddress accepting : dialledV4 ? List.of(V6, ANY_V6) : List.of(V4, ANY_V4)) {
          String remedy = FamilyRemedy.of(source, "orders", dialled, accepting);
          String at = source + " dialled " + dialled + " accepting " + accepting + ": " + remedy;

          assertThat(remedy).as(at).startsWith("Bind the service to both families")
              .doesNotContain("preferIPv4Stack");
          if (source == Source.NAME_WITH_BOTH_FAMILIES) {
            assertThat(remedy).as(at).contains(dialledV4 ? "-Djava.net.preferIPv6Addresses=true"
                : "-Djava.net.preferIPv6Addresses=false");
          } else {
            assertThat(remedy).as(at).doesNotContain("preferIPv6Addresses");
          }
          if (source == Source.NAME_WITH_ONE_FAMILY) {
            assertThat(remedy).as(at).contains("give orders an " + (dialledV4 ? "IPv6" : "IPv4"))
                .contains("No JVM setting helps");
          }
          assertThat(remedy).as(at).contains(accepting.isAnyLocalAddress()
              ? "an " + (dialledV4 ? "IPv6" : "IPv4") + " address of the service"
              : "dial " + (dialledV4 ? "::1" : "127.0.0.1"));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(12);
  }

  @Test
  @DisplayName("the source: a literal, a name with both families, a name with one")
  void sources() {
    assertThat(FamilyRemedy.sourceOf(true, List.of(V4))).isEqualTo(Source.LITERAL);
    assertThat(FamilyRemedy.sourceOf(false, List.of(V4, V6)))
        .isEqualTo(Source.NAME_WITH_BOTH_FAMILIES);
    assertThat(FamilyRemedy.sourceOf(false, List.of(V4))).isEqualTo(Source.NAME_WITH_ONE_FAMILY);
    assertThat(FamilyRemedy.sourceOf(false, List.of(V6))).isEqualTo(Source.NAME_WITH_ONE_FAMILY);
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
