package dev.mm1.local.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * Local ports standing for pod ports. On a cluster every pod has its own address, so every worker
 * of every gang listens on the same MASTER_PORT; here all pods share 127.0.0.1, so each pod host
 * (its host name and subdomain, or a Service name) gets its own free local port for each of its
 * ports, the same for every pod that asks.
 */
final class Ports {
  private final Map<String, Map<Integer, Integer>> byHost = new HashMap<>();

  /** The local port of {@code port} on {@code host} in {@code namespace}, allocated on first use. */
  synchronized int port(String namespace, String host, int port) {
    return byHost.computeIfAbsent(namespace + "/" + host, h -> new HashMap<>()).computeIfAbsent(port, p -> free());
  }

  /** Forgets a host's ports (its pod is gone). */
  synchronized void release(String namespace, String host) {
    byHost.remove(namespace + "/" + host);
  }

  private static int free() {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }
}
