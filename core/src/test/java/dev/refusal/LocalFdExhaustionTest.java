package dev.refusal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.testing.ChildJvm;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A process out of file descriptors is LOCAL_FD_EXHAUSTION")
class LocalFdExhaustionTest {

  @Test
  @DisplayName("a child JVM under ulimit -n 256 uses every descriptor, then dials: the real"
      + " EMFILE, diagnosed while still exhausted")
  void realDescriptorExhaustion() throws Exception {
    ChildJvm.Result r = ChildJvm.main(FdExhaustionScenario.class).openFileLimit(256)
        .timeout(Duration.ofSeconds(60)).run();
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode d = new ObjectMapper().readTree(r.singleLine());

    assertThat(d.get("failure").asText()).contains("Too many open files");
    assertThat(d.get("kind").asText()).isEqualTo("LOCAL_FD_EXHAUSTED");
    assertThat(d.get("cause").asText()).isEqualTo("LOCAL_FD_EXHAUSTION");
    assertThat(d.get("confidence").asText()).isEqualTo("HIGH");
    assertThat(d.get("diagnosis").asText()).contains("ulimit -n").contains("limit 256");
  }
}
