package dev.codec.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RefusalReasonTest {
  @Test
  void labels_areFixedLowerCaseWords_oneEach() {
    Set<String> labels = new HashSet<>();
    for (RefusalReason reason : RefusalReason.values()) {
      assertTrue(reason.label().matches("[a-z_]+"), reason.label());
      assertTrue(labels.add(reason.label()), "two reasons with label " + reason.label());
    }
    assertEquals("unknown_token", RefusalReason.UNKNOWN_TOKEN.label());
  }

  @Test
  void credentialProblems_areUnauthenticated_andPermissionProblems_permissionDenied() {
    for (RefusalReason reason : RefusalReason.values()) {
      Status.Code expected =
          reason == RefusalReason.PERMISSION_DENIED || reason == RefusalReason.UNKNOWN_METHOD
              ? Status.Code.PERMISSION_DENIED
              : Status.Code.UNAUTHENTICATED;
      assertEquals(expected, reason.code(), reason.name());
      assertEquals(
          reason.name().equals("MALFORMED_HEADER")
              ? "MALFORMED_CREDENTIALS"
              : reason.name().equals("PERMISSION_DENIED")
                  ? "PERMISSION_MISSING"
                  : reason.name().equals("UNKNOWN_METHOD") ? "METHOD_NOT_ALLOWED" : reason.name(),
          reason.error().name(),
          "the ErrorInfo reason of " + reason);
    }
  }
}
