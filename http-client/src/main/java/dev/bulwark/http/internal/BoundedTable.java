package dev.bulwark.http.internal;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Per-key state (an authority's breaker, bulkhead, hedge) with a bound on the number of keys, so
 * that a client that calls many hosts, or URIs built from user input, cannot grow without limit.
 *
 * <p>A lookup of a known key is one {@link ConcurrentHashMap#get}. When a new key would exceed the
 * bound, one existing entry is dropped first: one that {@code idle} says holds nothing worth
 * keeping (a closed breaker), else any. A dropped key starts afresh when it is next used. Under
 * concurrent inserts the bound may be exceeded briefly by the number of inserting threads.
 *
 * @param <V> the state kept per key
 */
public final class BoundedTable<V> {

  private final ConcurrentHashMap<String, V> entries = new ConcurrentHashMap<>();
  private final int maxKeys;
  private final Function<String, V> create;
  private final Predicate<V> idle;

  /**
   * Creates an empty table.
   *
   * @param maxKeys the most keys kept, at least 1
   * @param create makes the state of a new key
   * @param idle true for state that may be dropped first
   */
  public BoundedTable(int maxKeys, Function<String, V> create, Predicate<V> idle) {
    this.maxKeys = maxKeys;
    this.create = create;
    this.idle = idle;
  }

  /**
   * Returns the state of {@code key}, creating it if needed.
   *
   * @param key the key
   * @return its state
   */
  public V get(String key) {
    V value = entries.get(key);
    if (value != null) {
      return value;
    }
    if (entries.size() >= maxKeys) {
      evictOne();
    }
    return entries.computeIfAbsent(key, create);
  }

  /**
   * Returns the state of {@code key} if it is kept, without creating it.
   *
   * @param key the key
   * @return its state, or null
   */
  public V find(String key) {
    return entries.get(key);
  }

  /**
   * Returns how many keys are kept.
   *
   * @return the number of keys
   */
  public int size() {
    return entries.size();
  }

  private void evictOne() {
    String victim = null;
    for (Map.Entry<String, V> e : entries.entrySet()) {
      if (idle.test(e.getValue())) {
        victim = e.getKey();
        break;
      }
    }
    if (victim == null) {
      Iterator<String> keys = entries.keySet().iterator();
      if (keys.hasNext()) {
        victim = keys.next();
      }
    }
    if (victim != null) {
      entries.remove(victim);
    }
  }
}
