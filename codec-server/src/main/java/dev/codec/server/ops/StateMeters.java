package dev.codec.server.ops;

import dev.codec.server.crypto.KekReloader;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Gauges of what this pod is, for alerts that compare pods:
 *
 * <ul>
 *   <li>{@code codec_kek_info{version, fingerprint}} = 1 for each loaded KEK version: its {@link
 *       dev.codec.server.crypto.KekFingerprint} (non-secret). Two pods with different fingerprints
 *       for one version have loaded different keys under the same name (a half-applied or mistaken
 *       rotation).
 *   <li>{@code codec_serving} = 1 while gRPC health reports SERVING, else 0.
 * </ul>
 *
 * Labels hold only KEK version numbers and fingerprints, never key material. The KEK rows come from
 * {@link KekReloader#status()} (computed when a ring is loaded, so a scrape never touches a key)
 * and are refreshed by {@link #refresh()} before each scrape; rows of versions no longer loaded
 * disappear.
 */
@Singleton
public class StateMeters implements MeterBinder {
  private final KekReloader reloader;
  private final ServingHealth serving;
  private MultiGauge kekInfo;
  private List<KekReloader.LoadedKek> shown;

  public StateMeters(KekReloader reloader, ServingHealth serving) {
    this.reloader = reloader;
    this.serving = serving;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Gauge.builder("codec.serving", serving, s -> s.isServing() ? 1 : 0)
        .description("1 while gRPC health reports SERVING, else 0")
        .register(registry);
    kekInfo =
        MultiGauge.builder("codec.kek.info")
            .description("1 per loaded KEK version, labelled with its non-secret fingerprint")
            .register(registry);
    shown = null;
    refresh();
  }

  /** Brings the codec_kek_info rows in line with the KEK versions loaded now. */
  public synchronized void refresh() {
    if (kekInfo == null) {
      return;
    }
    List<KekReloader.LoadedKek> versions = reloader.status().versions();
    if (versions.equals(shown)) {
      return;
    }
    kekInfo.register(
        versions.stream()
            .map(
                kek ->
                    MultiGauge.Row.of(
                        Tags.of(
                            "version",
                            Integer.toString(kek.version()),
                            "fingerprint",
                            kek.fingerprint()),
                        1))
            .toList(),
        true);
    shown = versions;
  }
}
