package io.inmesh.telemetry.internal;

/** Prometheus text exposition format (version 0.0.4) helpers. */
final class Exposition {
  private Exposition() {}

  static StringBuilder label(StringBuilder sb, String name, String value) {
    sb.append(name).append("=\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        default -> sb.append(c);
      }
    }
    return sb.append('"');
  }

  static void header(StringBuilder sb, String name, String type, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  static void sample(StringBuilder sb, String name, String labels, double value) {
    sb.append(name);
    if (!labels.isEmpty()) {
      sb.append('{').append(labels).append('}');
    }
    sb.append(' ');
    number(sb, value);
    sb.append('\n');
  }

  static void number(StringBuilder sb, double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      sb.append((long) value);
    } else if (Double.isInfinite(value)) {
      sb.append(value > 0 ? "+Inf" : "-Inf");
    } else {
      sb.append(value);
    }
  }

  static void histogram(StringBuilder sb, String name, String labels, Histogram h) {
    double[] bounds = h.bounds();
    long[] cumulative = h.cumulative();
    String prefix = labels.isEmpty() ? "" : labels + ",";
    StringBuilder le = new StringBuilder();
    for (int i = 0; i < bounds.length; i++) {
      le.setLength(0);
      le.append(prefix).append("le=\"");
      number(le, bounds[i]);
      le.append('"');
      sample(sb, name + "_bucket", le.toString(), cumulative[i]);
    }
    sample(sb, name + "_bucket", prefix + "le=\"+Inf\"", cumulative[bounds.length]);
    sample(sb, name + "_sum", labels, h.sum());
    sample(sb, name + "_count", labels, cumulative[bounds.length]);
  }
}
