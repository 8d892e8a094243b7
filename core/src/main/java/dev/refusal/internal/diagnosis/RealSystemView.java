package dev.refusal.internal.diagnosis;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.refusal.FailureKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The machine itself. Interface addresses are enumerated at most every few seconds. Listeners
 * are looked up exactly where the machine allows it ({@link ExactListenerLookup}).
 */
public final class RealSystemView implements SystemView {

  public static final RealSystemView INSTANCE = new RealSystemView(true);

  private static final RealSystemView TABLE_ONLY = new RealSystemView(false);

  private static final long INTERFACES_TTL_NANOS = 5_000_000_000L;

  private final boolean exact;
  private volatile Map<InetAddress, String> interfaces;
  private volatile long interfacesReadAt;

  private RealSystemView(boolean exact) {
    this.exact = exact;
  }

  /** The machine as seen without the exact lookup, so its two paths can be compared. */
  public static RealSystemView tableOnly() {
    return TABLE_ONLY;
  }

  /** True when listeners are looked up exactly here; loads the lookup, waiting for it. */
  public boolean hasExactLookup() {
    return exact && ExactListenerLookup.system() != null;
  }

  /** Until the lookup is loaded (on a thread of its own, at the first ask) the table is read. */
  @Override
  public List<ListenerTable.Row> listenersOn(int port, long deadlineNanos) {
    ExactListenerLookup lookup = exact ? ExactListenerLookup.systemIfLoaded() : null;
    return lookup == null ? null : lookup.listenersOn(port, deadlineNanos);
  }

  @Override
  public Dial dial(InetSocketAddress address, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(address, Math.max(1, timeoutMillis));
      return Dial.ACCEPTED;
    } catch (IOException | RuntimeException e) {
      FailureKind kind = FailureKind.of(e);
      switch (kind) {
        case REFUSED:
          return Dial.REFUSED;
        case CONNECT_TIMEOUT:
          return Dial.TIMED_OUT;
        case NO_ROUTE_TO_HOST:
        case NETWORK_UNREACHABLE:
          return Dial.UNREACHABLE;
        default:
          return Dial.FAILED;
      }
    }
  }

  @Override
  public String readFile(String path) {
    if (!ProcFiles.ALLOWED.contains(path)) {
      throw new IllegalArgumentException("not a file the probes may read: " + path);
    }
    // A stream, not Files.readAllBytes: /proc files report a size that is not their length, and
    // readAllBytes trusts it (it returns "3" for a port range of "32768 60999" here).
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public Read readLines(String path, long deadlineNanos, Consumer<String> sink) {
    if (!ProcFiles.ALLOWED.contains(path)) {
      throw new IllegalArgumentException("not a file the probes may read: " + path);
    }
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        Files.newInputStream(Path.of(path)), StandardCharsets.US_ASCII), 64 * 1024)) {
      int lines = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        sink.accept(line);
        // Every 256 lines (about 40 KiB of /proc/net/tcp): cheap enough, and fine enough that a
        // busy host's table never holds a diagnosis long past its budget.
        if ((++lines & 255) == 0 && System.nanoTime() - deadlineNanos >= 0) {
          return Read.CUT_SHORT;
        }
      }
      return Read.COMPLETE;
    } catch (IOException | RuntimeException e) {
      return Read.UNREADABLE;
    }
  }

  @Override
  public boolean fileExists(String path) {
    if (!ProcFiles.MARKERS.contains(path)) {
      throw new IllegalArgumentException("not a container marker: " + path);
    }
    try {
      return Files.exists(Path.of(path));
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public String env(String name) {
    try {
      return System.getenv(name);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public Map<InetAddress, String> localAddresses() {
    Map<InetAddress, String> current = interfaces;
    long now = System.nanoTime();
    if (current != null && now - interfacesReadAt < INTERFACES_TTL_NANOS) {
      return current;
    }
    Map<InetAddress, String> read = new LinkedHashMap<>();
    try {
      Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
      while (all != null && all.hasMoreElements()) {
        NetworkInterface nif = all.nextElement();
        for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
          if (ia.getAddress() != null) {
            read.put(withoutScope(ia.getAddress()), nif.getName());
          }
        }
      }
    } catch (SocketException | RuntimeException e) {
      return current == null ? Collections.emptyMap() : current;
    }
    interfaces = Collections.unmodifiableMap(read);
    interfacesReadAt = now;
    return interfaces;
  }

  /** Link-local addresses carry a scope id; comparisons must not depend on it. */
  static InetAddress withoutScope(InetAddress a) {
    if (a instanceof java.net.Inet6Address && ((java.net.Inet6Address) a).getScopeId() != 0) {
      try {
        return InetAddress.getByAddress(a.getAddress());
      } catch (IOException e) {
        return a;
      }
    }
    return a;
  }

  @Override
  public FdUsage fdUsage() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (!(os instanceof UnixOperatingSystemMXBean)) {
      return new FdUsage(-1, -1, false);
    }
    UnixOperatingSystemMXBean unix = (UnixOperatingSystemMXBean) os;
    long max = unix.getMaxFileDescriptorCount();
    try {
      return new FdUsage(unix.getOpenFileDescriptorCount(), max, false);
    } catch (InternalError e) {
      // Counting needs a descriptor of its own; with none left the JDK throws InternalError.
      return new FdUsage(-1, max, true);
    }
  }
}
