package dev.refusal;

import java.util.Objects;

/**
 * One observation a probe made while diagnosing, such as {@code listener-table: LISTEN on
 * 127.0.0.1:8080}. Immutable.
 */
public final class Evidence {
  private final String probe;
  private final String observation;

  private Evidence(String probe, String observation) {
    this.probe = probe;
    this.observation = observation;
  }

  /**
   * Returns evidence from {@code probe}.
   *
   * @throws NullPointerException if either argument is null
   */
  public static Evidence of(String probe, String observation) {
    return new Evidence(Objects.requireNonNull(probe, "probe"),
        Objects.requireNonNull(observation, "observation"));
  }

  /** The name of the probe that looked, such as {@code dns} or {@code loopback-probe}. */
  public String probe() {
    return probe;
  }

  /** What it saw, in one sentence. */
  public String observation() {
    return observation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Evidence && ((Evidence) o).probe.equals(probe)
        && ((Evidence) o).observation.equals(observation);
  }

  @Override
  public int hashCode() {
    return 31 * probe.hashCode() + observation.hashCode();
  }

  @Override
  public String toString() {
    return probe + ": " + observation;
  }
}
