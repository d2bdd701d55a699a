package dev.codec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.config.LimitsConfiguration;
import dev.codec.server.core.Limits;
import dev.codec.server.ops.ExitCodes;
import dev.codec.server.ops.LogConfiguration;
import dev.codec.server.wiring.CodecFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.ConfigurationReader;
import io.micronaut.context.annotation.EachProperty;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.grpc.server.GrpcServerConfiguration;
import io.micronaut.inject.BeanDefinition;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/configuration.md lists every configuration key the server reads, with its real default. The
 * keys and defaults come from the code, not from a list kept by hand: the configuration beans of a
 * started application context (their constructor arguments and the values they are bound to with no
 * configuration given), the {@code ${codec.…:default}} and {@code @Requires(property = …)} keys in
 * the main sources, the variables of the log configuration ({@link LogConfiguration}), and the exit
 * codes of {@link ExitCodes}.
 */
class ConfigurationDocTest {
  private static final Path DOC = Path.of("../docs/configuration.md");
  private static final Path SOURCES = Path.of("src/main/java");
  private static final String CONFIG_PACKAGE = "dev.codec.server.config";

  /** One row of a table in the doc: key, env, default. */
  private record Row(String key, String env, String defaultValue) {}

  private static final Map<String, Row> ROWS = new LinkedHashMap<>();
  private static String doc;

  @BeforeAll
  static void readDoc() throws IOException {
    doc = Files.readString(DOC);
    for (String line : doc.lines().toList()) {
      String[] cells = line.split("\\|", 0); // limit 0: the empty cell after a closing | is dropped
      if (cells.length < 5) {
        continue; // not a row of a key table
      }
      String first = cells[1].trim();
      String env = unquote(cells[2]);
      if (first.startsWith("`")) {
        ROWS.put(unquote(first), new Row(unquote(first), env, unquote(cells[3])));
      } else if (first.equals("(none)") || first.equals("(logback)")) {
        ROWS.put(env, new Row(first, env, unquote(cells[3]))); // read as environment variables only
      }
    }
  }

  private static String unquote(String cell) {
    String trimmed = cell.trim();
    return trimmed.startsWith("`") && trimmed.endsWith("`") && trimmed.length() > 1
        ? trimmed.substring(1, trimmed.length() - 1)
        : trimmed;
  }

  /** A key as the doc writes it, with its default as the code gives it. */
  private record Key(String name, String defaultValue) {}

