package dev.codec.server.crypto;

/** A wrapped DEK names a KEK version that is not loaded in the current {@link KekRing}. */
public final class UnknownKekVersionException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int version;

  public UnknownKekVersionException(int version) {
    super("KEK version " + version + " is not loaded", null, false, false);
    this.version = version;
  }

  public int version() {
    return version;
  }
}
