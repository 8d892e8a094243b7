package dev.refusal.okhttp;

import dev.refusal.RefusalGuard;
import okhttp3.OkHttpClient;

/**
 * Installs the integration on the OkHttp of its class path and prints what happened: {@code
 * installed}, or the class and message of what {@code install} threw. Run as a child JVM.
 */
public final class OkHttp4Child {

  private OkHttp4Child() {}

  public static void main(String[] args) {
    try (RefusalGuard guard = RefusalGuard.defaults()) {
      RefusalOkHttp.install(new OkHttpClient.Builder(), guard);
      System.out.println("installed");
    } catch (Throwable t) {
      System.out.println(t.getClass().getName() + ": " + t.getMessage());
    }
    System.exit(0);
  }
}
