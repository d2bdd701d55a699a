package dev.codec.client.cli;

import dev.codec.client.CodecException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code codec-cli}: command line access to the codec service, and KEK generation. */
@Command(
    name = "codec-cli",
    mixinStandardHelpOptions = true,
    versionProvider = CodecCli.Version.class,
    description = {
      "Talks to the codec envelope-encryption service.",
      "Every option can also be set by an environment variable (shown with each option); the "
          + "command line wins. Results print as one line of JSON unless -o or --field says "
          + "otherwise."
    },
    subcommands = {
      KeygenCommand.class,
      GenerateDekCommand.class,
      EncryptCommand.class,
      DecryptAllCommand.class,
      RewrapCommand.class,
      StatusCommand.class,
      SealCommand.class,
      GrantCommand.class,
      ExecCommand.class,
      EnvCommand.class,
      CodecCli.Completion.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes (sysexits):%n",
    exitCodeList = {
      " 0:success",
      "64:invalid command line",
      "65:bad data: an input file is malformed, or the service refused the data",
      "66:an input file does not exist or cannot be read",
      "69:the key this data needs is not loaded, or legacy input is refused",
      "70:internal error (codec-cli or the service)",
      "73:an output file cannot be created",
      "74:local I/O error",
      "75:temporary: unreachable, overloaded or deadline exceeded; retry later",
      "77:not authenticated or not allowed (token, certificate, grant, permission)",
      "78:codec-cli configuration: a token, CA, certificate or key file is unusable"
    })
public final class CodecCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    quietNetty();
    shortDnsCache();
    System.exit(newCommandLine().execute(args));
  }

  /** The JVM caches resolved addresses for this long at most in the CLI, unless the user set it. */
  static final String DNS_CACHE_SECONDS = "5";

  /**
   * The JVM caches successful lookups for 30 s by default, longer than a headless Service's records
   * live (5 s): after a rolling update the client would be handed addresses of pods that are gone.
   * Must run before the first lookup; a value set by the user (the security property {@code
   * networkaddress.cache.ttl} or {@code -Dsun.net.inetaddr.ttl}) wins.
   */
  static void shortDnsCache() {
    if (java.security.Security.getProperty("networkaddress.cache.ttl") == null
        && System.getProperty("sun.net.inetaddr.ttl") == null) {
      java.security.Security.setProperty("networkaddress.cache.ttl", DNS_CACHE_SECONDS);
    }
  }

  /**
   * A command line tool makes a handful of calls: it needs neither Netty's Unsafe buffers nor its
   * native transport, and on JDK 24+ both print several WARNING lines to stderr, burying the one
   * line codec-cli prints. codec-cli.jar has no Netty (its transport is grpc-okhttp); this is for
   * the commands run on a class path with Netty (codec-server's tests run them in-process). Must
   * run before any Netty class loads; a value set by the user wins.
   */
  static void quietNetty() {
    for (String prefix : new String[] {"io.grpc.netty.shaded.io.netty.", "io.netty."}) {
      System.setProperty(prefix + "noUnsafe", System.getProperty(prefix + "noUnsafe", "true"));
      System.setProperty(
          prefix + "transport.noNative", System.getProperty(prefix + "transport.noNative", "true"));
    }
  }

  /** The configured command line (tests call {@code execute} on it with their own streams). */
  public static CommandLine newCommandLine() {
    CommandLine commandLine =
        new CommandLine(new CodecCli()).setExecutionExceptionHandler(CodecCli::handleFailure);
    commandLine.setExitCodeExceptionMapper(ExitCodes::of);
    Version version = new Version();
    everyCommand(
        commandLine,
        command ->
            command
                .getCommandSpec()
                .exitCodeOnInvalidInput(ExitCodes.USAGE)
                .exitCodeOnExecutionException(ExitCodes.SOFTWARE)
                .versionProvider(version));
    // everything after exec's first positional (the command) belongs to that command, options
    // included
    commandLine.getSubcommands().get("exec").setStopAtPositional(true);
    return commandLine;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  static void everyCommand(CommandLine command, java.util.function.Consumer<CommandLine> action) {
    action.accept(command);
    command.getSubcommands().values().forEach(sub -> everyCommand(sub, action));
  }

  /** One line on stderr (never a stack trace), and the exit code of the failure's category. */
  private static int handleFailure(
      Exception failure, CommandLine commandLine, CommandLine.ParseResult parsed) {
    PrintWriter err = commandLine.getErr();
    String message =
        failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    if (failure instanceof CodecException codec && codec.requestId() != null) {
      message += " (request id " + codec.requestId() + ")";
    }
    err.println("codec-cli: " + commandLine.getCommandName() + " failed: " + message);
    err.flush();
    return ExitCodes.of(failure);
  }

  /** {@code generate-completion}: picocli's bash/zsh completion script for codec-cli. */
  @Command(
      name = "generate-completion",
      mixinStandardHelpOptions = true,
      description = {
        "Prints a bash/zsh completion script for codec-cli.",
        "Load it with: source <(codec-cli generate-completion)"
      })
  static final class Completion extends picocli.AutoComplete.GenerateCompletion {}

  /**
   * {@code --version}: the codec version this jar was built as (Maven fills it in), and the JVM.
   */
  static final class Version implements CommandLine.IVersionProvider {
    static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() throws java.io.IOException {
      return new String[] {
        "codec-cli " + buildVersion(),
        "JVM: "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")",
        "OS: " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
      };
    }

    static String buildVersion() throws java.io.IOException {
      java.util.Properties properties = new java.util.Properties();
      try (java.io.InputStream in = CodecCli.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new java.io.IOException(RESOURCE + " is missing from the build");
        }
        properties.load(in);
      }
      return properties.getProperty("version");
    }
  }
}
