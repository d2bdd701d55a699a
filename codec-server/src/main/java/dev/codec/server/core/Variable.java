package dev.codec.server.core;

/** One environment variable of a deployment, as stored: plaintext (PLAIN) or a ciphertext (SECRET). */
public record Variable(Kind kind, String value) {
    /** How the value is stored. */
    public enum Kind {
        /** Missing or unknown kind: always rejected. */
        UNSPECIFIED,
        PLAIN,
        SECRET
    }

    @Override
    public String toString() {
        return "Variable[kind=" + kind + ", value=(redacted)]";
    }
}
