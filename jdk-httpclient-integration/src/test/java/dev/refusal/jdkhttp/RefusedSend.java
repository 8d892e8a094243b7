package dev.refusal.jdkhttp;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.testing.ClosedPort;
import dev.refusal.testing.ThrowableShape;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One wrapped {@code send} and one {@code sendAsync} to a closed loopback port, summed up in one
 * tab-separated line: the exception type, diagnosed kind and cause, the guard's attempts (sync,
 * then async), the diagnosed message with the port blanked, and the shape of the JDK's own
 * exception. Runs in this JVM or, as {@code main}, in a child started with other JDK settings.
 */
public final class RefusedSend {

  static final int ATTEMPTS = 3;

  private RefusedSend() {}

  public static void main(String[] args) throws Exception {
    System.out.println(report());
    System.exit(0);
  }

  static String report() throws Exception {
    int port = ClosedPort.find();
    RecordingListener syncEvents = new RecordingListener();
    HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    DiagnosedConnectException sync;
    try {
      RefusalHttpClient.wrap(jdk, Fixtures.fastGuard(syncEvents, ATTEMPTS))
          .send(Fixtures.get("127.0.0.1", port), HttpResponse.BodyHandlers.discarding());
      throw new AssertionError("127.0.0.1:" + port + " accepted");
    } catch (DiagnosedConnectException e) {
      sync = e;
    }
    RecordingListener asyncEvents = new RecordingListener();
    Throwable async;
    try {
      RefusalHttpClient.wrap(jdk, Fixtures.fastGuard(asyncEvents, ATTEMPTS))
          .sendAsync(Fixtures.get("127.0.0.1", port), HttpResponse.BodyHandlers.discarding())
          .get(30, TimeUnit.SECONDS);
      throw new AssertionError("127.0.0.1:" + port + " accepted");
    } catch (ExecutionException e) {
      async = e.getCause();
    }
    return String.join("\t",
        sync.getClass().getSimpleName(),
        sync.diagnosis().kind().name(),
        sync.diagnosis().cause().name(),
        Long.toString(syncEvents.failedAttempts()),
        async.getClass().getSimpleName(),
        Long.toString(asyncEvents.failedAttempts()),
        sync.getMessage().replace(Integer.toString(port), "PORT").replaceAll(" \\(diagnosed.*", ""),
        ThrowableShape.of(sync.getCause()));
  }
}
