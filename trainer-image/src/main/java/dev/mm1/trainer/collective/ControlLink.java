package dev.mm1.trainer.collective;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The control connection between rank 0 and one other rank: length-prefixed frames for the
 * rendezvous handshake, heartbeats, losses, failures and checkpoint-shard notices. During the
 * rendezvous it is used blocking, with timeouts; afterwards only the {@link GangMonitor} thread
 * touches the socket: other threads queue frames in an outbox the monitor writes out, so a peer
 * that stops reading can never block anyone.
 */
final class ControlLink implements AutoCloseable {
  static final byte HELLO = 1;
  static final byte WELCOME = 2;
  static final byte REJECT = 3;
  static final byte HEARTBEAT = 4;
  static final byte LOST = 5;
  static final byte FAILED = 6;
  static final byte GOODBYE = 7;
  static final byte SHARD_WRITTEN = 8;
  static final byte SHARD_FAILED = 9;
  /** Frames are small (a table of ranks at most); anything larger is not one of ours. */
  static final int MAX_FRAME = 4 << 20;

  /** One received frame. */
  record Frame(byte type, byte[] body) {
    DataInputStream data() {
      return new DataInputStream(new ByteArrayInputStream(body));
    }
  }

  /** Writes a frame body. */
  @FunctionalInterface
  interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  final int peerRank;
  final SocketChannel channel;
  private ByteBuffer inbox = ByteBuffer.allocate(4096);
  private ByteBuffer outbox = ByteBuffer.allocate(4096).flip();

  ControlLink(int peerRank, SocketChannel channel) {
    this.peerRank = peerRank;
    this.channel = channel;
  }

  static byte[] frame(byte type, Body body) {
    try {
      var bytes = new ByteArrayOutputStream();
      var out = new DataOutputStream(bytes);
      out.writeInt(0);
      out.writeByte(type);
      if (body != null) {
        body.write(out);
      }
      out.flush();
      var frame = bytes.toByteArray();
      ByteBuffer.wrap(frame).putInt(0, frame.length - 4);
      return frame;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Blocking send (rendezvous, before the monitor owns the socket). */
  void sendNow(byte type, Body body) throws IOException {
    var buffer = ByteBuffer.wrap(frame(type, body));
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** Blocking receive with a timeout (rendezvous); throws {@link SocketTimeoutException} or {@link EOFException}. */
  Frame receiveNow(Duration timeout) throws IOException {
    var socket = channel.socket();
    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    InputStream in = socket.getInputStream();
    var data = new DataInputStream(in);
    int length = data.readInt();
    if (length < 1 || length > MAX_FRAME) {
      throw new IOException("not an MM1 rendezvous frame (length " + length + ")");
    }
    var bytes = new byte[length];
    data.readFully(bytes);
    var body = new byte[length - 1];
    System.arraycopy(bytes, 1, body, 0, body.length);
    return new Frame(bytes[0], body);
  }

  /** Queues a frame for the monitor thread to write. */
  synchronized void enqueue(byte type, Body body) {
    var frame = frame(type, body);
    if (outbox.capacity() - outbox.remaining() < frame.length) {
      var bigger = ByteBuffer.allocate(Math.max(outbox.capacity() * 2, outbox.remaining() + frame.length));
      bigger.put(outbox).flip();
      outbox = bigger;
    }
    outbox.compact().put(frame).flip();
    notifyAll();
  }

  /** Bytes queued and not yet written. */
  synchronized int pending() {
    return outbox.remaining();
  }

  /** Writes what the socket takes now (monitor thread); true when the outbox is empty. */
  synchronized boolean flush() throws IOException {
    if (outbox.hasRemaining()) {
      channel.write(outbox);
    }
    if (!outbox.hasRemaining()) {
      notifyAll();
      return true;
    }
    return false;
  }

  /** Waits until the monitor has written everything queued, or {@code timeout} passed. */
  synchronized boolean awaitFlushed(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (outbox.hasRemaining() && channel.isOpen()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !outbox.hasRemaining();
  }

  /** Reads what has arrived (monitor thread) and returns the complete frames; throws {@link EOFException} at the end. */
  List<Frame> poll() throws IOException {
    var frames = new ArrayList<Frame>();
    while (true) {
      if (!inbox.hasRemaining()) {
        var bigger = ByteBuffer.allocate(inbox.capacity() * 2);
        bigger.put(inbox.flip());
        inbox = bigger;
      }
      int n = channel.read(inbox);
      if (n < 0) {
        parse(frames);
        if (frames.isEmpty()) {
          throw new EOFException("rank " + peerRank + " closed the connection");
        }
        return frames; // the end is seen again on the next poll, after these frames are handled
      }
      if (n == 0) {
        parse(frames);
        return frames;
      }
    }
  }

  private void parse(List<Frame> frames) throws IOException {
    inbox.flip();
    while (inbox.remaining() >= 4) {
      int length = inbox.getInt(inbox.position());
      if (length < 1 || length > MAX_FRAME) {
        throw new IOException("rank " + peerRank + " sent a malformed control frame (length " + length + ")");
      }
      if (inbox.remaining() < 4 + length) {
        break;
      }
      inbox.getInt();
      byte type = inbox.get();
      var body = new byte[length - 1];
      inbox.get(body);
      frames.add(new Frame(type, body));
    }
    inbox.compact();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the peer sees the connection end either way
    }
  }
}
