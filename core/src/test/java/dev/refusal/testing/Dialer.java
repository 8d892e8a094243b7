package dev.refusal.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The ways a Java program opens a connection, each making one HTTP/1.1 {@code GET /} exchange, so
 * a test can capture the exception a real failure produces through each of them.
 *
 * <p>{@link #failureDialling(InetSocketAddress)} returns what the dial threw and fails the test if
 * it threw nothing. Every dial is bounded: connects by their timeout, answers by the exchange
 * timeout ({@link #SOCKET_CHANNEL}, which has neither, is closed once both have passed; see {@link
 * #hasTimeouts()}).
 * Dial only loopback or this host's own addresses.
 */
public enum Dialer {

  /** {@code java.net.Socket}: {@code connect(address, timeout)}, then its streams. */
  SOCKET {
    @Override
    public Session open(Duration connectTimeout, Duration exchangeTimeout,
        InetAddress localAddress) {
      return target -> {
        try (Socket socket = new Socket()) {
          if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
          }
          socket.connect(target, Math.toIntExact(connectTimeout.toMillis()));
          socket.setSoTimeout(Math.toIntExact(exchangeTimeout.toMillis()));
          OutputStream out = socket.getOutputStream();
          out.write(request(target));
          out.flush();
          InputStream in = socket.getInputStream();
          byte[] buffer = new byte[8_192];
          while (in.read(buffer) >= 0) {
            // Drain the answer; a reset shows up here.
          }
        } catch (IOException | RuntimeException e) {
          return e;
        }
        throw noFailure(this, target);
      };
    }
  },

  /**
   * {@code java.nio.channels.SocketChannel} in blocking mode: {@code connect(address)}, then
   * {@code write} and {@code read}.
   */
  SOCKET_CHANNEL {
    @Override
    public Session open(Duration connectTimeout, Duration exchangeTimeout,
        InetAddress localAddress) {
      return target -> {
        try (SocketChannel channel = SocketChannel.open()) {
          // The channel has no timeouts of its own; closing it ends a dial that hangs.
          ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> closeQuietly(channel),
              connectTimeout.plus(exchangeTimeout).toMillis(), TimeUnit.MILLISECONDS);
          try {
            if (localAddress != null) {
              channel.bind(new InetSocketAddress(localAddress, 0));
            }
            channel.connect(target);
            channel.write(ByteBuffer.wrap(request(target)));
            ByteBuffer buffer = ByteBuffer.allocate(8_192);
            while (channel.read(buffer) >= 0) {
              buffer.clear();
            }
          } finally {
            watchdog.cancel(false);
          }
        } catch (IOException | RuntimeException e) {
          return e;
        }
        throw noFailure(this, target);
      };
    }

    @Override
    public boolean hasTimeouts() {
      return false;
    }
  },

  /** {@code java.net.http.HttpClient.send}. */
  HTTP_CLIENT {
    @Override
    public Session open(Duration connectTimeout, Duration exchangeTimeout,
        InetAddress localAddress) {
      HttpClient client = httpClient(connectTimeout, localAddress);
      return new HttpSession(client, exchangeTimeout) {
        @Override
        void exchange(HttpRequest request) throws IOException, InterruptedException {
          client.send(request, HttpResponse.BodyHandlers.discarding());
        }
      };
    }

    @Override
    public boolean canBindLocalAddress() {
      return LOCAL_ADDRESS != null;
    }
  },

  /**
   * {@code java.net.http.HttpClient.sendAsync(...).join()}: the failure arrives wrapped in a
   * {@code CompletionException}.
   */
  HTTP_CLIENT_ASYNC {
    @Override
    public Session open(Duration connectTimeout, Duration exchangeTimeout,
        InetAddress localAddress) {
      HttpClient client = httpClient(connectTimeout, localAddress);
      return new HttpSession(client, exchangeTimeout) {
        @Override
        void exchange(HttpRequest request) {
          client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).join();
        }
      };
    }

    @Override
    public boolean canBindLocalAddress() {
      return LOCAL_ADDRESS != null;
    }
  };

  /** The connect timeout of {@link #failureDialling(InetSocketAddress)}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** How long {@link #failureDialling(InetSocketAddress)} waits for an answer once connected. */
  public static final Duration DEFAULT_EXCHANGE_TIMEOUT = Duration.ofSeconds(10);

  /** {@code HttpClient.Builder.localAddress}, added in JDK 19; null on older JDKs. */
  private static final Method LOCAL_ADDRESS = localAddressMethod();

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dialer-watchdog");
        t.setDaemon(true);
        return t;
      });

  /**
   * Prepares dials: builds the HTTP client, if any, now. A test that must fail inside the dial
   * itself (say, once descriptors run out) opens the session first.
   *
   * @param connectTimeout how long a connect may take
   * @param exchangeTimeout how long to wait for the answer once connected: the socket's read
   *     timeout, or the HTTP request's timeout
   * @param localAddress the address to bind the client side to, or null for the system's choice
   */
  public abstract Session open(Duration connectTimeout, Duration exchangeTimeout,
      InetAddress localAddress);

  /** Dials {@code target} and returns the exception the dial threw. */
  public Throwable failureDialling(InetSocketAddress target) {
    return failureDialling(target, DEFAULT_CONNECT_TIMEOUT, DEFAULT_EXCHANGE_TIMEOUT, null);
  }

  /** Dials {@code target} with the given settings and returns the exception the dial threw. */
  public Throwable failureDialling(InetSocketAddress target, Duration connectTimeout,
      Duration exchangeTimeout, InetAddress localAddress) {
    try (Session session = open(connectTimeout, exchangeTimeout, localAddress)) {
      return session.failureDialling(target);
    }
  }

  /**
   * Whether the dial has timeouts of its own. {@code SocketChannel} has none (this enum bounds it
   * by closing the channel), so do not dial a silent address with it to provoke a timeout: its
   * connect would hold for the kernel's whole SYN retry time.
   */
  public boolean hasTimeouts() {
    return true;
  }

  /**
   * Whether the client side can be bound to a chosen local address: always for sockets; for
   * {@code HttpClient}, from JDK 19.
   */
  public boolean canBindLocalAddress() {
    return true;
  }

  /** Dials made with one set of settings; close it to release the HTTP client. */
  @FunctionalInterface
  public interface Session extends AutoCloseable {

    /** Dials {@code target} and returns the exception thrown; fails if there was none. */
    Throwable failureDialling(InetSocketAddress target);

    @Override
    default void close() {}
  }

  private abstract static class HttpSession implements Session {
    private final HttpClient client;
    private final Duration exchangeTimeout;

    HttpSession(HttpClient client, Duration exchangeTimeout) {
      this.client = client;
      this.exchangeTimeout = exchangeTimeout;
    }

    abstract void exchange(HttpRequest request) throws IOException, InterruptedException;

    @Override
    public Throwable failureDialling(InetSocketAddress target) {
      HttpRequest request = HttpRequest.newBuilder(uri(target)).timeout(exchangeTimeout).build();
      try {
        exchange(request);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted dialling " + target, e);
      } catch (IOException | RuntimeException e) {
        return e;
      }
      throw new AssertionError("dialling " + target + " with HttpClient succeeded; expected a"
          + " failure");
    }

    @Override
    public void close() {
      // HttpClient is AutoCloseable from JDK 21; on older JDKs its thread ends once unreachable.
      if (client instanceof AutoCloseable closeable) {
        closeQuietly(closeable);
      }
    }
  }

  private static HttpClient httpClient(Duration connectTimeout, InetAddress localAddress) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
    if (localAddress != null) {
      if (LOCAL_ADDRESS == null) {
        throw new UnsupportedOperationException("HttpClient.Builder.localAddress needs JDK 19+");
      }
      try {
        LOCAL_ADDRESS.invoke(builder, localAddress);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("could not set the HttpClient's local address", e);
      }
    }
    return builder.build();
  }

  private static Method localAddressMethod() {
    try {
      return HttpClient.Builder.class.getMethod("localAddress", InetAddress.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static URI uri(InetSocketAddress target) {
    String host = target.getHostString();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
        + target.getPort() + "/");
  }

  private static byte[] request(InetSocketAddress target) {
    return ("GET / HTTP/1.1\r\nHost: " + target.getHostString() + "\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static AssertionError noFailure(Dialer dialer, InetSocketAddress target) {
    return new AssertionError("dialling " + target + " with " + dialer + " succeeded; expected a"
        + " failure");
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // Closing is best effort; the dial's own outcome is what the test looks at.
    }
  }
}
