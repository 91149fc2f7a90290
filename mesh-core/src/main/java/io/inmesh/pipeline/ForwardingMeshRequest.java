package io.inmesh.pipeline;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request that forwards everything to another; a stage that changes one part of a request (a header, the path)
 * extends this and overrides that part, so that nothing else is copied.
 */
public abstract class ForwardingMeshRequest implements MeshRequest {
  private final MeshRequest delegate;

  protected ForwardingMeshRequest(MeshRequest delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The request this one forwards to. */
  public MeshRequest delegate() {
    return delegate;
  }

  @Override
  public String method() {
    return delegate.method();
  }

  @Override
  public String scheme() {
    return delegate.scheme();
  }

  @Override
  public String authority() {
    return delegate.authority();
  }

  @Override
  public String path() {
    return delegate.path();
  }

  @Override
  public @Nullable String query() {
    return delegate.query();
  }

  @Override
  public MeshHeaders headers() {
    return delegate.headers();
  }

  @Override
  public String toString() {
    return method() + " " + authority() + path();
  }
}
