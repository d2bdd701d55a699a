package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Grants verified while the KEK ring is replaced over and over (what a reload does): the grant key
 * in use is never wiped under a verification, so a valid grant always verifies and a grant MAC'd
 * under the all-zero key (what a wiped key would compute) never does. Bounded iterations, no
 * sleeps.
 */
class GrantKeyReloadRaceTest {
  private static final int ITERATIONS = 60_000;
  private static final String PROJECT = "victim";
  private static final String DEK = "dek1:k1:victim";

  @Test
  void verifyDuringRingReplacement_validGrantAlwaysVerifies_zeroKeyForgeryNever() throws Exception {
    byte[] kek = new byte[32];
    Arrays.fill(kek, (byte) 7);
    CurrentKekRing current =
        new CurrentKekRing(KekRing.of(Map.of(1, SymmetricKey.copyOf(kek)), null));
    DeploymentGrants grants = new DeploymentGrants(current);
    Instant now = Instant.now();
    String valid = grants.issue(PROJECT, "d-1", DEK, now, Duration.ofHours(1)).text();
    String forged = zeroKeyForgery(now);

    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> reloaderFailure = new AtomicReference<>();
    Thread reloader =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  current.replace(KekRing.of(Map.of(1, SymmetricKey.copyOf(kek)), null));
                }
              } catch (Throwable t) {
                reloaderFailure.set(t);
              }
            },
            "ring-replacer");
    reloader.start();
    int validFailures = 0;
    int forgeriesAccepted = 0;
    String firstFailure = null;
    try {
      for (int i = 0; i < ITERATIONS; i++) {
        try {
          grants.verify(valid, PROJECT, DEK, now, Duration.ofSeconds(30));
        } catch (GrantRefusedException | RuntimeException e) {
          validFailures++;
          if (firstFailure == null) {
            firstFailure = e.toString();
          }
        }
        try {
          grants.verify(forged, PROJECT, DEK, now, Duration.ofSeconds(30));
          forgeriesAccepted++;
        } catch (GrantRefusedException e) {
          // refused, as it must be
        } catch (RuntimeException e) {
          validFailures++; // a wiped key seen mid-verification: also a defect
          if (firstFailure == null) {
            firstFailure = e.toString();
          }
        }
      }
    } finally {
      stop.set(true);
      reloader.join();
    }
    assertEquals(null, reloaderFailure.get());
    assertEquals(0, forgeriesAccepted, "grants MAC'd under the all-zero key accepted");
    assertEquals(0, validFailures, "valid grant not verified (first: " + firstFailure + ")");
  }

  @Test
  void forgery_isRefused_withoutReloads() throws Exception {
    byte[] kek = new byte[32];
    Arrays.fill(kek, (byte) 7);
    DeploymentGrants grants =
        new DeploymentGrants(
            new CurrentKekRing(KekRing.of(Map.of(1, SymmetricKey.copyOf(kek)), null)));
    Instant now = Instant.now();

    GrantRefusedException e =
        assertThrows(
            GrantRefusedException.class,
            () -> grants.verify(zeroKeyForgery(now), PROJECT, DEK, now, Duration.ofSeconds(30)));
    assertEquals(GrantRefusedException.Reason.GRANT_INVALID, e.reason());
  }

  /**
   * A grant3 (without a seal) for {@link #PROJECT} and {@link #DEK}, tagged under the all-zero key.
   */
  private static String zeroKeyForgery(Instant now) throws Exception {
    byte[] project = PROJECT.getBytes(StandardCharsets.UTF_8);
    byte[] deployment = "evil".getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer payload =
        java.nio.ByteBuffer.allocate(
            16 + 8 + 8 + 32 + 1 + 1 + project.length + 1 + deployment.length);
    payload.put(new byte[16]).putLong(now.getEpochSecond()).putLong(now.getEpochSecond() + 3600);
    payload
        .put(MessageDigest.getInstance("SHA-256").digest(DEK.getBytes(StandardCharsets.UTF_8)))
        .put((byte) 0);
    payload.put((byte) project.length).put(project).put((byte) deployment.length).put(deployment);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
    mac.update("grant3:k1:".getBytes(StandardCharsets.US_ASCII));
    byte[] tag = mac.doFinal(payload.array());
    byte[] all = Arrays.copyOf(payload.array(), payload.capacity() + tag.length);
    System.arraycopy(tag, 0, all, payload.capacity(), tag.length);
    return "grant3:k1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(all);
  }
}
