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
        description = "Talks to the codec envelope-encryption service.",
        subcommands = {
            KeygenCommand.class,
            GenerateDekCommand.class,
            EncryptCommand.class,
            DecryptAllCommand.class,
            RewrapCommand.class,
            StatusCommand.class,
            GrantCommand.class,
            ExecCommand.class,
            EnvCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:the call failed (the service refused it or could not be reached)",
            "2:invalid command line"
        })
public final class CodecCli implements Runnable {
    /** Exit code of a failed call or a failed local operation. */
    public static final int EXIT_FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
     * Must run before the first lookup; a value set by the user (the security property
     * {@code networkaddress.cache.ttl} or {@code -Dsun.net.inetaddr.ttl}) wins.
     */
    static void shortDnsCache() {
        if (java.security.Security.getProperty("networkaddress.cache.ttl") == null
                && System.getProperty("sun.net.inetaddr.ttl") == null) {
            java.security.Security.setProperty("networkaddress.cache.ttl", DNS_CACHE_SECONDS);
        }
    }

    /**
     * A command line tool makes a handful of calls: it needs neither Netty's Unsafe buffers nor its
     * native transport, and on JDK 24+ both print several WARNING lines to stderr, burying the one line
     * codec-cli prints. Must run before any Netty class loads; a value set by the user wins.
     */
    static void quietNetty() {
        for (String prefix : new String[] {"io.grpc.netty.shaded.io.netty.", "io.netty."}) {
            System.setProperty(prefix + "noUnsafe", System.getProperty(prefix + "noUnsafe", "true"));
            System.setProperty(prefix + "transport.noNative", System.getProperty(prefix + "transport.noNative", "true"));
        }
    }

    /** The configured command line (tests call {@code execute} on it with their own streams). */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new CodecCli()).setExecutionExceptionHandler(CodecCli::handleFailure);
        // everything after exec's first positional (the command) belongs to that command, options included
        commandLine.getSubcommands().get("exec").setStopAtPositional(true);
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    private static int handleFailure(Exception failure, CommandLine commandLine, CommandLine.ParseResult parsed) {
        PrintWriter err = commandLine.getErr();
        if (failure instanceof CodecException codec) {
            err.println("codec-cli: " + commandLine.getCommandName() + " failed: " + codec.getMessage());
        } else {
            err.println("codec-cli: " + commandLine.getCommandName() + " failed: " + failure.getMessage());
        }
        err.flush();
        return EXIT_FAILED;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CodecCli.class.getPackage().getImplementationVersion();
            return new String[] {"codec-cli " + (version == null ? "dev" : version)};
        }
    }
}
