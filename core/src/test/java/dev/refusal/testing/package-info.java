/**
 * Test support shared with the other modules through core's test-jar: real failures on loopback
 * and this host's own addresses ({@link dev.refusal.testing.ClosedPort}, {@link
 * dev.refusal.testing.FullAcceptQueue}, {@link dev.refusal.testing.ResettingServer}, {@link
 * dev.refusal.testing.SilentServer}), the ways a program dials ({@link
 * dev.refusal.testing.Dialer}), child JVMs for what a test cannot do in its own process ({@link
 * dev.refusal.testing.ChildJvm}), this host's addresses ({@link
 * dev.refusal.testing.LocalInterfaces}), a one-line rendering of an exception chain ({@link
 * dev.refusal.testing.ThrowableShape}), and a small property-based testing harness ({@link
 * dev.refusal.testing.ForAll}, {@link dev.refusal.testing.Gen}) behind the {@code *Properties}
 * classes.
 *
 * <p>Nothing here sends a packet off this host: every listener is on loopback, and names are
 * resolved only in child JVMs that read a hosts file instead of asking DNS.
 */
package dev.refusal.testing;
