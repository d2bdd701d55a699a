package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one mapping of failures to exit codes: every gRPC status code and the local failures. */
class ExitCodesTest {
  @Test
  void everyGrpcCode_mapsToItsCategory() {
    Map<StatusCode, Integer> expected = new java.util.EnumMap<>(StatusCode.class);
    for (StatusCode code : StatusCode.values()) {
      expected.put(code, ExitCodes.SOFTWARE);
    }
    for (StatusCode code :
        new StatusCode[] {
          StatusCode.INVALID_ARGUMENT,
          StatusCode.OUT_OF_RANGE,
          StatusCode.NOT_FOUND,
          StatusCode.ALREADY_EXISTS
        }) {
      expected.put(code, ExitCodes.DATA);
    }
    expected.put(StatusCode.UNAUTHENTICATED, ExitCodes.NO_PERMISSION);
    expected.put(StatusCode.PERMISSION_DENIED, ExitCodes.NO_PERMISSION);
    for (StatusCode code :
        new StatusCode[] {
          StatusCode.UNAVAILABLE,
          StatusCode.DEADLINE_EXCEEDED,
          StatusCode.ABORTED,
          StatusCode.RESOURCE_EXHAUSTED,
          StatusCode.CANCELLED
        }) {
      expected.put(code, ExitCodes.TEMP_FAIL);
    }
    expected.put(StatusCode.FAILED_PRECONDITION, ExitCodes.UNAVAILABLE);
    expected.put(StatusCode.OK, ExitCodes.SOFTWARE); // never thrown; not a success if it were

    for (StatusCode code : StatusCode.values()) {
      assertEquals(
          expected.get(code), ExitCodes.of(new CodecException(code, "x", null)), code.toString());
    }
  }

  @Test
  void localFailures_mapToTheirCategory() {
    assertEquals(
        ExitCodes.USAGE,
        ExitCodes.of(new picocli.CommandLine.ParameterException(CodecCli.newCommandLine(), "bad")));
    assertEquals(ExitCodes.NO_INPUT, ExitCodes.of(new NoSuchFileException("f")));
    assertEquals(ExitCodes.CANT_CREATE, ExitCodes.of(new FileAlreadyExistsException("f")));
    assertEquals(ExitCodes.DATA, ExitCodes.of(new IllegalArgumentException("f: missing field")));
    assertEquals(ExitCodes.IO_ERROR, ExitCodes.of(new IOException("disk")));
    assertEquals(
        ExitCodes.IO_ERROR, ExitCodes.of(new UncheckedIOException(new IOException("disk"))));
    assertEquals(ExitCodes.CONFIG, ExitCodes.of(CliFailure.config("token", null)));
    assertEquals(ExitCodes.SOFTWARE, ExitCodes.of(new NullPointerException()));
  }
}
