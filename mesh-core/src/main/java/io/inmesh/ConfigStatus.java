package io.inmesh;

import io.inmesh.config.ConfigProblem;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The state of a mesh's configuration, for health checks and the admin page.
 *
 * @param version the applied snapshot's version
 * @param contentHash the applied configuration's hash
 * @param source where it came from
 * @param appliedAt when it was applied
 * @param appliedCount configurations applied since start-up, the first included
 * @param rejectedCount changes rejected since start-up
 * @param lastRejection the most recent rejected change, or null
 * @param usingLastGoodCopy true while the mesh runs on the locally persisted copy because its config source has not
 *     been reachable since start-up (not ready in the sense of {@code /readyz}: it serves, but may be stale)
 */
public record ConfigStatus(
    long version,
    String contentHash,
    String source,
    Instant appliedAt,
    long appliedCount,
    long rejectedCount,
    @Nullable ConfigRejection lastRejection,
    boolean usingLastGoodCopy) {

  /**
   * A change that was rejected; the previous configuration stayed in force.
   *
   * @param at when
   * @param contentHash the rejected content's hash (empty when the source could not be read)
   * @param problems why
   */
  public record ConfigRejection(Instant at, String contentHash, List<ConfigProblem> problems) {
    public ConfigRejection {
      problems = List.copyOf(problems);
    }
  }
}
