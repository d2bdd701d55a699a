package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.DekToRewrap;
import dev.codec.client.RewrapResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Re-wraps wrapped DEKs under the service's active KEK, in batches of RewrapDek calls: reads lines
 * {@code project_id,encrypted_dek}, writes {@code project_id,new_encrypted_dek} for every line that
 * succeeded (in input order), and one stderr line per failed input line.
 */
@Command(
    name = "rewrap",
    mixinStandardHelpOptions = true,
    description = {
      "Re-wraps DEKs under the active KEK, as CSV lines.",
      "Reads lines 'project_id,encrypted_dek' (stdin or --file; blank lines are skipped) and "
          + "prints 'project_id,new_encrypted_dek' for each one re-wrapped: CSV in and out, for a "
          + "database import, so -o does not apply. Failed lines are reported on stderr with their "
          + "line number; the exit code is then 65."
    })
final class RewrapCommand implements Callable<Integer> {
  @Option(
      names = "--file",
      paramLabel = "FILE",
      defaultValue = "${env:CODEC_REWRAP_FILE}",
      description = "Input file (env CODEC_REWRAP_FILE; default: standard input).")
  Path file;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "${env:CODEC_REWRAP_BATCH_SIZE:-500}",
      description =
          "DEKs per RewrapDek call, 1..10000 (env CODEC_REWRAP_BATCH_SIZE). Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Mixin RemoteOptions remote;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private record Line(int number, DekToRewrap dek) {}

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1 || batchSize > 10_000) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--batch-size must be 1..10000");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int failed = 0;
    int sent = 0;
    try (BufferedReader in = open();
        CodecClient client = remote.client()) {
      List<Line> batch = new ArrayList<>(batchSize);
      int number = 0;
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        number++;
        if (text.isBlank()) {
          continue;
        }
        int comma = text.indexOf(',');
        if (comma <= 0 || comma == text.length() - 1) {
          err.println("line " + number + ": expected project_id,encrypted_dek");
          failed++;
          continue;
        }
        batch.add(
            new Line(
                number,
                new DekToRewrap(
                    text.substring(0, comma).trim(), text.substring(comma + 1).trim())));
        if (batch.size() == batchSize) {
          failed += send(client, batch, out, err);
          sent += batch.size();
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        failed += send(client, batch, out, err);
        sent += batch.size();
      }
    }
    out.flush();
    err.println("rewrap: " + sent + " sent, " + failed + " failed");
    err.flush();
    return failed == 0 ? ExitCodes.OK : ExitCodes.DATA;
  }

  /**
   * Sends one batch; prints successes to out and failures to err. Returns the number of failures.
   */
  private static int send(CodecClient client, List<Line> batch, PrintWriter out, PrintWriter err) {
    List<DekToRewrap> deks = new ArrayList<>(batch.size());
    batch.forEach(line -> deks.add(line.dek()));
    List<RewrapResult> results;
    try {
      results = client.rewrapDeks(deks);
    } catch (CodecException e) {
      err.println(
          "lines "
              + batch.get(0).number()
              + "-"
              + batch.get(batch.size() - 1).number()
              + ": not re-wrapped, the call failed; stopping");
      err.flush();
      throw e;
    }
    int failed = 0;
    for (int i = 0; i < batch.size(); i++) {
      Line line = batch.get(i);
      RewrapResult result = results.get(i);
      if (result.ok()) {
        out.println(line.dek().projectId() + "," + result.encryptedDek());
      } else {
        err.println(
            "line " + line.number() + ": " + result.errorCode() + ": " + result.errorMessage());
        failed++;
      }
    }
    out.flush();
    return failed;
  }

  private BufferedReader open() throws IOException {
    if (file == null) {
      return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    return Files.newBufferedReader(file, StandardCharsets.UTF_8);
  }
}
