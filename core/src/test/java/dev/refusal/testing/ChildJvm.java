package dev.refusal.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} class in a fresh JVM: the same {@code java} and class path as the test, for
 * failures a test cannot provoke in its own process (running out of file descriptors) or that
 * need start-up settings (a resolver that never asks DNS).
 *
 * <pre>{@code
 * ChildJvm.Result r = ChildJvm.main(SomeMain.class)
 *     .openFileLimit(40)
 *     .timeout(Duration.ofSeconds(30))
 *     .run("socket");
 * }</pre>
 *
 * <p>The child's output goes to files, not pipes, so a chatty child cannot block on a full pipe.
 * A child still running at the timeout is killed and the run fails with an {@link
 * AssertionError} that shows its output so far.
 */
public final class ChildJvm {

  private final Class<?> mainClass;
  private final List<String> jvmOptions = new ArrayList<>();
  private int openFileLimit;
  private String classPath = System.getProperty("java.class.path");
  private Duration timeout = Duration.ofSeconds(60);

  private ChildJvm(Class<?> mainClass) {
    this.mainClass = mainClass;
  }

  /** A child that will run {@code mainClass}'s {@code main} method. */
  public static ChildJvm main(Class<?> mainClass) {
    return new ChildJvm(mainClass);
  }

  /**
   * Starts the child under {@code ulimit -n limit} (through {@code /bin/sh}), so it runs out of
   * file descriptors after a few dozen opens.
   */
  public ChildJvm openFileLimit(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, but was " + limit);
    }
    this.openFileLimit = limit;
    return this;
  }

  /** Adds a JVM option, such as {@code -Dname=value}. */
  public ChildJvm jvmOption(String option) {
    jvmOptions.add(option);
    return this;
  }

  /**
   * Makes the child resolve names only from a hosts file that knows {@code localhost} (as
   * 127.0.0.1) and nothing else, through the JDK's {@code jdk.net.hosts.file}: an unknown name
   * then fails without a DNS query leaving the host.
   */
  public ChildJvm resolveOnlyLocalhost() {
    try {
      Path hosts = Files.createTempFile("refusal-hosts", ".txt");
      hosts.toFile().deleteOnExit();
      Files.writeString(hosts, "127.0.0.1 localhost\n", StandardCharsets.US_ASCII);
      return jvmOption("-Djdk.net.hosts.file=" + hosts);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write a hosts file", e);
    }
  }

  /** Runs the child on {@code classPath} instead of the test's own class path. */
  public ChildJvm classPath(String classPath) {
    if (classPath == null || classPath.isBlank()) {
      throw new IllegalArgumentException("classPath must not be empty, but was " + classPath);
    }
    this.classPath = classPath;
    return this;
  }

  /** How long the child may run before it is killed; 60 seconds unless set. */
  public ChildJvm timeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /** Runs the child with {@code args} and waits for it, at most the timeout. */
  public Result run(String... args) {
    List<String> command = new ArrayList<>();
    if (openFileLimit > 0) {
      // "$@" hands the java command line through the shell unchanged, whatever it contains.
      command.addAll(List.of("/bin/sh", "-c", "ulimit -n " + openFileLimit + " && exec \"$@\"",
          "sh"));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classPath, mainClass.getName()));
    command.addAll(List.of(args));

    Path stdout = null;
    Path stderr = null;
    Process process = null;
    try {
      stdout = Files.createTempFile("child-jvm", ".out");
      stderr = Files.createTempFile("child-jvm", ".err");
      process = new ProcessBuilder(command)
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile())
          .start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("child JVM " + mainClass.getName() + " still running after "
            + timeout + "; killed it. stdout: " + Files.readAllLines(stdout) + " stderr: "
            + Files.readAllLines(stderr));
      }
      return new Result(process.exitValue(), Files.readAllLines(stdout),
          Files.readAllLines(stderr));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for the child JVM", e);
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      deleteQuietly(stdout);
      deleteQuietly(stderr);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // A leftover temp file in target/ does no harm.
      }
    }
  }

  /** What the child did: its exit code and its output, line by line. */
  public record Result(int exitCode, List<String> stdout, List<String> stderr) {

    /** The only line the child printed, failing with its whole output if there was not one. */
    public String singleLine() {
      if (stdout.size() != 1) {
        throw new AssertionError("expected one line from the child (exit " + exitCode
            + "), got stdout " + stdout + " stderr " + stderr);
      }
      return stdout.get(0);
    }
  }
}
