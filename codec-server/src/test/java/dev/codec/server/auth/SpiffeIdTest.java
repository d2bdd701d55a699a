package dev.codec.server.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {
  @Test
  void validIds_areAccepted() {
    for (String id :
        new String[] {
          "spiffe://cluster.local/ns/ci/sa/runner",
          "spiffe://example.org",
          "spiffe://a-b.c_d/x.y/z-1_2"
        }) {
      assertTrue(SpiffeId.isValid(id), id);
      assertTrue(SpiffeId.claims(id), id);
    }
  }

  @Test
  void malformedIds_areRefused() {
    for (String id :
        new String[] {
          "SPIFFE://cluster.local/x",
          "spiffe://Cluster.local/x",
          "spiffe:///x",
          "spiffe://cluster.local/",
          "spiffe://cluster.local//x",
          "spiffe://cluster.local/./x",
          "spiffe://cluster.local/a/..",
          "spiffe://cluster.local:8443/x",
          "spiffe://user@cluster.local/x",
          "spiffe://cluster.local/x?y=1",
          "spiffe://cluster.local/x#f",
          "spiffe://cluster.local/x y",
          "spiffe://cluster.local/" + "a".repeat(2048)
        }) {
      assertFalse(SpiffeId.isValid(id), id);
    }
    assertTrue(
        SpiffeId.claims("SPIFFE://x/y"), "any case claims to be one, so it must be valid to count");
    assertFalse(SpiffeId.claims("https://cluster.local/x"));
  }
}
