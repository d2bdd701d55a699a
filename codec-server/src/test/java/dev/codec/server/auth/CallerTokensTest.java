package dev.codec.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.codec.server.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokens directory: two tokens per caller for rotation, shared tokens refused, ids never
 * tokens.
 */
class CallerTokensTest {
  private static final String OLD = "old-runner-token-0123456789";
  private static final String NEW = "new-runner-token-9876543210";
  private static final String SHARED = "shared-token-abcdefghijklmnop";

  @TempDir Path dir;

  @Test
  void callerWithTwoTokenFiles_isRecognisedByEither_withDistinctTokenIds() throws Exception {
    Files.writeString(dir.resolve("runner"), OLD + "\n");
    Files.writeString(dir.resolve("runner.next"), NEW);
    CallerTokens tokens = new CallerTokens(dir);

    String summary = tokens.reload();

    assertEquals(Optional.of(new CallerTokens.Match("runner", TokenId.of(OLD))), tokens.match(OLD));
    assertEquals(Optional.of(new CallerTokens.Match("runner", TokenId.of(NEW))), tokens.match(NEW));
    assertEquals(1, tokens.size());
    assertTrue(summary.contains(TokenId.of(OLD)) && summary.contains(TokenId.of(NEW)), summary);
    assertFalse(summary.contains(OLD) || summary.contains(NEW), summary);
  }

  @Test
  void removingTheOldFile_endsTheOldToken_only() throws Exception {
    Files.writeString(dir.resolve("runner"), OLD);
    Files.writeString(dir.resolve("runner.next"), NEW);
    CallerTokens tokens = new CallerTokens(dir);
    tokens.reload();

    Files.delete(dir.resolve("runner"));
    tokens.reload();

    assertEquals(Optional.empty(), tokens.match(OLD));
    assertEquals("runner", tokens.callerOf(NEW).orElseThrow());
  }

  @Test
  void tokenSharedByTwoCallers_isRefusedForBoth_withOneWarning_andTheirOtherTokensStillWork()
      throws Exception {
    Files.writeString(dir.resolve("runner"), SHARED);
    Files.writeString(dir.resolve("deployer"), SHARED + "\n");
    Files.writeString(dir.resolve("deployer.next"), NEW);
    CallerTokens tokens = new CallerTokens(dir);
    try (LogCapture log = LogCapture.of(CallerTokens.class.getName(), Level.INFO)) {
      String summary = tokens.reload();
      tokens.reload();
      tokens.reload();

      assertEquals(Optional.empty(), tokens.match(SHARED));
      assertEquals("deployer", tokens.callerOf(NEW).orElseThrow());
      assertTrue(
          summary.contains(
              "refused shared tokens: token " + TokenId.of(SHARED) + " of [deployer, runner]"),
          summary);
      List<String> warnings = log.messagesOf(CallerTokens.class.getName());
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains(TokenId.of(SHARED)), warnings.get(0));
      assertFalse(warnings.get(0).contains(SHARED), warnings.get(0));

      Files.writeString(dir.resolve("runner"), OLD);
      tokens.reload();
      assertEquals("runner", tokens.callerOf(OLD).orElseThrow());
      assertEquals(
          2, log.messagesOf(CallerTokens.class.getName()).size(), "one line when it is resolved");
    }
  }

  @Test
  void sameTokenTwiceForOneCaller_isAccepted() throws Exception {
    Files.writeString(dir.resolve("runner"), OLD);
    Files.writeString(dir.resolve("runner.next"), OLD);
    CallerTokens tokens = new CallerTokens(dir);

    tokens.reload();

    assertEquals("runner", tokens.callerOf(OLD).orElseThrow());
  }

  @Test
  void badFileNames_andShortTokens_areSkipped() throws Exception {
    Files.writeString(dir.resolve("runner.a.b"), OLD);
    Files.writeString(dir.resolve("runner."), NEW);
    Files.writeString(dir.resolve("short"), "too-short");
    Files.writeString(dir.resolve(".hidden"), SHARED);
    CallerTokens tokens = new CallerTokens(dir);

    String summary = tokens.reload();

    assertEquals(0, tokens.size());
    assertTrue(
        summary.contains("runner.a.b (bad name)")
            && summary.contains("runner. (bad name)")
            && summary.contains("short (token shorter than 16)"),
        summary);
  }

  @Test
  void tokenId_isTwelveHexDigits_andNotThePlainDigest() throws Exception {
    String id = TokenId.of(OLD);

    assertTrue(id.matches("[0-9a-f]{12}"), id);
    String plainDigest =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(OLD.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertFalse(plainDigest.startsWith(id), "domain-separated from the stored digests");
  }
}
