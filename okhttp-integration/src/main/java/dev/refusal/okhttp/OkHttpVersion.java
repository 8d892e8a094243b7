package dev.refusal.okhttp;

/**
 * Checks, once, that the OkHttp on the class path has what the integration calls: OkHttp 5's
 * {@code Call.tag(Class, Function0)} and {@code Call.addEventListener}. OkHttp 4 compiles against
 * none of this and would fail on the first call with a {@code NoSuchMethodError}; the check turns
 * that into a clear error at {@code install}.
 */
final class OkHttpVersion {

  /** The oldest OkHttp this integration runs on. */
  static final String NEEDED = "5.0.0";

  private static final String PROBLEM = problem();

  private OkHttpVersion() {}

  /**
   * Returns normally on a usable OkHttp.
   *
   * @throws IllegalStateException naming the OkHttp found and the one needed
   */
  static void check() {
    if (PROBLEM != null) {
      throw new IllegalStateException(PROBLEM);
    }
  }

  /** Null when every method is there; else the message, which names both versions. */
  private static String problem() {
    try {
      Class<?> call = Class.forName("okhttp3.Call");
      call.getMethod("tag", Class.class, Class.forName("kotlin.jvm.functions.Function0"));
      call.getMethod("addEventListener", Class.forName("okhttp3.EventListener"));
      return null;
    } catch (ReflectiveOperationException | LinkageError e) {
      return "Refusal's OkHttp integration needs OkHttp " + NEEDED + " or later (the Maven"
          + " artifact com.squareup.okhttp3:okhttp-jvm, or okhttp with Gradle); found OkHttp "
          + found() + " on the class path (" + e + "). Depend on OkHttp 5, or manage its version"
          + " to 5.x where another dependency brings OkHttp 4.";
    }
  }

  /**
   * The version OkHttp says it is. Read by reflection: {@code OkHttp.VERSION} is a compile-time
   * constant, which the compiler would copy into this class as the version built against.
   */
  private static String found() {
    try {
      Object v = Class.forName("okhttp3.OkHttp").getField("VERSION").get(null);
      return String.valueOf(v);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return "of an unknown version (older than 4)";
    }
  }
}
