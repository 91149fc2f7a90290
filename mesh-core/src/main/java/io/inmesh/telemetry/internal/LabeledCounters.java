package io.inmesh.telemetry.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One counter (or gauge) metric family: a lock-free adder per label set. The label text is built by the caller from
 * bounded values (service and route names, policy names), never raw paths or client addresses; a family holds at most
 * {@code maxSeries} label sets and counts what it had to drop.
 */
final class LabeledCounters {
  private final String name;
  private final String type;
  private final String help;
  private final int maxSeries;
  private final ConcurrentHashMap<String, LongAdder> series = new ConcurrentHashMap<>();
  private final LongAdder overflow;

  LabeledCounters(String name, String type, String help, int maxSeries, LongAdder overflow) {
    this.name = name;
    this.type = type;
    this.help = help;
    this.maxSeries = maxSeries;
    this.overflow = overflow;
  }

  void add(String labels, long delta) {
    LongAdder a = series.get(labels);
    if (a == null) {
      if (series.size() >= maxSeries) {
        overflow.increment();
        return;
      }
      a = series.computeIfAbsent(labels, k -> new LongAdder());
    }
    a.add(delta);
  }

  long get(String labels) {
    LongAdder a = series.get(labels);
    return a == null ? 0 : a.sum();
  }

  void write(StringBuilder sb) {
    Exposition.header(sb, name, type, help);
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(series).entrySet()) {
      Exposition.sample(sb, name, e.getKey(), e.getValue().sum());
    }
  }
}
