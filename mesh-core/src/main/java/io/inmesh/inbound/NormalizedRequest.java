package io.inmesh.inbound;

import io.inmesh.pipeline.MeshHeaders;
import io.inmesh.pipeline.MeshRequest;
import org.jspecify.annotations.Nullable;

/** The request with its normalised path, as the stages after normalisation see it. */
record NormalizedRequest(MeshRequest delegate, String path) implements MeshRequest {
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
  public @Nullable String query() {
    return delegate.query();
  }

  @Override
  public MeshHeaders headers() {
    return delegate.headers();
  }
}
