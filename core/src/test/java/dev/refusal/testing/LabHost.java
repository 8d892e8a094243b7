package dev.refusal.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test host: a Linux network namespace with {@code lo} up and a veth link to a peer namespace,
 * holding the addresses 10.77.N.2/24 and fd77:N::2/64 (the peer has .3 and ::3). Every packet a
 * scenario sends stays inside these namespaces. {@link #close()} removes both namespaces, and
 * {@link #leftovers()} lets a suite check that none survived.
 *
 * <p>Needs root and iproute2; {@link #unavailableReason()} says why not when it cannot run, so the
 * test skips with that reason.
 */
public final class LabHost implements AutoCloseable {
  private static final String PREFIX = "refusal-lab-";
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final String name;
  private final String peer;
  private final InetAddress v4;
  private final InetAddress v6;

  private LabHost(String name, String peer, InetAddress v4, InetAddress v6) {
    this.name = name;
    this.peer = peer;
    this.v4 = v4;
    this.v6 = v6;
  }

  /** Why lab hosts cannot be made here, or empty when they can. */
  public static Optional<String> unavailableReason() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return Optional.of("lab hosts need Linux network namespaces");
    }
    if (!new File("/usr/sbin/ip").canExecute() && !new File("/sbin/ip").canExecute()
        && !new File("/usr/bin/ip").canExecute()) {
      return Optional.of("lab hosts need iproute2's ip command");
    }
    String probe = PREFIX + "probe-" + ProcessHandle.current().pid();
    Result add = run(10, "ip", "netns", "add", probe);
    if (add.exit != 0) {
      return Optional.of("cannot create a network namespace (root needed): " + add.err.trim());
    }
    run(10, "ip", "netns", "del", probe);
    return Optional.empty();
  }

  /** Makes a host and its peer; throws when the machine refuses. */
  public static LabHost create() {
    int n = (int) ((ProcessHandle.current().pid() * 7 + COUNTER.incrementAndGet()) % 200) + 1;
    String name = PREFIX + ProcessHandle.current().pid() + "-" + n;
    String peer = name + "-peer";
    LabHost host;
    try {
      host = new LabHost(name, peer, InetAddress.getByName("10.77." + n + ".2"),
          InetAddress.getByName("fd77:" + Integer.toHexString(n) + "::2"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      must("ip", "netns", "add", name);
      must("ip", "netns", "add", peer);
      must("ip", "-n", name, "link", "set", "lo", "up");
      must("ip", "-n", peer, "link", "set", "lo", "up");
      must("ip", "-n", name, "link", "add", "lab0", "type", "veth", "peer", "name", "lab0",
          "netns", peer);
      must("ip", "-n", name, "addr", "add", "10.77." + n + ".2/24", "dev", "lab0");
      must("ip", "-n", peer, "addr", "add", "10.77." + n + ".3/24", "dev", "lab0");
      must("ip", "-n", name, "addr", "add", "fd77:" + Integer.toHexString(n) + "::2/64", "dev",
          "lab0", "nodad");
      must("ip", "-n", peer, "addr", "add", "fd77:" + Integer.toHexString(n) + "::3/64", "dev",
          "lab0", "nodad");
      must("ip", "-n", name, "link", "set", "lab0", "up");
      must("ip", "-n", peer, "link", "set", "lab0", "up");
    } catch (RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }

  /** The host's IPv4 address on its veth link. */
  public InetAddress v4() {
    return v4;
  }

  /** The host's IPv6 address on its veth link. */
  public InetAddress v6() {
    return v6;
  }

  /** Runs a command inside the host, such as {@code iptables ...}; returns its result. */
  public Result exec(String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(Arrays.asList(command));
    return run(30, full.toArray(new String[0]));
  }

  /**
   * Runs {@code main} in a child JVM inside the host, with this test JVM's class path and hosts
   * file, and returns its result; the child is killed if it outlives {@code timeoutSeconds}.
   */
  public Result java(Class<?> main, int timeoutSeconds, String... args) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name,
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    String hosts = System.getProperty("jdk.net.hosts.file");
    if (hosts != null) {
      command.add("-Djdk.net.hosts.file=" + hosts);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(Arrays.asList(args));
    return run(timeoutSeconds, command.toArray(new String[0]));
  }

  /** Removes both namespaces; safe to call twice. */
  @Override
  public void close() {
    run(10, "ip", "netns", "del", name);
    run(10, "ip", "netns", "del", peer);
  }

  /** Lab namespaces still present on this machine. */
  public static List<String> leftovers() {
    Result list = run(10, "ip", "netns", "list");
    List<String> out = new ArrayList<>();
    for (String line : list.out.split("\n")) {
      if (line.startsWith(PREFIX)) {
        out.add(line.split("\\s+")[0]);
      }
    }
    return out;
  }

  /** The outcome of a command. */
  public static final class Result {
    public final int exit;
    public final String out;
    public final String err;

    Result(int exit, String out, String err) {
      this.exit = exit;
      this.out = out;
      this.err = err;
    }

    /** The last line of standard output that starts with '{', the scenario's JSON report. */
    public String jsonLine() {
      String found = null;
      for (String line : out.split("\n")) {
        if (line.startsWith("{")) {
          found = line;
        }
      }
      if (found == null) {
        throw new AssertionError("no JSON line from the scenario; exit " + exit + "\nstdout:\n"
            + out + "\nstderr:\n" + err);
      }
      return found;
    }

    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  private static void must(String... command) {
    Result r = run(30, command);
    if (r.exit != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + r.err.trim());
    }
  }

  private static Result run(int timeoutSeconds, String... command) {
    try {
      Path err = Files.createTempFile("lab", ".err");
      try {
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
          return new Result(-1, out.getNow(""), "timed out after " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return new Result(-1, "", e.toString());
    }
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
