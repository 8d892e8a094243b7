package dev.refusal.examples;

import dev.refusal.Confidence;
import dev.refusal.Diagnoser;
import dev.refusal.Probe;
import dev.refusal.ProbeContext;
import dev.refusal.ProbeResult;
import dev.refusal.RefusalCause;
import java.util.Map;
import java.util.Set;

/**
 * A probe plugged in through the SPI: here a stand-in for a service catalogue (Consul, a
 * Kubernetes endpoint list) that knows which instances are registered. When the failed endpoint
 * is not in the catalogue, it concludes STALE_ADDRESS with HIGH confidence.
 */
public final class CustomProbeExample {

  private CustomProbeExample() {}

  /** A probe that looks endpoints up in {@code catalogue} (service name to host:port set). */
  public static Probe catalogueProbe(Map<String, Set<String>> catalogue) {
    return new Probe() {
      @Override
      public String name() {
        return "catalogue";
      }

      @Override
      public ProbeResult probe(ProbeContext context) {
        String instance = context.endpoint().toString();
        for (Map.Entry<String, Set<String>> service : catalogue.entrySet()) {
          if (service.getValue().contains(instance)) {
            return ProbeResult.observed(instance + " is a registered instance of "
                + service.getKey());
          }
        }
        return ProbeResult.concluded(RefusalCause.STALE_ADDRESS, Confidence.HIGH,
            instance + " is in no service's instance list",
            "the instance was deregistered; the client still holds its old address",
            "Refresh the client's view of the catalogue, or restart its connection pool.");
      }
    };
  }

  /** A diagnoser that runs the catalogue probe after the built-in ones. */
  public static Diagnoser diagnoserWith(Map<String, Set<String>> catalogue) {
    return Diagnoser.builder().addProbe(catalogueProbe(catalogue)).build();
  }
}
