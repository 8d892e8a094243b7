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

  /** The peer's IPv4 address: the "server host" of two-host scenarios. */
  public InetAddress serverV4() {
    return address("10.77." + subnet() + ".3");
  }

  /** Runs a command inside the host, such as {@code iptables ...}; returns its result. */
  public Result exec(String... command) {
    return execIn(name, command);
  }

  /** Runs a command inside the peer (the server host). */
  public Result execOnServer(String... command) {
    return execIn(peer, command);
  }

  private static Result execIn(String namespace, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(Arrays.asList(command));
    return run(30, full.toArray(new String[0]));
  }

  /**
   * Runs {@code main} in a child JVM inside the host, with this test JVM's class path and hosts
   * file, and returns its result; the child is killed if it outlives {@code timeoutSeconds}.
   */
  public Result java(Class<?> main, int timeoutSeconds, String... args) {
    return run(timeoutSeconds, javaCommand(name, true, List.of(), main, args).toArray(new String[0]));
  }

  /**
   * Like {@link #java}, with extra JVM options; {@code hostsFile} false lets the child resolve
   * through the host's resolv.conf (see {@link #useNameServer}).
   */
  public Result java(Class<?> main, int timeoutSeconds, boolean hostsFile, List<String> jvmOptions,
      String... args) {
    return run(timeoutSeconds,
        javaCommand(name, hostsFile, jvmOptions, main, args).toArray(new String[0]));
  }

  /**
   * Starts {@code main} in a child JVM inside the peer (the server host) and waits until it
   * prints a line starting with {@code READY}; closing the result kills it.
   */
  public Background startOnServer(Class<?> main, String... args) {
    try {
      Process p = new ProcessBuilder(javaCommand(peer, true, List.of(), main, args))
          .redirectErrorStream(true).start();
      java.io.BufferedReader out = new java.io.BufferedReader(
          new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("READY")) {
              return line;
            }
          }
          return null;
        } catch (IOException e) {
          return null;
        }
      });
      String line = ready.get(30, TimeUnit.SECONDS);
      if (line == null) {
        p.destroyForcibly();
        throw new IllegalStateException(main.getName() + " ended before it was ready");
      }
      return new Background(p, line);
    } catch (Exception e) {
      throw new IllegalStateException("could not start " + main.getName() + " on the server", e);
    }
  }

  /**
   * Makes the host resolve names through {@code nameServer}: {@code ip netns exec} mounts
   * /etc/netns/NAME/resolv.conf over /etc/resolv.conf for everything run inside the host.
   */
  public void useNameServer(InetAddress nameServer) {
    try {
      Path dir = Path.of("/etc/netns", name);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("resolv.conf"),
          "nameserver " + nameServer.getHostAddress() + "\noptions timeout:1 attempts:1\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Gives the host its own {@code /etc/hosts}: {@code ip netns exec} mounts
   * /etc/netns/NAME/hosts over /etc/hosts for everything run inside the host, as Docker's
   * {@code --add-host} or Kubernetes' {@code hostAliases} write one into a container.
   */
  public void useHostsFile(String content) {
    try {
      Path dir = Path.of("/etc/netns", name);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("hosts"), content, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds an IPv4 address to the peer's link, such as a second "instance" of a service. */
  public InetAddress addServerAddress(int lastOctet) {
    InetAddress a = address("10.77." + subnet() + "." + lastOctet);
    must("ip", "-n", peer, "addr", "add", a.getHostAddress() + "/24", "dev", "lab0");
    return a;
  }

  private int subnet() {
    return v4.getAddress()[2] & 0xff;
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> javaCommand(String namespace, boolean hostsFile,
      List<String> jvmOptions, Class<?> main, String... args) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    String hosts = System.getProperty("jdk.net.hosts.file");
    if (hostsFile && hosts != null) {
      command.add("-Djdk.net.hosts.file=" + hosts);
    }
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** Removes both namespaces and the host's resolv.conf and hosts file; safe to call twice. */
  @Override
  public void close() {
    run(10, "ip", "netns", "del", name);
    run(10, "ip", "netns", "del", peer);
    try {
      Path dir = Path.of("/etc/netns", name);
      Files.deleteIfExists(dir.resolve("resolv.conf"));
      Files.deleteIfExists(dir.resolve("hosts"));
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // Nothing was there.
    }
  }

  /** A child process on the server host; closing kills it. */
  public static final class Background implements AutoCloseable {
    private final Process process;
    private final String readyLine;

    Background(Process process, String readyLine) {
      this.process = process;
      this.readyLine = readyLine;
    }

    /** The line the child printed when ready, such as {@code READY port=8080}. */
    public String readyLine() {
      return readyLine;
    }

    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Lab namespaces this JVM made that are still present (other JVMs, such as a parallel build,
   * may have labs of their own).
   */
  public static List<String> leftovers() {
    Result list = run(10, "ip", "netns", "list");
    List<String> out = new ArrayList<>();
    String mine = PREFIX + ProcessHandle.current().pid() + "-";
    for (String line : list.out.split("\n")) {
      if (line.startsWith(mine)) {
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
