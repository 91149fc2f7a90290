package io.inmesh.http.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Dns;

/**
 * Resolves {@link EndpointNames internal names} to their endpoint's address (an IP literal without any lookup, a host
 * name through the user's {@link Dns}); every other name goes to the user's {@link Dns}.
 */
public final class MeshDns implements Dns {
  private final EndpointNames names;
  private final Dns delegate;

  public MeshDns(EndpointNames names, Dns delegate) {
    this.names = names;
    this.delegate = delegate;
  }

  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    if (!hostname.endsWith(EndpointNames.SUFFIX)) {
      return delegate.lookup(hostname);
    }
    EndpointNames.Target target = names.target(hostname);
    if (target == null) {
      throw new UnknownHostException(hostname + ": not an endpoint this mesh client has chosen");
    }
    String host = target.endpointHost();
    if (isIpLiteral(host)) {
      return List.of(InetAddress.getByName(host)); // a literal: parsed, never looked up
    }
    return delegate.lookup(host);
  }

  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c != '.' && (c < '0' || c > '9')) {
        return false;
      }
    }
    return !host.isEmpty();
  }
}
