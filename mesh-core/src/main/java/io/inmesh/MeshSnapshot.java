package io.inmesh;

import io.inmesh.config.ConfigProblem;
import io.inmesh.config.LoadedConfig;
import io.inmesh.config.MeshConfig;
import io.inmesh.routing.RoutingCompiler;
import io.inmesh.routing.ServiceDirectory;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One applied configuration, compiled for this application's workload: immutable, versioned, swapped atomically on a
 * valid change. A request reads the snapshot once when it starts and keeps it to the end, so a reload never changes
 * the rules under a request in flight.
 */
public final class MeshSnapshot {
  private final long version;
  private final String contentHash;
  private final String source;
  private final Instant loadedAt;
  private final MeshConfig config;
  private final WorkloadIdentity workload;
  private final ServiceDirectory services;
  private final List<ConfigProblem> warnings;
  private final List<String> origins;

  private MeshSnapshot(long version, String contentHash, String source, Instant loadedAt, MeshConfig config,
      WorkloadIdentity workload, ServiceDirectory services, List<ConfigProblem> warnings, List<String> origins) {
    this.version = version;
    this.contentHash = contentHash;
    this.source = source;
    this.loadedAt = loadedAt;
    this.config = config;
    this.workload = workload;
    this.services = services;
    this.warnings = List.copyOf(warnings);
    this.origins = List.copyOf(origins);
  }

  /**
   * Compiles a validated configuration for {@code workload}: services indexed by host, routes and regexes compiled,
   * policies inherited. No I/O.
   */
  public static MeshSnapshot compile(LoadedConfig loaded, WorkloadIdentity workload, long version, String source,
      Instant loadedAt) {
    return compile(loaded, workload, version, source, loadedAt, List.of());
  }

  /**
   * Compiles a validated configuration, recording the origins of its documents (file paths, or keys with the etcd
   * revision they were read at).
   */
  public static MeshSnapshot compile(LoadedConfig loaded, WorkloadIdentity workload, long version, String source,
      Instant loadedAt, List<String> origins) {
    Objects.requireNonNull(loaded, "loaded");
    Objects.requireNonNull(workload, "workload");
    ServiceDirectory services = RoutingCompiler.compile(loaded.config(), workload);
    return new MeshSnapshot(version, loaded.contentHash(), source, loadedAt, loaded.config(), workload, services,
        loaded.warnings(), origins);
  }

  /** Increases by one with each applied configuration of this {@link Mesh}, starting at 1. */
  public long version() {
    return version;
  }

  /** SHA-256 (hex) of the configuration text this snapshot was built from. */
  public String contentHash() {
    return contentHash;
  }

  /** A short form of {@link #contentHash()} for logs. */
  public String shortHash() {
    return contentHash.substring(0, Math.min(12, contentHash.length()));
  }

  /** Where the configuration came from (file paths, URL). */
  public String source() {
    return source;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  public MeshConfig config() {
    return config;
  }

  public WorkloadIdentity workload() {
    return workload;
  }

  /** The services, by every host name, as seen from this workload. */
  public ServiceDirectory services() {
    return services;
  }

  /** The origins of the documents this snapshot was built from, in order (for the admin page). */
  public List<String> origins() {
    return origins;
  }

  /** Warnings the configuration was accepted with. */
  public List<ConfigProblem> warnings() {
    return warnings;
  }

  @Override
  public String toString() {
    return "MeshSnapshot[v" + version + ", " + shortHash() + ", " + services.size() + " services]";
  }
}
