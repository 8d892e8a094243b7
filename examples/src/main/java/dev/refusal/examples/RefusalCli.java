package dev.refusal.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code refusal} command line: {@code refusal doctor TARGET} dials a target and says why it
 * refused, {@code refusal demo} shows a refusal being diagnosed on this machine.
 *
 * <p>Exit codes: 0 connected (or the demo ran), 1 a diagnosed failure, 2 bad input, 3 an
 * unexpected internal error. Errors are one line on stderr, never a stack trace, and never echo an
 * argument that could hold URL user-info or a query.
 */
@Command(name = "refusal", mixinStandardHelpOptions = true,
    versionProvider = RefusalCli.Version.class,
    description = "Diagnoses 'Connection refused' and its neighbours.",
    subcommands = {DoctorCommand.class, DemoCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:connected (doctor) or ran (demo)",
        "1:doctor: no address accepted, a diagnosis was printed;"
            + " demo: no refusal could be made",
        "2:bad input: unknown option, bad target or duration",
        "3:an unexpected internal error"})
public final class RefusalCli implements Runnable {

  static final int EXIT_CONNECTED = 0;
  static final int EXIT_DIAGNOSED = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_INTERNAL = 3;

  /** Replaces an argument that may carry a secret wherever a message would repeat it. */
  private static final String HIDDEN = "<hidden: may hold a secret>";

  @Spec
  private CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with its error handling; tests run it in-process with their own writers. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RefusalCli());
    // "@file" would otherwise be read as a file of arguments, and a target may start with '@'.
    cli.setExpandAtFiles(false);
    cli.setParameterExceptionHandler(RefusalCli::badInput);
    cli.setExecutionExceptionHandler((e, failed, parseResult) -> {
      oneLine(failed, "internal error: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()),
          parseResult.originalArgs().toArray(new String[0]));
      return EXIT_INTERNAL;
    });
    return cli;
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command: doctor or demo");
  }

  private static int badInput(ParameterException e, String[] args) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    oneLine(e.getCommandLine(), message + " (see '"
        + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')", args);
    return EXIT_USAGE;
  }

  private static void oneLine(CommandLine where, String message, String[] args) {
    PrintWriter err = where.getErr();
    err.println(where.getCommandSpec().qualifiedName() + ": "
        + hideSecrets(message, args).replaceAll("[\\r\\n]+", " "));
    err.flush();
  }

  /**
   * Replaces, in {@code message}, every argument (or the value of an {@code --option=value}) that
   * holds '@', '?' or '#'. Picocli repeats unmatched and invalid arguments verbatim, and such an
   * argument is most likely a URL with user-info, a query or a fragment, which may hold a token.
   */
  static String hideSecrets(String message, String[] args) {
    List<String> risky = new ArrayList<>();
    for (String arg : args) {
      addIfRisky(risky, arg);
      int eq = arg.indexOf('=');
      if (arg.startsWith("-") && eq > 0) {
        addIfRisky(risky, arg.substring(eq + 1));
      }
    }
    // Longest first, so an --option=value is hidden whole before its value alone is looked for.
    risky.sort(Comparator.comparingInt(String::length).reversed());
    String result = message;
    for (String arg : risky) {
      result = result.replace(arg, HIDDEN);
    }
    return result;
  }

  private static void addIfRisky(List<String> risky, String text) {
    if (text.indexOf('@') >= 0 || text.indexOf('?') >= 0 || text.indexOf('#') >= 0) {
      risky.add(text);
    }
  }

  /** The version Maven wrote into {@code version.properties} when it built this jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = RefusalCli.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"refusal " + properties.getProperty("version", "(unknown version)"),
          "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
  }
}
