package dev.codec.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * fabric8's model keeps fields it does not know in {@code additionalProperties} instead of failing.
 * This walks a parsed object and lists every such field, so a misspelt or misplaced key (e.g.
 * {@code readonly}, {@code securityContext.fsGroup} on a container) fails the test instead of being
 * dropped by the API server.
 */
final class StrictModel {
  private StrictModel() {}

  static List<String> unknownFields(Object root) {
    List<String> unknown = new ArrayList<>();
    walk(root, root.getClass().getSimpleName(), unknown);
    return unknown;
  }

  private static void walk(Object node, String path, List<String> unknown) {
    if (node == null
        || node instanceof GenericKubernetesResource
        || node instanceof Quantity
        || node instanceof IntOrString) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> walk(value, path + "." + key, unknown));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getName().equals("getClass")) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(getter.toString(), e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        walk(value, path + "." + getter.getName().substring(3), unknown);
      }
    }
  }
}
