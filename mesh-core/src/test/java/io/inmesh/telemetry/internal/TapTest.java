package io.inmesh.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TapTest {
  @Test
  void aReaderThatDoesNotReadLosesEventsAndCountsThemWhilePublishingNeverBlocks() {
    Tap tap = new Tap();
    Tap.Subscription slow = tap.subscribe(new Tap.Filter(null, null, null, null));
    int published = Tap.QUEUE_CAPACITY + 500;
    for (int i = 0; i < published; i++) {
      tap.publish("backend", "GET", "/x", 200, () -> "{}");
    }
    assertThat(slow.dropped()).isEqualTo(500);
    assertThat(tap.dropped()).isEqualTo(500);
    int read = 0;
    while (slow.poll(0, TimeUnit.MILLISECONDS) != null) {
      read++;
    }
    assertThat(read).isEqualTo(Tap.QUEUE_CAPACITY);
    slow.close();
    assertThat(tap.active()).isFalse();
  }

  @Test
  void buildsTheEventOnlyForMatchingSubscribers() {
    Tap tap = new Tap();
    AtomicInteger built = new AtomicInteger();
    tap.publish("backend", "GET", "/x", 503, () -> "e" + built.incrementAndGet());
    assertThat(built).hasValue(0); // nobody listens: nothing built
    Tap.Subscription s = tap.subscribe(new Tap.Filter("backend", "/api", "get", "5xx"));
    tap.publish("backend", "GET", "/api/a", 200, () -> "e" + built.incrementAndGet());
    tap.publish("other", "GET", "/api/a", 503, () -> "e" + built.incrementAndGet());
    tap.publish("backend", "POST", "/api/a", 503, () -> "e" + built.incrementAndGet());
    tap.publish("backend", "GET", "/web", 503, () -> "e" + built.incrementAndGet());
    tap.publish("backend", "GET", "/api/b", 503, () -> "e" + built.incrementAndGet());
    assertThat(s.poll(1, TimeUnit.SECONDS)).isEqualTo("e1");
    assertThat(s.poll(0, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void refusesSubscribersBeyondTheLimit() {
    Tap tap = new Tap();
    for (int i = 0; i < Tap.MAX_SUBSCRIBERS; i++) {
      assertThat(tap.subscribe(new Tap.Filter(null, null, null, null))).isNotNull();
    }
    assertThat(tap.subscribe(new Tap.Filter(null, null, null, null))).isNull();
  }
}
