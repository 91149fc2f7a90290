package io.inmesh.lb;

/**
 * A 64-bit hash of strings for the hash ring: MurmurHash3's x64 block mix over four UTF-16 chars per block and its
 * 64-bit finaliser. Hashes the chars directly, so a pick allocates nothing.
 */
final class Hashing {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Hashing() {}

  static long hash64(CharSequence s) {
    int n = s.length();
    long h = 0x9E3779B97F4A7C15L;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      long k = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
          | (long) s.charAt(i + 3) << 48;
      h ^= mixK(k);
      h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
    }
    long k = 0;
    for (int shift = 0; i < n; i++, shift += 16) {
      k |= (long) s.charAt(i) << shift;
    }
    h ^= mixK(k);
    return fmix64(h ^ n);
  }

  /** The i-th ring point of an endpoint whose address hashes to {@code addressHash}. */
  static long point(long addressHash, int i) {
    return fmix64(addressHash + (i + 1) * 0x9E3779B97F4A7C15L);
  }

  private static long mixK(long k) {
    k *= C1;
    k = Long.rotateLeft(k, 31);
    return k * C2;
  }

  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
