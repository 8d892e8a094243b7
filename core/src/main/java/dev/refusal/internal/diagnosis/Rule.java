package dev.refusal.internal.diagnosis;

import dev.refusal.Endpoint;

/**
 * The rule for one situation of a failed connect: what every rule works with.
 *
 * <p>A rule runs the probes of its {@link ProbeKit} that its situation calls for, notes and
 * concludes in the {@link Findings}, and never throws on purpose; one instance per diagnosis.
 */
abstract class Rule {

  final Findings findings;
  final ProbeKit kit;
  /** The endpoint that failed; {@code kit} probes only its port. */
  final Endpoint endpoint;

  Rule(Findings findings, ProbeKit kit) {
    this.findings = findings;
    this.kit = kit;
    this.endpoint = kit.endpoint();
  }
}
