package dev.codec.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reading the CycloneDX SBOM that the server's build makes and the image ships. */
public final class Sbom {
  private Sbom() {}

  /** Each component of {@code sbom} as "group:name:version", in the SBOM's order. */
  public static List<String> components(JsonNode sbom) {
    List<String> components = new ArrayList<>();
    sbom.get("components")
        .forEach(
            c ->
                components.add(
                    c.get("group").asText()
                        + ":"
                        + c.get("name").asText()
                        + ":"
                        + c.get("version").asText()));
    return components;
  }
}
