package dev.refusal.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.testing.ChildJvm;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The JDK client retries a refused connect once by itself, at once, on a channel it already
 * closed (two SYNs per {@code send} on JDK 17 and 25), unless {@code
 * -Djdk.httpclient.disableRetryConnect=true}; newer JDK builds may drop it. The guard's view must
 * not depend on it.
 */
@DisplayName("The JDK's own connect retry, on or off")
class JdkConnectRetryTest {

  private static String[] fields(String line) {
    return line.split("\t", -1);
  }

  @Test
  @DisplayName("gives the same classification, attempt counts and message either way; only the"
      + " JDK's own exception differs")
  void sameEitherWay() throws Exception {
    String[] withRetry = fields(RefusedSend.report());
    String[] withoutRetry = fields(ChildJvm.main(RefusedSend.class)
        .jvmOption("-Djdk.httpclient.disableRetryConnect=true")
        .jvmOption("-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file"))
        .timeout(Duration.ofSeconds(60))
        .run()
        .singleLine());

    String attempts = Integer.toString(RefusedSend.ATTEMPTS);
    for (String[] run : new String[][] {withRetry, withoutRetry}) {
      assertThat(run[0]).isEqualTo("DiagnosedConnectException");
      assertThat(run[1]).isEqualTo("REFUSED");
      assertThat(run[2]).isEqualTo("NO_LISTENER");
      assertThat(run[3]).as("sync attempts").isEqualTo(attempts);
      assertThat(run[4]).isEqualTo("DiagnosedConnectException");
      assertThat(run[5]).as("async attempts").isEqualTo(attempts);
    }
    assertThat(withoutRetry[6]).isEqualTo(withRetry[6]);
    // The switch took effect: without the JDK's retry, its exception is the channel's refusal.
    assertThat(withoutRetry[7]).contains("Connection refused")
        .doesNotContain("ClosedChannelException");
  }
}
