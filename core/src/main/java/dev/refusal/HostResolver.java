package dev.refusal;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * How the {@link Diagnoser} resolves host names: as the client saw them, and afresh.
 *
 * <p>Implement it to plug in service discovery, or in tests to make DNS move. Implementations must
 * be thread-safe. The diagnoser bounds every call by its time budget and treats any exception as
 * "could not resolve".
 */
public interface HostResolver {

  /**
   * Resolves {@code host} the way the client does (for the JVM: through its address cache).
   *
   * @return every address, never empty
   * @throws IOException when the name does not resolve
   */
  List<InetAddress> lookup(String host) throws IOException;

  /**
   * Resolves {@code host} bypassing every cache the client may have used, to tell whether the
   * address the client dialled is stale. The default asks {@link #lookup(String)} again.
   *
   * @throws IOException when the name does not resolve
   */
  default List<InetAddress> lookupFresh(String host) throws IOException {
    return lookup(host);
  }

  /**
   * The JVM's resolver for {@link #lookup}, and for {@link #lookupFresh} a fresh answer from the
   * source the JVM resolves the name from.
   *
   * <p>For a name the hosts file pins ({@code jdk.net.hosts.file} when set, else {@code
   * /etc/hosts}, which Linux reads before DNS) the fresh answer is the file's, reread when it
   * changes; a name pinned there is therefore never a stale address. With {@code
   * jdk.net.hosts.file} set the JVM never asks DNS, and neither does this resolver. Any other
   * name gets a direct DNS query (JNDI {@code dns:}, the name servers of {@code
   * /etc/resolv.conf}), which does not use the JVM's cache.
   */
  static HostResolver system() {
    return dev.refusal.internal.diagnosis.SystemHostResolver.INSTANCE;
  }
}
