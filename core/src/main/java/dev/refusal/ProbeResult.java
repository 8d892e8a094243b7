package dev.refusal;

import java.util.Objects;

/** What a {@link Probe} reports: nothing, an observation, or a conclusion. Immutable. */
public final class ProbeResult {
  private static final ProbeResult NOTHING = new ProbeResult(null, null, null, null, null);

  private final String observation;
  private final RefusalCause cause;
  private final Confidence confidence;
  private final String summary;
  private final String remedy;

  private ProbeResult(String observation, RefusalCause cause, Confidence confidence,
      String summary, String remedy) {
    this.observation = observation;
    this.cause = cause;
    this.confidence = confidence;
    this.summary = summary;
    this.remedy = remedy;
  }

  /** The probe has nothing to add. */
  public static ProbeResult nothing() {
    return NOTHING;
  }

  /** The probe saw something worth recording as evidence, but draws no conclusion. */
  public static ProbeResult observed(String observation) {
    return new ProbeResult(Objects.requireNonNull(observation, "observation"), null, null, null,
        null);
  }

  /**
   * The probe names the cause. It replaces the built-in conclusion when its confidence is higher,
   * or when the built-in probes found nothing ({@link RefusalCause#UNKNOWN}).
   *
   * @param observation what it saw, recorded as evidence
   * @param summary what was found, in one sentence
   * @param remedy what to do
   */
  public static ProbeResult concluded(RefusalCause cause, Confidence confidence,
      String observation, String summary, String remedy) {
    return new ProbeResult(Objects.requireNonNull(observation, "observation"),
        Objects.requireNonNull(cause, "cause"), Objects.requireNonNull(confidence, "confidence"),
        Objects.requireNonNull(summary, "summary"), Objects.requireNonNull(remedy, "remedy"));
  }

  String observation() {
    return observation;
  }

  RefusalCause cause() {
    return cause;
  }

  Confidence confidence() {
    return confidence;
  }

  String summary() {
    return summary;
  }

  String remedy() {
    return remedy;
  }
}
