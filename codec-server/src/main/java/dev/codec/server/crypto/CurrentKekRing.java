package dev.codec.server.crypto;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** The KEK ring in force, replaceable as a whole while running (every reader sees one consistent ring). */
public final class CurrentKekRing implements Supplier<KekRing> {
    private final AtomicReference<KekRing> current;

    public CurrentKekRing(KekRing initial) {
        this.current = new AtomicReference<>(Objects.requireNonNull(initial));
    }

    @Override
    public KekRing get() {
        return current.get();
    }

    /** Puts {@code next} in force for every following call. */
    public void replace(KekRing next) {
        current.set(Objects.requireNonNull(next));
    }

    @Override
    public String toString() {
        return "CurrentKekRing[" + current.get() + "]";
    }
}
