package dev.refusal.internal.diagnosis;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Everything the probes learn from the machine: dials, the few files they may read, environment
 * variables, local interfaces and descriptor use. The real one touches the system; tests put a
 * recording or partly invented one in its place.
 */
public interface SystemView {

  /** What a bare TCP connect (no byte sent) found. */
  enum Dial {
    ACCEPTED,
    REFUSED,
    TIMED_OUT,
    UNREACHABLE,
    FAILED
  }

  /** Descriptor use of this process; {@code open} is -1 when it cannot be read. */
  final class FdUsage {
    public final long open;
    public final long max;
    public final boolean exhausted;

    public FdUsage(long open, long max, boolean exhausted) {
      this.open = open;
      this.max = max;
      this.exhausted = exhausted;
    }
  }

  /** Dials {@code address} and closes at once; never throws. */
  Dial dial(InetSocketAddress address, int timeoutMillis);

  /**
   * Returns the text of one of the files in {@link ProcFiles#ALLOWED}, or null when it cannot be
   * read. Any other path is refused.
   */
  String readFile(String path);

  /** True when the file exists; only container markers are asked about. */
  boolean fileExists(String path);

  /** An environment variable, or null. */
  String env(String name);

  /** This host's interface addresses, each mapped to its interface name. */
  Map<InetAddress, String> localAddresses();

  /** Descriptor use of this process. */
  FdUsage fdUsage();
}
