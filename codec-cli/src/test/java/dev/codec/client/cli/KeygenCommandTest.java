package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeygenCommandTest {
  @Test
  void keygen_printsBase64Of32RandomBytes() {
    String first = run(0, "keygen").trim();
    String second = run(0, "keygen").trim();

    assertEquals(32, Base64.getDecoder().decode(first).length);
    assertNotEquals(first, second);
  }

  @Test
  void keygenOut_writesOwnerOnlyFile_andRefusesToOverwrite(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("kek/1");
    run(0, "keygen", "--out", file.toString());
    String key = Files.readString(file).trim();

    assertEquals(32, Base64.getDecoder().decode(key).length);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    run(ExitCodes.CANT_CREATE, "keygen", "--out", file.toString());
    assertEquals(key, Files.readString(file).trim(), "must not overwrite without --force");

    run(0, "keygen", "--out", file.toString(), "--force");
    assertNotEquals(key, Files.readString(file).trim());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (var leftovers = Files.list(file.getParent())) {
      assertEquals(1, leftovers.count(), "no temporary files left behind");
    }
  }

  @Test
  void usageErrors_exitWith64() {
    run(ExitCodes.USAGE, "encrypt", "--project", "p");
    run(ExitCodes.USAGE, "no-such-command");
    run(ExitCodes.USAGE, "generate-dek", "--project", "p", "--deadline", "soon");
  }

  @Test
  void durations_parse() {
    DurationConverter converter = new DurationConverter();
    assertEquals(Duration.ofMillis(250), converter.convert("250ms"));
    assertEquals(Duration.ofSeconds(10), converter.convert("10s"));
    assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
    assertEquals(Duration.ofSeconds(3), converter.convert("PT3S"));
    assertTrue(
        org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.TypeConversionException.class, () -> converter.convert("soon"))
            .getMessage()
            .contains("soon"));
  }

  private static String run(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        CodecCli.newCommandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    assertEquals(expectedExit, code, err.toString());
    return out.toString();
  }
}
