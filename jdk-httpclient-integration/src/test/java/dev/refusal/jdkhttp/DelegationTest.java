package dev.refusal.jdkhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.RefusalGuard;
import dev.refusal.RefusalListener;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method of the running JDK's {@link HttpClient} reaches the wrapped client: read from
 * {@code HttpClient} by reflection at run time, so a method a new JDK adds fails here until the
 * wrapper declares it.
 */
@DisplayName("Every HttpClient method reaches the wrapped client")
class DelegationTest {

  private static final RefusalGuard GUARD = Fixtures.fastGuard(RefusalListener.NONE, 1);

  /** Arguments by parameter type; a new JDK method with a new type fails until added here. */
  private static final Map<Class<?>, Object> ARGUMENTS = Map.of(
      HttpRequest.class, HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/")).build(),
      HttpResponse.BodyHandler.class, HttpResponse.BodyHandlers.discarding(),
      HttpResponse.PushPromiseHandler.class,
      (HttpResponse.PushPromiseHandler<Object>) (initiating, push, acceptor) -> {},
      Duration.class, Duration.ofMillis(1234));

  /** The public instance methods of the running JDK's HttpClient, Object's left out. */
  static List<Method> httpClientMethods() {
    return Arrays.stream(HttpClient.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getDeclaringClass() != Object.class)
        .sorted((a, b) -> signature(a).compareTo(signature(b)))
        .collect(Collectors.toList());
  }

  static Stream<Arguments> methods() {
    return httpClientMethods().stream().map(m -> Arguments.of(signature(m), m));
  }

  private static String signature(Method m) {
    return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
        .collect(Collectors.joining(", ", "(", ")"));
  }

  /** The HttpClient methods {@code type} leaves to HttpClient (or Object) instead of declaring. */
  static List<String> undeclared(Class<?> type) {
    List<String> missing = new ArrayList<>();
    for (Method m : httpClientMethods()) {
      try {
        Method own = type.getDeclaredMethod(m.getName(), m.getParameterTypes());
        if (!Modifier.isPublic(own.getModifiers()) || own.isBridge()) {
          missing.add(signature(m));
        }
      } catch (NoSuchMethodException e) {
        missing.add(signature(m));
      }
    }
    return missing;
  }

  @Test
  @DisplayName("the wrapper declares each public method of the running JDK's HttpClient")
  void wrapperDeclaresEveryMethod() {
    HttpClient wrapped = RefusalHttpClient.wrap(new RecordingHttpClient(), GUARD);

    assertThat(undeclared(wrapped.getClass())).as("HttpClient methods the wrapper inherits")
        .isEmpty();
  }

