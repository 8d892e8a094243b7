package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A diagnosis copied with one part changed")
class DiagnosisCopyTest {

  private final Diagnosis d = Diagnosis.of(Endpoint.of("orders", 8080), FailureKind.REFUSED,
      RefusalCause.NO_LISTENER, Confidence.HIGH, "nothing listens", "Start it.",
      List.of(Evidence.of("reprobe", "refused")), Duration.ofMillis(3));

  @Test
  @DisplayName("withSummary, withRemedy and withEvidence change that part and keep every other")
  void eachWithChangesOnePart() {
    Diagnosis summary = d.withSummary("nothing listens; more");
    Diagnosis remedy = d.withRemedy("Start it now.");
    Diagnosis evidence = d.withEvidence(List.of(Evidence.of("routes", "one")));

    assertThat(summary.summary()).isEqualTo("nothing listens; more");
    assertThat(remedy.remedy()).isEqualTo("Start it now.");
    assertThat(evidence.evidence()).containsExactly(Evidence.of("routes", "one"));
    for (Diagnosis copy : List.of(summary, remedy, evidence)) {
      assertThat(copy.endpoint()).isEqualTo(d.endpoint());
      assertThat(copy.kind()).isEqualTo(d.kind());
      assertThat(copy.cause()).isEqualTo(d.cause());
      assertThat(copy.confidence()).isEqualTo(d.confidence());
      assertThat(copy.elapsed()).isEqualTo(d.elapsed());
    }
    assertThat(summary.remedy()).isEqualTo(d.remedy());
    assertThat(remedy.evidence()).isEqualTo(d.evidence());
    assertThat(evidence.summary()).isEqualTo(d.summary());
    assertThat(d.summary()).isEqualTo("nothing listens");
  }

  @Test
  @DisplayName("null parts are refused by name")
  void nulls() {
    assertThatThrownBy(() -> d.withSummary(null)).hasMessage("summary");
    assertThatThrownBy(() -> d.withRemedy(null)).hasMessage("remedy");
    assertThatThrownBy(() -> d.withEvidence(null)).hasMessage("evidence");
  }

  @Test
  @DisplayName("toBuilder builds an equal copy, and a copy with one part changed keeps the rest")
  void toBuilderRoundTrip() {
    Diagnosis same = d.toBuilder().build();
    Diagnosis medium = d.toBuilder().confidence(Confidence.MEDIUM).build();

    for (Diagnosis copy : List.of(same, medium)) {
      assertThat(copy.endpoint()).isEqualTo(d.endpoint());
      assertThat(copy.kind()).isEqualTo(d.kind());
      assertThat(copy.cause()).isEqualTo(d.cause());
      assertThat(copy.summary()).isEqualTo(d.summary());
      assertThat(copy.remedy()).isEqualTo(d.remedy());
      assertThat(copy.evidence()).isEqualTo(d.evidence());
      assertThat(copy.elapsed()).isEqualTo(d.elapsed());
    }
    assertThat(same.confidence()).isEqualTo(Confidence.HIGH);
    assertThat(same.toString()).isEqualTo(d.toString());
    assertThat(medium.confidence()).isEqualTo(Confidence.MEDIUM);
    assertThat(d.confidence()).isEqualTo(Confidence.HIGH);
  }

  @Test
  @DisplayName("the builder refuses null parts by name")
  void builderNulls() {
    Diagnosis.Builder b = d.toBuilder();
    assertThatThrownBy(() -> b.endpoint(null)).hasMessage("endpoint");
    assertThatThrownBy(() -> b.kind(null)).hasMessage("kind");
    assertThatThrownBy(() -> b.cause(null)).hasMessage("cause");
    assertThatThrownBy(() -> b.confidence(null)).hasMessage("confidence");
    assertThatThrownBy(() -> b.summary(null)).hasMessage("summary");
    assertThatThrownBy(() -> b.remedy(null)).hasMessage("remedy");
    assertThatThrownBy(() -> b.evidence(null)).hasMessage("evidence");
    assertThatThrownBy(() -> b.elapsed(null)).hasMessage("elapsed");
  }
}
