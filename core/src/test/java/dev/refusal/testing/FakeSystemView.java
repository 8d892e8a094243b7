package dev.refusal.testing;

import dev.refusal.internal.diagnosis.ListenerTable;
import dev.refusal.internal.diagnosis.RealSystemView;
import dev.refusal.internal.diagnosis.SystemView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real machine with chosen parts replaced: environment variables, container markers and
 * /proc files can be invented; dials go to the real network and are recorded, so a test can
 * assert exactly which addresses and ports the probes touched.
 *
 * <p>Only what cannot be made real in a test is replaced (a Kubernetes environment, a firewall
 * outside a lab host); say which in the test that does it.
 */
public final class FakeSystemView implements SystemView {
  private final SystemView real = RealSystemView.INSTANCE;
  private final Map<String, String> env = new HashMap<>();
  private final Map<String, Boolean> markers = new HashMap<>();
  // Synchronized: the guard's recovery watch reads files on its own thread while a test edits them.
  private final Map<String, String> files = Collections.synchronizedMap(new HashMap<>());
  private volatile Runnable onDial;
  private final List<InetSocketAddress> dialled = Collections.synchronizedList(new ArrayList<>());
  private final List<String> filesRead = Collections.synchronizedList(new ArrayList<>());
  private boolean containerMarkersReal = false;
  private volatile boolean exactLookup;
  private final java.util.concurrent.atomic.AtomicInteger lookups =
      new java.util.concurrent.atomic.AtomicInteger();

  /** A view with no container markers (this sandbox has /.dockerenv) and everything else real. */
  public static FakeSystemView noContainer() {
    return new FakeSystemView();
  }

  /** The real machine, container markers included, with dials recorded. */
  public static FakeSystemView recordingOnly() {
    FakeSystemView v = new FakeSystemView();
    v.containerMarkersReal = true;
    return v;
  }

  public FakeSystemView env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public FakeSystemView marker(String path, boolean exists) {
    markers.put(path, exists);
    return this;
  }

  public FakeSystemView file(String path, String content) {
    files.put(path, content);
    return this;
  }

  /** Runs {@code hook} on the dialling thread before every dial from now on. */
  public FakeSystemView onDial(Runnable hook) {
    this.onDial = hook;
    return this;
  }

  /** Every address dialled so far, in order. */
  public List<InetSocketAddress> dialled() {
    synchronized (dialled) {
      return List.copyOf(dialled);
    }
  }

  /** Every file read so far, in order. */
  public List<String> filesRead() {
    synchronized (filesRead) {
      return List.copyOf(filesRead);
    }
  }

  /**
   * Answers {@link #listenersOn} with the machine's exact lookup (off by default: the fake then
   * has none, and listeners are read from the table files, real or invented).
   */
  public FakeSystemView exactListenerLookup(boolean on) {
    exactLookup = on;
    return this;
  }

  /** How many exact listener lookups were asked of this view. */
  public int lookups() {
    return lookups.get();
  }

  @Override
  public List<ListenerTable.Row> listenersOn(int port, long deadlineNanos) {
    if (!exactLookup) {
      return null;
    }
    lookups.incrementAndGet();
    // Loaded now, waiting for it: the real view would read the table until it is.
    dev.refusal.internal.diagnosis.ExactListenerLookup lookup =
        dev.refusal.internal.diagnosis.ExactListenerLookup.system();
    return lookup == null ? null : lookup.listenersOn(port, deadlineNanos);
  }

  @Override
  public Dial dial(InetSocketAddress address, int timeoutMillis) {
    dialled.add(address);
    Runnable hook = onDial;
    if (hook != null) {
      hook.run();
    }
    return real.dial(address, timeoutMillis);
  }

  @Override
  public String readFile(String path) {
    filesRead.add(path);
    synchronized (files) {
      if (files.containsKey(path)) {
        return files.get(path);
      }
    }
    if (!containerMarkersReal && path.equals("/proc/1/cgroup")) {
      return "0::/\n";
    }
    return real.readFile(path);
  }

  @Override
  public boolean fileExists(String path) {
    if (markers.containsKey(path)) {
      return markers.get(path);
    }
    return containerMarkersReal && real.fileExists(path);
  }

  @Override
  public String env(String name) {
    if (env.containsKey(name)) {
      return env.get(name);
    }
    return containerMarkersReal ? real.env(name) : null;
  }

  @Override
  public Map<InetAddress, String> localAddresses() {
    return real.localAddresses();
  }

  @Override
  public FdUsage fdUsage() {
    return real.fdUsage();
  }
}
