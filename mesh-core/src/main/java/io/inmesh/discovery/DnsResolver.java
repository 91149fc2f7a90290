package io.inmesh.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * Resolves a host name to its addresses (A and AAAA records) for DNS discovery. Injected so that tests can answer
 * without a DNS server; {@link #system()} asks the JVM's resolver.
 */
@FunctionalInterface
public interface DnsResolver {

  /**
   * The addresses of {@code hostname}; called on a discovery thread, never on the request path.
   *
   * @throws IOException when the name cannot be resolved (the last good set of endpoints is kept)
   */
  List<InetAddress> resolve(String hostname) throws IOException;

  /**
   * The JVM's resolver ({@link InetAddress#getAllByName}). It caches answers for {@code networkaddress.cache.ttl}
   * seconds (30 s by default), so a refresh interval shorter than that sees the cached answer.
   */
  static DnsResolver system() {
    return hostname -> List.of(InetAddress.getAllByName(hostname));
  }
}
