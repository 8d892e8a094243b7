package dev.refusal.internal.diagnosis;

import java.util.Locale;

/** Tells whether this process runs in a container, and by which marker. */
public final class ContainerMarkers {

  private ContainerMarkers() {}

  /** The first marker found, as evidence text, or null when there is none. */
  public static String detect(SystemView system) {
    if (system.env("KUBERNETES_SERVICE_HOST") != null) {
      return "KUBERNETES_SERVICE_HOST is set (a Kubernetes pod)";
    }
    if (system.fileExists(ProcFiles.DOCKERENV)) {
      return ProcFiles.DOCKERENV + " exists (a Docker container)";
    }
    if (system.fileExists(ProcFiles.CONTAINERENV)) {
      return ProcFiles.CONTAINERENV + " exists (a Podman container)";
    }
    String cgroup = system.readFile(ProcFiles.INIT_CGROUP);
    if (cgroup != null) {
      String c = cgroup.toLowerCase(Locale.ROOT);
      for (String runtime : new String[] {"kubepods", "docker", "containerd", "libpod", "lxc"}) {
        if (c.contains(runtime)) {
          return ProcFiles.INIT_CGROUP + " names " + runtime;
        }
      }
    }
    return null;
  }
}
