package io.inmesh.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Futures' failures as the code that failed threw them. Not API. */
public final class Completions {
  private Completions() {}

  /** {@code t} without the {@link CompletionException} / {@link ExecutionException} wrappers futures add. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
