package dev.codec.client.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Decrypts a deployment's variables once and runs a command with them added to its environment:
 * a container entrypoint wrapper for runners.
 */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {
            "Runs a command with a deployment's variables.",
            "Decrypts the variables (one DecryptAll call, with the metadata's grant and seal) and "
                + "runs CMD with them added to its environment, without codec-cli's own CODEC_* settings "
                + "(token file, target, TLS files). Values are never printed or written to disk. CMD "
                + "inherits stdin/stdout/stderr; SIGTERM/SIGINT/SIGHUP are forwarded to it as SIGTERM, and "
                + "codec-cli exits with its exit code. If the codec cannot be reached or refuses the call, "
                + "CMD is not started: one line starting 'codec-cli:' on stderr, and an exit code of "
                + "codec-cli's own (64-78)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "N:the exit code of CMD (128+S if it died of signal S)",
            "64-78:CMD was not started; codec-cli's own failure (see codec-cli --help)",
            "127:CMD could not be started"
        })
final class ExecCommand implements Callable<Integer> {
    static final int EXIT_CANNOT_START = 127;

    @Mixin
    DeploymentOptions deployment;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Environment variables of codec-cli's own settings (token file, target, TLS files, ...). */
    static final String OWN_SETTINGS_PREFIX = "CODEC_";

    @Override
    public Integer call() throws Exception {
        Map<String, String> environment = deployment.decrypt();
        ProcessBuilder child = new ProcessBuilder(command);
        scrub(child.environment());
        child.environment().putAll(environment);
        try {
            return ChildProcess.run(child);
        } catch (ChildProcess.StartFailedException e) {
            spec.commandLine().getErr().println("codec-cli: exec failed: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return EXIT_CANNOT_START;
        }
    }

    /**
     * Removes codec-cli's own settings from the command's inherited environment: every {@code CODEC_*}
     * variable (the token file, target, CA, certificate and key files). The command gets the deployment's
     * variables (added after this, so a deployment variable named {@code CODEC_...} is kept) and
     * nothing that lets it call the codec as this runner.
     */
    static void scrub(Map<String, String> environment) {
        environment.keySet().removeIf(name -> name.toUpperCase(Locale.ROOT).startsWith(OWN_SETTINGS_PREFIX));
    }
}
