package dev.refusal.internal.diagnosis;

import dev.refusal.HostResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * The JVM resolver, and a fresh answer from the same source the JVM used: the hosts file for a
 * name it pins, else JNDI's DNS provider.
 *
 * <p>{@link #lookupFresh} answers a name the hosts file ({@link HostsFile}: {@code
 * jdk.net.hosts.file}, else {@code /etc/hosts}) pins with the file's addresses, reread when the
 * file changes: the JVM resolves such a name from the file, never from DNS, so a DNS answer
 * would not be fresher, only different. When {@code jdk.net.hosts.file} is set the JVM never
 * asks DNS, and neither does {@code lookupFresh}: a name the file does not pin does not resolve.
 * Any other name is asked of the name servers of {@code /etc/resolv.conf} directly, so neither
 * the JVM's address cache nor its negative cache can hide a moved address.
 */
public final class SystemHostResolver implements HostResolver {

  public static final SystemHostResolver INSTANCE = new SystemHostResolver();

  private SystemHostResolver() {}

  @Override
  public List<InetAddress> lookup(String host) throws IOException {
    return Arrays.asList(InetAddress.getAllByName(host));
  }

  @Override
  public List<InetAddress> lookupFresh(String host) throws IOException {
    HostsFile hosts = HostsFile.current();
    List<InetAddress> pinned = hosts.addresses(host);
    if (!pinned.isEmpty()) {
      return pinned;
    }
    if (hosts.exclusive()) {
      throw new UnknownHostException(host + ": not in " + hosts.path()
          + " (jdk.net.hosts.file), the JVM's only source of names");
    }
    return dns(host);
  }

  private static List<InetAddress> dns(String host) throws IOException {
    Hashtable<String, String> env = new Hashtable<>();
    env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
    env.put(Context.PROVIDER_URL, "dns:");
    env.put("com.sun.jndi.dns.timeout.initial", "200");
    env.put("com.sun.jndi.dns.timeout.retries", "1");
    List<InetAddress> out = new ArrayList<>();
    DirContext ctx = null;
    try {
      ctx = new InitialDirContext(env);
      Attributes attributes = ctx.getAttributes(host, new String[] {"A", "AAAA"});
      for (String type : new String[] {"A", "AAAA"}) {
        Attribute a = attributes.get(type);
        for (int i = 0; a != null && i < a.size(); i++) {
          // Literal addresses: getByName does no lookup for them.
          out.add(InetAddress.getByName(String.valueOf(a.get(i))));
        }
      }
    } catch (NamingException | RuntimeException e) {
      UnknownHostException u = new UnknownHostException(host + ": fresh DNS query failed");
      u.initCause(e);
      throw u;
    } finally {
      if (ctx != null) {
        try {
          ctx.close();
        } catch (NamingException ignored) {
          // Closing a DNS context releases nothing that matters here.
        }
      }
    }
    if (out.isEmpty()) {
      throw new UnknownHostException(host + ": no A or AAAA record in a fresh DNS query");
    }
    return out;
  }
}
