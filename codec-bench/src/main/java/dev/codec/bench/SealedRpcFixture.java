package dev.codec.bench;

import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A revision of {@value #SECRETS} SECRET and {@value #PLAINS} PLAIN variables (64-byte values)
 * stored in a running codec server, with its seal and a revision-bound grant, and one client: the
 * set-up of {@link SealedRpcBenchmark} and {@link SealedRpcCpuTime}. The server must not require
 * grants or seals, so that the same server answers DecryptAll both with and without them.
 */
final class SealedRpcFixture implements AutoCloseable {
  static final int SECRETS = 100;
  static final int PLAINS = 20;
  static final String PROJECT = "bench-sealed-rpc";

  final CodecClient client;
  final String dek;
  final Map<String, Variable> variables = new HashMap<>();
  final String seal;
  final String grant;

  SealedRpcFixture(String target) {
    if (target == null || target.isEmpty()) {
      throw new IllegalArgumentException(
          "give the server's address: -p target=127.0.0.1:PORT (scripts/bench-seal-rpc.sh)");
    }
    client = CodecClient.builder().target(target).deadline(Duration.ofSeconds(30)).build();
    dek = client.generateDek(PROJECT).encryptedDek();
    Map<String, String> secrets = new HashMap<>();
    Map<String, String> plain = new HashMap<>();
    for (int i = 0; i < SECRETS; i++) {
      secrets.put("SECRET_" + i, Fixtures.plaintextString(64));
    }
    for (int i = 0; i < PLAINS; i++) {
      plain.put("PLAIN_" + i, Fixtures.plaintextString(64));
    }
    CodecClient.EncryptedValues encrypted = client.encrypt(PROJECT, dek, secrets, plain);
    encrypted.encrypted().forEach((name, value) -> variables.put(name, Variable.secret(value)));
    plain.forEach((name, value) -> variables.put(name, Variable.plain(value)));
    seal = encrypted.seal();
    grant = client.issueGrant(PROJECT, "deploy-1", dek, seal, Duration.ofHours(1)).grant();
    // both calls work before anything is measured
    if (decryptAll().size() != SECRETS + PLAINS
        || decryptAllWithGrantAndSeal().size() != SECRETS + PLAINS) {
      throw new IllegalStateException("DecryptAll did not return every variable");
    }
  }

  /** DecryptAll of the revision without grant and seal. */
  Map<String, String> decryptAll() {
    return client.decryptAll(PROJECT, "", dek, variables);
  }

  /** The same DecryptAll with the revision's grant and seal (both verified by the server). */
  Map<String, String> decryptAllWithGrantAndSeal() {
    return client.decryptAll(PROJECT, "", dek, variables, grant, seal);
  }

  @Override
  public void close() {
    client.close();
  }
}
