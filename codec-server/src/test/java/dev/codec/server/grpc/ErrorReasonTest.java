package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.codec.server.core.ErrorReason;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.crypto.GrantRefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reason table is complete and consistent: the one enum, docs/errors.md, the grant refusals.
 */
class ErrorReasonTest {

  @Test
  void everyReason_isUpperSnake_andDocumentedInErrorsMd() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "errors.md"));
    for (ErrorReason reason : ErrorReason.values()) {
      assertTrue(Pattern.matches("[A-Z][A-Z0-9_]{1,62}", reason.name()), reason.name());
      assertTrue(
          doc.contains("| `" + reason.name() + "` |"), reason + " is missing from docs/errors.md");
    }
  }

  @Test
  void everyGrantRefusal_hasTheSameNamedReason() {
    for (GrantRefusedException.Reason refusal : GrantRefusedException.Reason.values()) {
      assertEquals(refusal.name(), ErrorReason.ofGrantRefusal(refusal.name()).name());
    }
  }

  /**
   * Many failing variables: the trailer stays small (at most 16 violations), the total is in the
   * metadata.
   */
  @Test
  void manyViolations_areCapped_withTheTotalInMetadata() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      names.add("VARIABLE_" + "X".repeat(200) + i);
    }
    RejectedRequestException e =
        new RejectedRequestException(
                RejectedRequestException.Reason.BAD_INPUT,
                ErrorReason.INVALID_CIPHERTEXT,
                "variables[...]: cannot be decrypted")
            .withVariables("variables", names, "cannot be decrypted");
    com.google.rpc.Status status = StatusMapping.toStatusProto(e);
    assertTrue(
        status.getSerializedSize() < 4096, "status of " + status.getSerializedSize() + " bytes");
    ErrorInfo info = null;
    BadRequest badRequest = null;
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        info = detail.unpack(ErrorInfo.class);
      } else if (detail.is(BadRequest.class)) {
        badRequest = detail.unpack(BadRequest.class);
      }
    }
    assertEquals("codec.dev", info.getDomain());
    assertEquals("10000", info.getMetadataOrThrow("field_violations"));
    assertEquals(RejectedRequestException.MAX_VIOLATIONS, badRequest.getFieldViolationsCount());
    assertTrue(
        badRequest.getFieldViolations(0).getField().endsWith("...]"),
        "names are cut as in messages");
  }
}
