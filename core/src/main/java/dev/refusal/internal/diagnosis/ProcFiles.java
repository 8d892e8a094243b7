package dev.refusal.internal.diagnosis;

import java.util.Set;

/** The only files the probes read: documented here so a security review has one place to look. */
public final class ProcFiles {
  public static final String TCP = "/proc/net/tcp";
  public static final String TCP6 = "/proc/net/tcp6";
  public static final String NETSTAT = "/proc/net/netstat";
  /** Socket counts of this network namespace; the recovery watch reads the TCP "inuse" lines. */
  public static final String SOCKSTAT = "/proc/net/sockstat";
  public static final String SOCKSTAT6 = "/proc/net/sockstat6";
  public static final String SOMAXCONN = "/proc/sys/net/core/somaxconn";
  public static final String PORT_RANGE = "/proc/sys/net/ipv4/ip_local_port_range";
  public static final String INIT_CGROUP = "/proc/1/cgroup";
  public static final String DOCKERENV = "/.dockerenv";
  public static final String CONTAINERENV = "/run/.containerenv";

  /** Files whose contents may be read. */
  public static final Set<String> ALLOWED =
      Set.of(TCP, TCP6, NETSTAT, SOCKSTAT, SOCKSTAT6, SOMAXCONN, PORT_RANGE, INIT_CGROUP);

  /** Files whose existence may be checked. */
  public static final Set<String> MARKERS = Set.of(DOCKERENV, CONTAINERENV);

  private ProcFiles() {}
}
