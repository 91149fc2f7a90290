package io.inmesh.telemetry.internal;

import org.jspecify.annotations.Nullable;

/**
 * A minimal JSON writer for the access log, the admin pages and the tap: appends to a {@link StringBuilder}, adds the
 * commas itself. Enough for flat objects and nested objects/arrays; no reflection, no dependency.
 */
public final class Json {
  private final StringBuilder sb;
  private boolean needComma;

  public Json(StringBuilder sb) {
    this.sb = sb;
  }

  public Json() {
    this(new StringBuilder(256));
  }

  public Json beginObject() {
    comma();
    sb.append('{');
    needComma = false;
    return this;
  }

  public Json endObject() {
    sb.append('}');
    needComma = true;
    return this;
  }

  public Json beginArray() {
    comma();
    sb.append('[');
    needComma = false;
    return this;
  }

  public Json endArray() {
    sb.append(']');
    needComma = true;
    return this;
  }

  /** Writes a key; the next call writes its value. */
  public Json name(String name) {
    comma();
    string(sb, name);
    sb.append(':');
    needComma = false;
    return this;
  }

  public Json value(@Nullable String value) {
    comma();
    if (value == null) {
      sb.append("null");
    } else {
      string(sb, value);
    }
    needComma = true;
    return this;
  }

  public Json value(long value) {
    comma();
    sb.append(value);
    needComma = true;
    return this;
  }

  public Json value(boolean value) {
    comma();
    sb.append(value);
    needComma = true;
    return this;
  }

  /** A number; NaN and infinities (not JSON) are written as null. */
  public Json value(double value) {
    comma();
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      sb.append("null");
    } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      sb.append((long) value);
    } else {
      sb.append(Math.round(value * 1000.0) / 1000.0);
    }
    needComma = true;
    return this;
  }

  /** Inserts already-encoded JSON as a value. */
  public Json raw(String json) {
    comma();
    sb.append(json);
    needComma = true;
    return this;
  }

  public Json field(String name, @Nullable String value) {
    return name(name).value(value);
  }

  public Json field(String name, long value) {
    return name(name).value(value);
  }

  public Json field(String name, double value) {
    return name(name).value(value);
  }

  public Json field(String name, boolean value) {
    return name(name).value(value);
  }

  private void comma() {
    if (needComma) {
      sb.append(',');
    }
  }

  @Override
  public String toString() {
    return sb.toString();
  }

  /** Appends {@code s} as a JSON string literal. */
  public static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
