package dev.refusal.jdkhttp;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A body that can be read once, as a stream that is consumed as it is sent: a second subscriber
 * gets {@link IllegalStateException} at once and no byte.
 */
final class OneShotPublisher implements HttpRequest.BodyPublisher {
  private final HttpRequest.BodyPublisher body;
  private final AtomicInteger subscriptions = new AtomicInteger();

  OneShotPublisher(String text) {
    this.body = HttpRequest.BodyPublishers.ofString(text);
  }

  /** How many subscribers asked for the body, the refused ones included. */
  int subscriptions() {
    return subscriptions.get();
  }

  @Override
  public long contentLength() {
    return body.contentLength();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    if (subscriptions.incrementAndGet() == 1) {
      body.subscribe(subscriber);
      return;
    }
    subscriber.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {}

      @Override
      public void cancel() {}
    });
    subscriber.onError(new IllegalStateException("this body was already read"));
  }
}
