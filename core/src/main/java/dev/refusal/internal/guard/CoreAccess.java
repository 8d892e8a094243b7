package dev.refusal.internal.guard;

import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import java.util.concurrent.CompletableFuture;

/**
 * What the guard's pieces need from the public package that is not public API: the diagnoser's
 * history and the rejection constructor. The guard's facade supplies it; nothing here calls back
 * into the facade itself.
 */
public interface CoreAccess {

  /** Diagnoses a failed attempt on the calling thread, within the diagnoser's budget. */
  Diagnosis diagnose(Endpoint dialled, Throwable failure);

  /** Diagnoses a failed attempt on a diagnosis thread; never completes exceptionally. */
  CompletableFuture<Diagnosis> diagnoseAsync(Endpoint dialled, Throwable failure);

  /** Tells the diagnoser the endpoint last answered {@code agoNanos} ago. */
  void recordSuccessAgo(Endpoint endpoint, long agoNanos);

  /** A rejection without dialling: no stack trace, {@code lastFailure} as its cause. */
  DiagnosedConnectException rejection(String message, Diagnosis diagnosis, Throwable lastFailure);
}
