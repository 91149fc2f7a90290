package io.inmesh.lb;

/** Draws an index with probability proportional to its endpoint's weight. */
final class WeightedIndex {
  private final int n;
  /** Cumulative weights, or null when all weights are equal (a plain uniform draw). */
  private final long @org.jspecify.annotations.Nullable [] cumulative;
  private final long total;

  WeightedIndex(EndpointState[] endpoints) {
    n = endpoints.length;
    boolean equal = true;
    long[] c = new long[n];
    long sum = 0;
    for (int i = 0; i < n; i++) {
      int w = endpoints[i].endpoint().weight();
      equal &= w == endpoints[0].endpoint().weight();
      sum += w;
      c[i] = sum;
    }
    cumulative = equal ? null : c;
    total = sum;
  }

  int draw(java.util.random.RandomGenerator r) {
    long[] c = cumulative;
    if (c == null) {
      return n == 1 ? 0 : r.nextInt(n);
    }
    long x = r.nextLong(total);
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) { // the first index whose cumulative weight exceeds x
      int mid = (lo + hi) >>> 1;
      if (c[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** A second index, distinct from {@code first}, again in proportion to weight. */
  int drawOther(java.util.random.RandomGenerator r, int first) {
    for (int i = 0; i < 8; i++) {
      int b = draw(r);
      if (b != first) {
        return b;
      }
    }
    // Very unequal weights: stop redrawing and take any other endpoint.
    return (first + 1 + r.nextInt(n - 1)) % n;
  }
}
