package dev.refusal.okhttp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.Handshake;
import okhttp3.HttpUrl;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A user's own event listener, as OkHttp's {@code EventListenerTest} writes one: every event is
 * recorded as data (its name and the details that matter), in order, so tests compare sequences.
 */
final class RecordingEventListener extends EventListener {
  private final List<String> events = new ArrayList<>();

  /** Every event so far, in order. */
  synchronized List<String> events() {
    return List.copyOf(events);
  }

  /** Only the events whose names are given, in order. */
  synchronized List<String> only(String... names) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      for (String n : names) {
        if (e.equals(n) || e.startsWith(n + " ")) {
          out.add(e);
        }
      }
    }
    return out;
  }

  synchronized void clear() {
    events.clear();
  }

  private synchronized void add(String event) {
    events.add(event);
  }

  private static String text(InetSocketAddress a) {
    InetAddress ip = a.getAddress();
    if (ip == null) {
      return a.getHostString() + ":" + a.getPort();
    }
    String host = ip.getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public void callStart(Call call) {
    add("callStart");
  }

  @Override
  public void dispatcherQueueStart(Call call, Dispatcher dispatcher) {
    add("dispatcherQueueStart");
  }

  @Override
  public void dispatcherQueueEnd(Call call, Dispatcher dispatcher) {
    add("dispatcherQueueEnd");
  }

  @Override
  public void proxySelectStart(Call call, HttpUrl url) {
    add("proxySelectStart");
  }

  @Override
  public void proxySelectEnd(Call call, HttpUrl url, List<Proxy> proxies) {
    add("proxySelectEnd");
  }

  @Override
  public void dnsStart(Call call, String domainName) {
    add("dnsStart " + domainName);
  }

  @Override
  public void dnsEnd(Call call, String domainName, List<InetAddress> addresses) {
    add("dnsEnd " + domainName);
  }

  @Override
  public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
    add("connectStart " + text(address));
  }

  @Override
  public void secureConnectStart(Call call) {
    add("secureConnectStart");
  }

  @Override
  public void secureConnectEnd(Call call, Handshake handshake) {
    add("secureConnectEnd");
  }

  @Override
  public void connectEnd(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol) {
    add("connectEnd " + text(address));
  }

  @Override
  public void connectFailed(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol,
      IOException ioe) {
    add("connectFailed " + text(address));
  }

  @Override
  public void connectionAcquired(Call call, Connection connection) {
    add("connectionAcquired");
  }

  @Override
  public void connectionReleased(Call call, Connection connection) {
    add("connectionReleased");
  }

  @Override
  public void requestHeadersStart(Call call) {
    add("requestHeadersStart");
  }

  @Override
  public void requestHeadersEnd(Call call, Request request) {
    add("requestHeadersEnd");
  }

  @Override
  public void requestBodyStart(Call call) {
    add("requestBodyStart");
  }

  @Override
  public void requestBodyEnd(Call call, long byteCount) {
    add("requestBodyEnd");
  }

  @Override
  public void requestFailed(Call call, IOException ioe) {
    add("requestFailed");
  }

  @Override
  public void responseHeadersStart(Call call) {
    add("responseHeadersStart");
  }

  @Override
  public void responseHeadersEnd(Call call, Response response) {
    add("responseHeadersEnd");
  }

  @Override
  public void responseBodyStart(Call call) {
    add("responseBodyStart");
  }

  @Override
  public void responseBodyEnd(Call call, long byteCount) {
    add("responseBodyEnd");
  }

  @Override
  public void responseFailed(Call call, IOException ioe) {
    add("responseFailed");
  }

  @Override
  public void callEnd(Call call) {
    add("callEnd");
  }

  @Override
  public void callFailed(Call call, IOException ioe) {
    add("callFailed " + ioe.getClass().getSimpleName());
  }

  @Override
  public void canceled(Call call) {
    add("canceled");
  }

  @Override
  public void retryDecision(Call call, IOException exception, boolean retry) {
    add("retryDecision " + retry);
  }

  @Override
  public void followUpDecision(Call call, Response networkResponse, Request nextRequest) {
    add("followUpDecision " + (nextRequest != null));
  }
}
