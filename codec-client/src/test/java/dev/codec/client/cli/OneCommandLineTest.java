package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code CodecCli.commandLineFor}: when the first argument names a command, only that command's
 * picocli model is built (the start-up cost of a runner's {@code codec-cli exec}); it must behave
 * exactly as the whole tree does for that command.
 */
class OneCommandLineTest {
  private record Run(int exitCode, String out, String err) {}

  private static Run run(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        commandLine
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void commands_areExactlyTheTreesOwnSubcommands() {
    Set<String> tree = new TreeSet<>(CodecCli.newCommandLine().getSubcommands().keySet());
    tree.remove("help");
    tree.remove("generate-completion");
    assertEquals(tree, new TreeSet<>(CodecCli.COMMANDS.keySet()));
  }

  @Test
  void firstArgumentACommand_buildsOnlyThatCommand() {
    CommandLine one = CodecCli.commandLineFor("exec", "--metadata", "m.json", "--", "true");
    assertEquals(Set.of("exec"), one.getSubcommands().keySet());
    assertTrue(
        one.getSubcommands().get("exec").getCommandSpec().userObject() instanceof ExecCommand);
  }

  @Test
  void anythingElse_buildsTheWholeTree() {
    for (String[] args :
        new String[][] {{}, {"--version"}, {"help", "exec"}, {"exce"}, {"-h"}, {"--target", "x"}}) {
      CommandLine line = CodecCli.commandLineFor(args);
      assertTrue(line.getSubcommands().size() > CodecCli.COMMANDS.size(), String.join(" ", args));
      assertNotSame(CodecCli.OneCommand.class, line.getCommandSpec().userObject().getClass());
    }
  }

  @Test
  void everyCommand_hasTheSameHelp_exitCodesAndSettings_asInTheTree() {
    CommandLine tree = CodecCli.newCommandLine();
    for (String name : CodecCli.COMMANDS.keySet()) {
      CommandLine alone = CodecCli.commandLineFor(name).getSubcommands().get(name);
      CommandLine inTree = tree.getSubcommands().get(name);
      assertEquals(inTree.getUsageMessage(), alone.getUsageMessage(), name + " --help");
      assertEquals(
          inTree.getCommandSpec().exitCodeOnInvalidInput(),
          alone.getCommandSpec().exitCodeOnInvalidInput(),
          name);
      assertEquals(
          inTree.getCommandSpec().exitCodeOnExecutionException(),
          alone.getCommandSpec().exitCodeOnExecutionException(),
          name);
      assertEquals(inTree.isStopAtPositional(), alone.isStopAtPositional(), name);
      assertSame(
          inTree.getCommandSpec().versionProvider().getClass(),
          alone.getCommandSpec().versionProvider().getClass(),
          name);
    }
  }

  @Test
  void exec_keepsEverythingAfterTheCommand_forTheCommand() {
    CommandLine one = CodecCli.commandLineFor("exec");
    CommandLine.ParseResult parsed =
        one.parseArgs("exec", "--metadata", "m.json", "--", "node", "--metadata", "x");
    assertEquals(
        java.util.List.of("node", "--metadata", "x"),
        ((ExecCommand) parsed.subcommand().commandSpec().userObject()).command);
  }

  @Test
  void usageErrors_andTheirExitCodes_matchTheTree() {
    String[][] cases = {
      {"exec", "--no-such-option"},
      {"generate-dek"},
      {"status", "--deadline", "soon"},
      {"exec", "--mode", "fork", "--", "true"}
    };
    for (String[] args : cases) {
      Run alone = run(CodecCli.commandLineFor(args), args);
      Run tree = run(CodecCli.newCommandLine(), args);
      assertEquals(ExitCodes.USAGE, tree.exitCode(), String.join(" ", args) + ": " + tree.err());
      assertEquals(tree.exitCode(), alone.exitCode(), String.join(" ", args));
      assertEquals(tree.err(), alone.err(), String.join(" ", args));
    }
  }
}
