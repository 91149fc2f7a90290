package io.inmesh.config;

/** Inbound path normalisation before authorization, as Istio's {@code meshConfig.pathNormalization}. */
public enum PathNormalizationMode {
  /** No normalisation (unsafe: authorization may see a different path than the application). */
  NONE,
  /** RFC 3986 dot-segment removal. */
  BASE,
  /** BASE, and {@code //} becomes {@code /}. */
  MERGE_SLASHES,
  /** MERGE_SLASHES after decoding {@code %2F %2f %5C %5c}; InMesh's default. */
  DECODE_AND_MERGE_SLASHES
}