  @Test
  @DisplayName("the check above fails for a client that inherits a method")
  void checkCatchesAnInheritedMethod() {
    assertThat(undeclared(AbstractMethodsOnly.class))
        .contains("newWebSocketBuilder()")
        .doesNotContain("send(HttpRequest, BodyHandler)", "version()");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  @DisplayName("each call reaches the delegate with its arguments, and its answer comes back")
  void callReachesTheDelegate(String signature, Method method) throws Exception {
    RecordingHttpClient delegate = new RecordingHttpClient();
    HttpClient wrapped = RefusalHttpClient.wrap(delegate, GUARD);
    delegate.forget();
    Object[] arguments = Arrays.stream(method.getParameterTypes())
        .map(type -> {
          Object argument = ARGUMENTS.get(type);
          assertThat(argument).as("an argument of type %s for %s (add one to ARGUMENTS)",
              type.getName(), signature).isNotNull();
          return argument;
        })
        .toArray();

    Object answer = invoke(method, wrapped, arguments);

    assertThat(delegate.calls()).containsExactly(
        new RecordingHttpClient.Call(method.getName(), Arrays.asList(arguments)));
    assertThat(settled(answer)).isEqualTo(settled(delegate.lastAnswer()));
  }

  private static Object invoke(Method method, Object target, Object[] arguments)
      throws Exception {
    try {
      return method.invoke(target, arguments);
    } catch (InvocationTargetException e) {
      throw new AssertionError(method + " threw", e.getCause());
    }
  }

  /** A future's value (the wrapper returns its own future), anything else as it is. */
  private static Object settled(Object answer) throws Exception {
    return answer instanceof CompletableFuture
        ? ((CompletableFuture<?>) answer).get(5, TimeUnit.SECONDS) : answer;
  }

  @Nested
  @DisplayName("on JDK 21 and later, with a real JDK client")
  @EnabledForJreRange(min = JRE.JAVA_21)
  class Termination {

    private final HttpClient jdk = HttpClient.newHttpClient();
    private final HttpClient wrapped = RefusalHttpClient.wrap(jdk, GUARD);

    private Object call(HttpClient client, String name) throws Exception {
      return invoke(HttpClient.class.getMethod(name), client, new Object[0]);
    }

    private boolean awaitTermination(HttpClient client) throws Exception {
      return (Boolean) invoke(HttpClient.class.getMethod("awaitTermination", Duration.class),
          client, new Object[] {Duration.ofSeconds(5)});
    }

    @Test
    @DisplayName("the wrapper is AutoCloseable, and close() terminates the client it wraps")
    void closeTerminatesTheDelegate() throws Exception {
      assertThat(wrapped).isInstanceOf(AutoCloseable.class);
      assertThat(call(wrapped, "isTerminated")).isEqualTo(false);

      ((AutoCloseable) wrapped).close();

      assertThat(call(jdk, "isTerminated")).isEqualTo(true);
      assertThat(call(wrapped, "isTerminated")).isEqualTo(true);
    }

    @Test
    @DisplayName("shutdown() and awaitTermination(Duration) reach the client it wraps")
    void shutdownTerminatesTheDelegate() throws Exception {
      call(wrapped, "shutdown");

      assertThat(awaitTermination(wrapped)).isTrue();
      assertThat(call(jdk, "isTerminated")).isEqualTo(true);
    }

    @Test
    @DisplayName("shutdownNow() reaches the client it wraps")
    void shutdownNowTerminatesTheDelegate() throws Exception {
      call(wrapped, "shutdownNow");

      assertThat(awaitTermination(jdk)).isTrue();
      assertThat(call(wrapped, "isTerminated")).isEqualTo(true);
    }
  }

  @Nested
  @DisplayName("before JDK 21, where HttpClient has no close()")
  @EnabledForJreRange(max = JRE.JAVA_20)
  class BeforeTermination {

    @Test
    @DisplayName("the wrapper's own close() and friends do what JDK 21's defaults do")
    void jdk21DefaultsApply() throws Exception {
      HttpClient jdk = HttpClient.newHttpClient();
      GuardedHttpClient wrapped = (GuardedHttpClient) RefusalHttpClient.wrap(jdk, GUARD);

      wrapped.shutdown();
      wrapped.shutdownNow();
      wrapped.close();

      assertThat(wrapped.isTerminated()).isFalse();
      assertThat(wrapped.awaitTermination(Duration.ofMillis(1))).isTrue();
      assertThat(TerminationMethods.available()).isFalse();
    }
  }

  /** Declares what HttpClient makes abstract, and inherits the rest. */
  private static final class AbstractMethodsOnly extends HttpClient {
    @Override
    public java.util.Optional<java.net.CookieHandler> cookieHandler() {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<Duration> connectTimeout() {
      return java.util.Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
      return Redirect.NEVER;
    }

    @Override
    public java.util.Optional<java.net.ProxySelector> proxy() {
      return java.util.Optional.empty();
    }

    @Override
    public javax.net.ssl.SSLContext sslContext() {
      return null;
    }

    @Override
    public javax.net.ssl.SSLParameters sslParameters() {
      return null;
    }

    @Override
    public java.util.Optional<java.net.Authenticator> authenticator() {
      return java.util.Optional.empty();
    }

    @Override
    public Version version() {
      return Version.HTTP_1_1;
    }

    @Override
    public java.util.Optional<java.util.concurrent.Executor> executor() {
      return java.util.Optional.empty();
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request,
        HttpResponse.BodyHandler<T> responseBodyHandler) {
      return null;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
        HttpResponse.BodyHandler<T> responseBodyHandler) {
      return null;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
        HttpResponse.BodyHandler<T> responseBodyHandler,
        HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
      return null;
    }
  }
}
