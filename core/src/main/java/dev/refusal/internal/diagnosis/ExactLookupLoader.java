package dev.refusal.internal.diagnosis;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads {@link ExactListenerLookup}'s implementation once, by name, so JDK 17 never sees its
 * class file. Thread-safe.
 */
final class ExactLookupLoader {

  /** The Linux constants the implementation uses are those of these architectures. */
  private static final Set<String> ARCHITECTURES = Set.of("amd64", "x86_64", "aarch64");

  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static volatile boolean loaded;
  private static volatile ExactListenerLookup lookup;

  private ExactLookupLoader() {}

  static ExactListenerLookup load() {
    if (!loaded) {
      synchronized (ExactLookupLoader.class) {
        if (!loaded) {
          lookup = open();
          loaded = true;
        }
      }
    }
    return lookup;
  }

  static ExactListenerLookup loadedOrStart() {
    if (loaded) {
      return lookup;
    }
    if (STARTED.compareAndSet(false, true)) {
      Thread t = new Thread(ExactLookupLoader::load, "refusal-listener-lookup-loader");
      t.setDaemon(true);
      t.start();
    }
    return null;
  }

  private static ExactListenerLookup open() {
    try {
      if ("false".equalsIgnoreCase(System.getProperty(ExactListenerLookup.ENABLED_PROPERTY))
          || Runtime.version().feature() < 22
          || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
          || !ARCHITECTURES.contains(System.getProperty("os.arch", ""))) {
        return null;
      }
      Class<?> type = Class.forName("dev.refusal.internal.diagnosis.SockDiagLookup", true,
          ExactLookupLoader.class.getClassLoader());
      return (ExactListenerLookup) type.getMethod("open").invoke(null);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // Built without the JDK 22 classes, or a JVM that cannot run them: read /proc instead.
      return null;
    }
  }
}
