package io.inmesh.lb;

import io.inmesh.config.TrafficPolicy.ConsistentHash;
import io.inmesh.pipeline.MeshContext;
import io.inmesh.pipeline.MeshRequest;
import java.util.Arrays;

/**
 * Consistent hashing on a ring (Envoy's RING_HASH, Karger et al.): each endpoint owns points on a 64-bit ring in
 * proportion to its weight, and a key goes to the owner of the first point at or after its hash. An endpoint's
 * points depend only on its address, so adding or removing one endpoint moves only the keys it gains or loses (about
 * 1/N of them).
 *
 * <p>The ring has at least {@code minimumRingSize} points, and 1,024 points per endpoint up to 65,536 points, so
 * that shares stay within a few percent of the weights (with k points per endpoint the share's relative spread is
 * about 1/sqrt(k)). A request without the key gets a weighted random endpoint.
 */
final class RingHashPicker implements Picker {
  static final int POINTS_PER_ENDPOINT = 1024;
  static final int MAX_DEFAULT_RING = 65_536;

  private final long[] points;
  private final EndpointState[] owners;
  private final HashKey key;
  private final Picker fallback;

  RingHashPicker(ConsistentHash settings, EndpointState[] endpoints, LbEnvironment env) {
    this.key = HashKey.of(settings, env);
    this.fallback = Pickers.random(endpoints, env);
    long totalWeight = 0;
    for (EndpointState e : endpoints) {
      totalWeight += e.endpoint().weight();
    }
    int min = settings.minimumRingSize();
    long size = Math.max(min, Math.min((long) POINTS_PER_ENDPOINT * endpoints.length, Math.max(min, MAX_DEFAULT_RING)));
    int[] counts = new int[endpoints.length];
    int total = 0;
    for (int i = 0; i < endpoints.length; i++) {
      counts[i] = (int) Math.max(1, Math.round((double) size * endpoints[i].endpoint().weight() / totalWeight));
      total += counts[i];
    }
    // Sort (hash, owner) pairs: the owner index rides in a parallel array sorted by the same permutation.
    long[] hashes = new long[total];
    int[] owner = new int[total];
    int p = 0;
    for (int i = 0; i < endpoints.length; i++) {
      long base = Hashing.hash64(endpoints[i].address());
      for (int k = 0; k < counts[i]; k++, p++) {
        hashes[p] = Hashing.point(base, k);
        owner[p] = i;
      }
    }
    Integer[] order = new Integer[total];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (x, y) -> Long.compare(hashes[x], hashes[y]));
    this.points = new long[total];
    this.owners = new EndpointState[total];
    for (int i = 0; i < total; i++) {
      points[i] = hashes[order[i]];
      owners[i] = endpoints[owner[order[i]]];
    }
  }

  @Override
  public EndpointState pick(MeshContext ctx, MeshRequest request) {
    String k = key.of(ctx, request);
    return k == null ? fallback.pick(ctx, request) : owner(Hashing.hash64(k));
  }

  /** The owner of the first point at or after {@code hash}, wrapping around. */
  EndpointState owner(long hash) {
    int i = Arrays.binarySearch(points, hash);
    if (i < 0) {
      i = -i - 1;
    }
    return owners[i == points.length ? 0 : i];
  }

  int size() {
    return points.length;
  }
}
