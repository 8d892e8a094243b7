package dev.refusal.examples;

import dev.refusal.Diagnoser;
import dev.refusal.Diagnosis;
import dev.refusal.Endpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code refusal doctor [--json] [--budget 500ms] TARGET}: dials every address TARGET resolves to
 * with a plain {@link Socket}, and when none accepts, diagnoses the failure of the first one.
 *
 * <p>The dial is the doctor's own, not a client's: what it reports is what this host sees now.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    versionProvider = RefusalCli.Version.class,
    description = {"Dials TARGET on every address it resolves to; when none accepts, says why."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:an address accepted the connection",
        "1:no address accepted (or the name did not resolve); a diagnosis was printed",
        "2:bad input: unknown option, bad TARGET or DURATION",
        "3:an unexpected internal error"})
public final class DoctorCommand implements Callable<Integer> {

  /** The most a {@link Diagnoser} accepts as its budget; longer budgets still bound the dials. */
  private static final Duration MAX_DIAGNOSIS_BUDGET = Duration.ofSeconds(10);

  @Spec
  private CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  private boolean json;

  @Option(names = "--budget", paramLabel = "DURATION", defaultValue = "500ms",
      converter = DurationConverter.class,
      description = {"Connect timeout of each dial, and time budget of the diagnosis (which is"
          + " capped at 10s): 500ms, 2s, 1m or ISO-8601 such as PT0.5S; 1ms to 10m."
          + " Default: ${DEFAULT-VALUE}."})
  private Duration budget;

  @Parameters(paramLabel = "TARGET", converter = EndpointConverter.class,
      description = {"host:port, [ipv6]:port, or a URL; a URL's user-info, path and query"
          + " are dropped and never printed."})
  private Endpoint target;

  @Override
  public Integer call() {
    DoctorReport report = examine();
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? report.toJson() : report.toText());
    out.flush();
    return report.connected() ? RefusalCli.EXIT_CONNECTED : RefusalCli.EXIT_DIAGNOSED;
  }

  private DoctorReport examine() {
    Diagnoser diagnoser = Diagnoser.builder()
        .budget(budget.compareTo(MAX_DIAGNOSIS_BUDGET) > 0 ? MAX_DIAGNOSIS_BUDGET : budget)
        .build();
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(target.host());
    } catch (UnknownHostException e) {
      return DoctorReport.failed(target, List.of(), diagnoser.diagnose(target, e));
    }
    int timeoutMillis = Math.toIntExact(budget.toMillis());
    List<DoctorReport.Attempt> attempts = new ArrayList<>();
    for (InetAddress address : addresses) {
      DoctorReport.Attempt attempt =
          dial(new InetSocketAddress(address, target.port()), timeoutMillis);
      attempts.add(attempt);
      if (attempt.accepted()) {
        return DoctorReport.connected(target, attempts);
      }
    }
    DoctorReport.Attempt first = attempts.get(0);
    Diagnosis diagnosis =
        diagnoser.diagnose(target.withAddress(first.address()), first.failure());
    return DoctorReport.failed(target, attempts, diagnosis);
  }

  private static DoctorReport.Attempt dial(InetSocketAddress address, int timeoutMillis) {
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(address, timeoutMillis);
      return new DoctorReport.Attempt(address, null, System.nanoTime() - start);
    } catch (IOException e) {
      return new DoctorReport.Attempt(address, e, System.nanoTime() - start);
    }
  }
}