  /**
   * How the doc writes a default: 10s, 5m, 24h; optional (enums in lower case); unset; none (empty
   * lists).
   */
  static String format(Object value) {
    if (value == null) {
      return "unset";
    }
    if (value instanceof Collection<?> c && c.isEmpty()) {
      return "none";
    }
    if (value instanceof Duration d) {
      long millis = d.toMillis();
      if (millis != 0 && millis % 3_600_000 == 0) {
        return millis / 3_600_000 + "h";
      }
      if (millis != 0 && millis % 60_000 == 0) {
        return millis / 60_000 + "m";
      }
      return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
    return value.toString();
  }

  private static void assertDocumented(String key, String expectedDefault) {
    Row row = ROWS.get(key);
    assertTrue(row != null, key + " is read by the code but not documented in " + DOC);
    assertEquals(expectedDefault, row.defaultValue(), "default of " + key + " in " + DOC);
    if (key.startsWith("codec.") && !key.contains("<name>")) {
      String env = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
      assertEquals(env, row.env(), "environment variable of " + key + " in " + DOC);
    }
  }

  @Test
  void everyConfigurationBeanKey_isDocumented_withTheDefaultItIsBoundTo(@TempDir Path kek)
      throws Exception {
    TestServer.writeKek(kek, 1);
    List<Key> keys = new ArrayList<>();
    try (ApplicationContext context =
        ApplicationContext.builder()
            .properties(
                Map.of(
                    "codec.kek.dir",
                    kek.toString(),
                    "codec.auth.callers.probe.unused",
                    "x",
                    "grpc.server.port",
                    0))
            .environments("test")
            .start()) {
      List<BeanDefinition<?>> beans =
          context.getAllBeanDefinitions().stream()
              .filter(d -> d.getBeanType().getPackageName().equals(CONFIG_PACKAGE))
              .<BeanDefinition<?>>map(d -> d)
              .toList();
      assertTrue(beans.size() >= 12, "configuration beans found: " + beans);
      for (BeanDefinition<?> bean : beans) {
        Class<?> type = bean.getBeanType();
        assertTrue(type.isRecord(), type + ": configuration types are immutable records");
        boolean each = bean.hasAnnotation(EachProperty.class);
        String prefix =
            bean.stringValue(ConfigurationReader.class, "prefix")
                .orElseThrow()
                .replace(".*", ".<name>");
        Object bound =
            each
                ? context.getBeansOfType(type).stream().findFirst().orElseThrow()
                : context.getBean(type);
        Map<String, Argument<?>> arguments = new LinkedHashMap<>();
        for (Argument<?> argument : bean.getConstructor().getArguments()) {
          arguments.put(argument.getName(), argument);
        }
        for (RecordComponent component : type.getRecordComponents()) {
          if (each && component.getName().equals("name")) {
            continue; // the <name> in the key
          }
          String key = prefix + "." + NameUtils.hyphenate(component.getName());
          Object value = component.getAccessor().invoke(bound);
          Argument<?> argument = arguments.get(component.getName());
          String declared =
              argument
                  .getAnnotationMetadata()
                  .stringValue(Bindable.class, "defaultValue")
                  .map(d -> argument.getType().isEnum() ? d.toLowerCase(Locale.ROOT) : d)
                  .orElse(Collection.class.isAssignableFrom(argument.getType()) ? "none" : "unset");
          if (!key.equals("codec.kek.dir")) { // set for this test, so the context starts
            assertEquals(declared, format(value), key + ": declared default vs. bound value");
          }
          keys.add(new Key(key, declared));
        }
      }
      // core's Limits.DEFAULTS (used where no configuration exists) says the same as the
      // configuration
      LimitsConfiguration limits = context.getBean(LimitsConfiguration.class);
      assertEquals(
          Limits.DEFAULTS,
          new Limits(
              limits.maxProjectIdLength(),
              limits.maxEntries(),
              limits.maxValueBytes(),
              limits.maxNameLength()));
    }
    assertTrue(
        keys.stream().anyMatch(k -> k.name().equals("codec.kek.reload-interval")), keys.toString());
    assertTrue(
        keys.stream().anyMatch(k -> k.name().equals("codec.auth.callers.<name>.permissions")),
        keys.toString());
    for (Key key : keys) {
      assertDocumented(key.name(), key.defaultValue());
    }
    assertDocumented("grpc.server.port", Integer.toString(GrpcServerConfiguration.DEFAULT_PORT));
    assertDocumented(CodecFactory.KEK_ENV, "unset");
  }

  @Test
  void keysReadOutsideTheConfigurationBeans_areDocumented() throws IOException {
    Pattern value = Pattern.compile("\"\\$\\{(codec\\.[a-z0-9.-]+):([^}]*)}\"");
    Pattern requires =
        Pattern.compile(
            "@Requires\\(property = \"(codec\\.[a-z0-9.-]+)\", value = \"([^\"]*)\"(?:, defaultValue = \"([^\"]*)\")?");
    Set<String> found = new HashSet<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).toList();
    }
    for (Path file : files) {
      String source = Files.readString(file);
      Matcher m = value.matcher(source);
      while (m.find()) {
        assertDocumented(m.group(1), m.group(2));
        found.add(m.group(1));
      }
      m = requires.matcher(source);
      while (m.find()) {
        // without a defaultValue the property is absent by default: off for a "true" switch
        String absent =
            m.group(3) != null ? m.group(3) : "true".equals(m.group(2)) ? "false" : "unset";
        assertDocumented(m.group(1), absent);
        found.add(m.group(1));
      }
    }
    assertTrue(
        found.containsAll(Set.of("codec.grpc.direct-executor", "codec.reflection.enabled")),
        found.toString());

    LogConfiguration.VARIABLES.forEach(ConfigurationDocTest::assertDocumented);
    assertTrue(
        LogConfiguration.VARIABLES.size() >= 3,
        "log configuration variables: " + LogConfiguration.VARIABLES);
  }

  @Test
  void exitCodes_areDistinct_andEachIsDocumented() throws Exception {
    Map<Integer, String> byCode = new LinkedHashMap<>();
    for (Field field : ExitCodes.class.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
        String other = byCode.put(field.getInt(null), field.getName());
        assertEquals(
            null,
            other,
            "exit code " + field.getInt(null) + " means both " + other + " and " + field.getName());
      }
    }
    assertTrue(byCode.size() >= 5, byCode.toString());
    String table = doc.substring(doc.indexOf("## Exit codes"));
    for (int code : byCode.keySet()) {
      assertTrue(
          table.contains("| `" + code + "` |"),
          "exit code "
              + code
              + " ("
              + byCode.get(code)
              + ") is not in the exit code table of "
              + DOC);
    }
    assertFalse(
        table.contains("| `" + (byCode.size() + 1) + "` |"),
        "the table lists a code the server never uses");
  }
}
