package dev.refusal;

/**
 * A check that the {@link Diagnoser} runs after its own probes, to add evidence or name the cause
 * from knowledge the library lacks (a Consul catalogue, a Kubernetes endpoint list, a deployment
 * log).
 *
 * <p>Contract: a probe is thread-safe, looks only at the endpoint it is given, and returns within
 * {@link ProbeContext#remaining()}. It runs on the diagnoser's probe thread; one that overruns is
 * abandoned (and interrupted), and one that throws is recorded as evidence: neither ever reaches
 * the caller whose request failed.
 */
public interface Probe {

  /** A short name for the evidence it gives, such as {@code consul}. */
  String name();

  /**
   * Looks at the failed endpoint.
   *
   * @return what it saw or concluded; {@link ProbeResult#nothing()} when it has nothing to add
   * @throws Exception when it cannot look; the diagnosis records the failure and goes on
   */
  ProbeResult probe(ProbeContext context) throws Exception;
}
