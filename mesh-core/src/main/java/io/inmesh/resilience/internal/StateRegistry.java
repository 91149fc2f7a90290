package io.inmesh.resilience.internal;

import java.util.Collection;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * State that outlives snapshots (budgets, limits, breakers), keyed by name and kept while its configuration stays
 * equal: a reload that does not touch a piece keeps its counters and breaker states; a changed piece starts afresh.
 *
 * @param <S> the state type
 */
public final class StateRegistry<S> {
  private record Entry<S>(Object config, S state) {}

  private final ConcurrentHashMap<String, Entry<S>> entries = new ConcurrentHashMap<>();

  /** The state under {@code key} if it was made for an equal {@code config}; otherwise a new one replaces it. */
  public S get(String key, Object config, Supplier<S> create) {
    Entry<S> e = entries.get(key);
    if (e != null && Objects.equals(e.config(), config)) {
      return e.state();
    }
    Entry<S> created = new Entry<>(config, create.get());
    entries.put(key, created);
    return created.state();
  }

  /** Drops the states whose key is not in {@code keys}. */
  public void retain(Set<String> keys) {
    entries.keySet().retainAll(keys);
  }

  /** The states now. */
  public Collection<S> states() {
    return entries.values().stream().map(Entry::state).toList();
  }
}
