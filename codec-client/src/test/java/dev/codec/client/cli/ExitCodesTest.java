package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codec.client.CodecException;
import io.grpc.Status;
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
        Map<Status.Code, Integer> expected = new java.util.EnumMap<>(Status.Code.class);
        for (Status.Code code : Status.Code.values()) {
            expected.put(code, ExitCodes.SOFTWARE);
        }
        for (Status.Code code : new Status.Code[] {Status.Code.INVALID_ARGUMENT, Status.Code.OUT_OF_RANGE,
                Status.Code.NOT_FOUND, Status.Code.ALREADY_EXISTS}) {
            expected.put(code, ExitCodes.DATA);
        }
        expected.put(Status.Code.UNAUTHENTICATED, ExitCodes.NO_PERMISSION);
        expected.put(Status.Code.PERMISSION_DENIED, ExitCodes.NO_PERMISSION);
        for (Status.Code code : new Status.Code[] {Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
                Status.Code.ABORTED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.CANCELLED}) {
            expected.put(code, ExitCodes.TEMP_FAIL);
        }
        expected.put(Status.Code.FAILED_PRECONDITION, ExitCodes.UNAVAILABLE);
        expected.put(Status.Code.OK, ExitCodes.SOFTWARE); // never thrown; not a success if it were

        for (Status.Code code : Status.Code.values()) {
            assertEquals(expected.get(code), ExitCodes.of(new CodecException(code, "x", null)), code.toString());
        }
    }

    @Test
    void localFailures_mapToTheirCategory() {
        assertEquals(ExitCodes.USAGE, ExitCodes.of(new picocli.CommandLine.ParameterException(
                CodecCli.newCommandLine(), "bad")));
        assertEquals(ExitCodes.NO_INPUT, ExitCodes.of(new NoSuchFileException("f")));
        assertEquals(ExitCodes.CANT_CREATE, ExitCodes.of(new FileAlreadyExistsException("f")));
        assertEquals(ExitCodes.DATA, ExitCodes.of(new IllegalArgumentException("f: missing field")));
        assertEquals(ExitCodes.IO_ERROR, ExitCodes.of(new IOException("disk")));
        assertEquals(ExitCodes.IO_ERROR, ExitCodes.of(new UncheckedIOException(new IOException("disk"))));
        assertEquals(ExitCodes.CONFIG, ExitCodes.of(CliFailure.config("token", null)));
        assertEquals(ExitCodes.SOFTWARE, ExitCodes.of(new NullPointerException()));
    }
}
