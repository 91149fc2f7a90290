package io.inmesh.resilience.internal;

import java.util.concurrent.atomic.LongAdder;

/** The resilience stages' counters (see {@code ResilienceStats}). */
public final class Counters {
  public final LongAdder retries = new LongAdder();
  public final LongAdder retriesExhausted = new LongAdder();
  public final LongAdder budgetRefusals = new LongAdder();
  public final LongAdder retryOverflows = new LongAdder();
  public final LongAdder attemptTimeouts = new LongAdder();
  public final LongAdder deadlineRejections = new LongAdder();
  public final LongAdder overloads = new LongAdder();
  public final LongAdder circuitOpenRejections = new LongAdder();
  public final LongAdder breakerTransitions = new LongAdder();
  public final LongAdder ejections = new LongAdder();
  public final LongAdder healthCheckFailures = new LongAdder();
}
