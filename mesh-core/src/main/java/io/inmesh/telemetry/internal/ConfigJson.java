package io.inmesh.telemetry.internal;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The configuration records as JSON for the admin's {@code /mesh/config}, with secrets redacted: fields whose name
 * suggests a secret, every value of a {@code headers} map under telemetry (OTLP credentials), and any string that
 * holds PEM private-key material. Private keys are never written, whatever the field.
 */
public final class ConfigJson {
  static final String REDACTED = "<redacted>";
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(password|secret|credential|apikey|api_key|authorization|bearer).*");

  private ConfigJson() {}

  public static void write(Json json, Object value) {
    write(json, value, false);
  }

  private static void write(Json json, Object value, boolean redactValues) {
    if (value == null) {
      json.value((String) null);
    } else if (value instanceof Record r) {
      json.beginObject();
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        Object v;
        try {
          c.getAccessor().setAccessible(true);
          v = c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException | RuntimeException e) {
          continue;
        }
        json.name(c.getName());
        String name = c.getName().toLowerCase(Locale.ROOT);
        if (v != null && SECRET_NAME.matcher(name).matches()) {
          json.value(REDACTED);
        } else {
          write(json, v, name.equals("headers") && r.getClass().getName().endsWith("TelemetryConfig$Otlp"));
        }
      }
      json.endObject();
    } else if (value instanceof Map<?, ?> m) {
      json.beginObject();
      for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
        json.name(String.valueOf(e.getKey()));
        if (redactValues) {
          json.value(REDACTED);
        } else {
          write(json, e.getValue(), false);
        }
      }
      json.endObject();
    } else if (value instanceof Collection<?> c) {
      json.beginArray();
      for (Object o : c) {
        write(json, o, redactValues);
      }
      json.endArray();
    } else if (value instanceof Boolean b) {
      json.value(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      json.value(((Number) value).longValue());
    } else if (value instanceof Number n) {
      json.value(n.doubleValue());
    } else if (value instanceof Duration d) {
      json.value(d.toString());
    } else if (value instanceof Enum<?> e) {
      json.value(e.name());
    } else {
      String s = value.toString();
      json.value(s.contains("PRIVATE KEY") ? REDACTED : s);
    }
  }
}
