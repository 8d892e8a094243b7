/**
 * Refusal for OkHttp 5: {@link dev.refusal.okhttp.RefusalOkHttp#install} puts a {@link
 * dev.refusal.RefusalGuard} into an {@code OkHttpClient}, {@link dev.refusal.okhttp.RefusalDns}
 * drops DNS answers a diagnosis proved stale, and {@link dev.refusal.okhttp.Idempotent} marks a
 * request that may be replayed after it reached the server.
 *
 * <p>Every public method throws {@link NullPointerException} for a null argument. Every public
 * type is thread-safe.
 */
package dev.refusal.okhttp;
