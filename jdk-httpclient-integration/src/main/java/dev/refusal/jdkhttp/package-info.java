/**
 * Refusal for the JDK's {@link java.net.http.HttpClient}: {@link
 * dev.refusal.jdkhttp.RefusalHttpClient#wrap RefusalHttpClient.wrap} returns a client that
 * diagnoses connect failures and retries them by cause under a {@link dev.refusal.RefusalGuard}.
 *
 * <p>Every method of this package throws {@link NullPointerException} for a null argument unless
 * its documentation says otherwise, and every type is safe to use from many threads.
 */
package dev.refusal.jdkhttp;
