package dev.refusal.internal.diagnosis;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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

  /** How a streamed read of a file ended. */
  enum Read {
    COMPLETE,
    /** The deadline passed first; the lines given so far are all there is. */
    CUT_SHORT,
    UNREADABLE
  }

  /**
   * Gives the lines of one of the files in {@link ProcFiles#ALLOWED} to {@code sink}, header
   * included, until the file ends or {@code deadlineNanos} (by {@link System#nanoTime()}) passes.
   * The kernel writes {@code /proc/net/tcp} a page at a time as it is read, so stopping early
   * also stops the kernel's walk. This default reads the whole text through {@link #readFile}.
   */
  default Read readLines(String path, long deadlineNanos, Consumer<String> sink) {
    String text = readFile(path);
    if (text == null) {
      return Read.UNREADABLE;
    }
    int start = 0;
    int lines = 0;
    while (start < text.length()) {
      if ((++lines & 255) == 0 && System.nanoTime() - deadlineNanos >= 0) {
        return Read.CUT_SHORT;
      }
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      sink.accept(text.substring(start, end));
      start = end + 1;
    }
    return Read.COMPLETE;
  }

  /**
   * The LISTEN sockets on {@code port} from the kernel's exact lookup ({@link
   * ExactListenerLookup}), or null when this machine has none or it did not answer by {@code
   * deadlineNanos}: then only the table read through {@link #readLines} can tell. Never throws.
   */
  default List<ListenerTable.Row> listenersOn(int port, long deadlineNanos) {
    return null;
  }

  /** True when the file exists; only container markers are asked about. */
  boolean fileExists(String path);

  /** An environment variable, or null. */
  String env(String name);

  /** This host's interface addresses, each mapped to its interface name. */
  Map<InetAddress, String> localAddresses();

  /** Descriptor use of this process. */
  FdUsage fdUsage();
}
