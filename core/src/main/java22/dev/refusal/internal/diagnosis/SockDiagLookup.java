package dev.refusal.internal.diagnosis;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ExactListenerLookup} through NETLINK_SOCK_DIAG, called with the FFM API: one
 * {@code SOCK_DIAG_BY_FAMILY} dump per family with {@code idiag_states = TCPF_LISTEN} and the
 * port in {@code idiag_sport}, which the kernel matches while walking only its listening hash.
 * Each lookup opens and closes its own netlink socket, so lookups share nothing. Compiled for
 * JDK 22 and loaded by name; {@link #open()} returns null unless native access was granted.
 */
final class SockDiagLookup implements ExactListenerLookup {

  // Linux ABI constants, the same on x86-64 and arm64.
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int AF_NETLINK = 16;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int SOCK_DIAG_BY_FAMILY = 20;
  private static final short NLM_F_REQUEST = 0x1;
  private static final short NLM_F_DUMP = 0x300;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int IPPROTO_TCP = 6;
  private static final int TCPF_LISTEN = 1 << 10;
  private static final int TCP_LISTEN = 10;
  private static final int INET_DIAG_SKV6ONLY = 11;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int EINTR = 4;

  /** How a datagram of the dump ended. */
  private static final int MORE = 0;
  private static final int DONE = 1;
  private static final int FAILED = 2;

  /** struct nlmsghdr (16 bytes) then struct inet_diag_req_v2 (56 bytes). */
  private static final int REQUEST_LENGTH = 16 + 56;
  /** struct inet_diag_msg, before its attributes. */
  private static final int MESSAGE_LENGTH = 72;
  private static final int BUFFER_LENGTH = 32 * 1024;
  /** A lookup's socket waits at most this long for the kernel, whatever the deadline. */
  private static final long MAX_WAIT_NANOS = 100_000_000L;
  /** How long {@link #open()}'s first lookups may take, native linking included. */
  private static final long OPEN_WAIT_NANOS = 1_000_000_000L;

  private static final ValueLayout.OfShort NET_SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

  private final MethodHandle socket;
  private final MethodHandle setsockopt;
  private final MethodHandle sendto;
  private final MethodHandle recv;
  private final MethodHandle close;
  private final VarHandle errno;
  private final MemoryLayout callState;
  private final AtomicInteger sequence = new AtomicInteger();

  // Restricted calls, made only after open() saw native access granted: no warning is printed.
  @SuppressWarnings("restricted")
  private SockDiagLookup(Linker linker, SymbolLookup libc) {
    Linker.Option captureErrno = Linker.Option.captureCallState("errno");
    ValueLayout.OfInt i = ValueLayout.JAVA_INT;
    ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
    ValueLayout a = ValueLayout.ADDRESS;
    socket = linker.downcallHandle(libc.find("socket").orElseThrow(),
        FunctionDescriptor.of(i, i, i, i), captureErrno);
    setsockopt = linker.downcallHandle(libc.find("setsockopt").orElseThrow(),
        FunctionDescriptor.of(i, i, i, i, a, i), captureErrno);
    sendto = linker.downcallHandle(libc.find("sendto").orElseThrow(),
        FunctionDescriptor.of(l, i, a, l, i, a, i), captureErrno);
    recv = linker.downcallHandle(libc.find("recv").orElseThrow(),
        FunctionDescriptor.of(l, i, a, l, i), captureErrno);
    close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(i, i));
    callState = Linker.Option.captureStateLayout();
    errno = callState.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  }

  /**
   * The lookup, or null when this JVM has not granted native access to this code (then every
   * native call would print a warning), or when the kernel has no sock_diag: the first lookup
   * is made here, so a machine that cannot answer is known before anyone relies on it.
   */
  public static ExactListenerLookup open() {
    if (!SockDiagLookup.class.getModule().isNativeAccessEnabled()) {
      return null;
    }
    try {
      Linker linker = Linker.nativeLinker();
      SockDiagLookup lookup = new SockDiagLookup(linker, linker.defaultLookup());
      // One port (port 0 would mean every port): the answer only has to come. A cold JVM or a
      // throttled one may miss the first deadline, so three tries.
      for (int attempt = 0; attempt < 3; attempt++) {
        if (lookup.listenersOn(1, System.nanoTime() + OPEN_WAIT_NANOS) != null) {
          return lookup;
        }
      }
      return null;
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  @Override
  public String describe() {
    return "netlink sock_diag";
  }

  @Override
  public List<ListenerTable.Row> listenersOn(int port, long deadlineNanos) {
    if (port <= 0 || port > 0xFFFF) {
      return null;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(callState);
      int fd = (int) socket.invokeExact(state, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
          NETLINK_SOCK_DIAG);
      if (fd < 0) {
        return null;
      }
      try {
        List<ListenerTable.Row> rows = new ArrayList<>(2);
        MemorySegment buffer = arena.allocate(BUFFER_LENGTH);
        if (!dump(arena, state, fd, buffer, AF_INET, port, deadlineNanos, rows)
            || !dump(arena, state, fd, buffer, AF_INET6, port, deadlineNanos, rows)) {
          return null;
        }
        return rows;
      } finally {
        int ignored = (int) close.invokeExact(fd);
      }
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      // invokeExact declares Throwable; a native call that fails here is a lookup that did not
      // answer, and the table is read instead.
      return null;
    }
  }

  /** One family's dump into {@code rows}; false when the kernel did not answer in time. */
  private boolean dump(Arena arena, MemorySegment state, int fd, MemorySegment buffer,
      int family, int port, long deadlineNanos, List<ListenerTable.Row> rows) throws Throwable {
    if (deadlineNanos - System.nanoTime() <= 0) {
      return false;
    }
    int seq = sequence.incrementAndGet();
    MemorySegment request = arena.allocate(REQUEST_LENGTH);
    request.set(INT, 0, REQUEST_LENGTH);
    request.set(SHORT, 4, (short) SOCK_DIAG_BY_FAMILY);
    request.set(SHORT, 6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
    request.set(INT, 8, seq);
    request.set(ValueLayout.JAVA_BYTE, 16, (byte) family);
    request.set(ValueLayout.JAVA_BYTE, 17, (byte) IPPROTO_TCP);
    request.set(INT, 20, TCPF_LISTEN);
    request.set(NET_SHORT, 24, (short) port);
    // The kernel's address: sockaddr_nl with family AF_NETLINK and port id 0.
    MemorySegment kernel = arena.allocate(12);
    kernel.set(SHORT, 0, (short) AF_NETLINK);
    long sent = (long) sendto.invokeExact(state, fd, request, (long) REQUEST_LENGTH, 0, kernel,
        12);
    if (sent != REQUEST_LENGTH) {
      return false;
    }
    MemorySegment timeval = arena.allocate(16, 8);
    while (true) {
      // Each wait gets only the time left, so the lookup ends by its deadline.
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !receiveTimeout(state, fd, timeval, Math.min(left, MAX_WAIT_NANOS))) {
        return false;
      }
      long n = (long) recv.invokeExact(state, fd, buffer, (long) BUFFER_LENGTH, 0);
      if (n < 0) {
        int err = (int) errno.get(state, 0L);
        if (err == EINTR && System.nanoTime() - deadlineNanos < 0) {
          continue;
        }
        return false;
      }
      int answer = parse(buffer, (int) n, seq, port, rows);
      if (answer == DONE) {
        return true;
      }
      if (answer == FAILED || System.nanoTime() - deadlineNanos >= 0) {
        return false;
      }
    }
  }

  /** Reads one datagram's messages; MORE until the dump's NLMSG_DONE. */
  private static int parse(MemorySegment buffer, int length, int seq, int port,
      List<ListenerTable.Row> rows) {
    int offset = 0;
    while (offset + 16 <= length) {
      int messageLength = buffer.get(INT, offset);
      int type = Short.toUnsignedInt(buffer.get(SHORT, offset + 4));
      int messageSeq = buffer.get(INT, offset + 8);
      if (messageLength < 16 || offset + messageLength > length) {
        return FAILED;
      }
      if (messageSeq == seq) {
        if (type == NLMSG_DONE) {
          // A dump that failed part-way ends with a negative error in its DONE message.
          return messageLength >= 20 && buffer.get(INT, offset + 16) < 0 ? FAILED : DONE;
        }
        if (type == NLMSG_ERROR) {
          return FAILED;
        }
        if (type == SOCK_DIAG_BY_FAMILY && messageLength >= 16 + MESSAGE_LENGTH) {
          ListenerTable.Row row = row(buffer, offset + 16, offset + messageLength, port);
          if (row != null) {
            rows.add(row);
          }
        }
      }
      offset += (messageLength + 3) & ~3;
    }
    return MORE;
  }

  /** One struct inet_diag_msg and its attributes, or null for a socket not asked about. */
  private static ListenerTable.Row row(MemorySegment buffer, int at, int end, int port) {
    int family = Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, at));
    int tcpState = Byte.toUnsignedInt(buffer.get(ValueLayout.JAVA_BYTE, at + 1));
    int sourcePort = Short.toUnsignedInt(buffer.get(NET_SHORT, at + 4));
    if (tcpState != TCP_LISTEN || sourcePort != port
        || (family != AF_INET && family != AF_INET6)) {
      return null;
    }
    byte[] address = buffer.asSlice(at + 8, family == AF_INET ? 4 : 16)
        .toArray(ValueLayout.JAVA_BYTE);
    long acceptQueue = Integer.toUnsignedLong(buffer.get(INT, at + 56));
    boolean v6Only = false;
    boolean v6OnlyKnown = false;
    int attribute = at + MESSAGE_LENGTH;
    while (attribute + 4 <= end) {
      int attributeLength = Short.toUnsignedInt(buffer.get(SHORT, attribute));
      int attributeType = Short.toUnsignedInt(buffer.get(SHORT, attribute + 2));
      if (attributeLength < 4 || attribute + attributeLength > end) {
        break;
      }
      if (attributeType == INET_DIAG_SKV6ONLY && attributeLength >= 5) {
        v6Only = buffer.get(ValueLayout.JAVA_BYTE, attribute + 4) != 0;
        v6OnlyKnown = true;
      }
      attribute += (attributeLength + 3) & ~3;
    }
    try {
      // getByAddress turns ::ffff:a.b.c.d into an Inet4Address, as the table's parser does.
      return ListenerTable.Row.listener(InetAddress.getByAddress(address), port, acceptQueue,
          family == AF_INET6, v6OnlyKnown, v6Only);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** SO_RCVTIMEO: a kernel that does not answer ends the lookup, not the caller's wait. */
  private boolean receiveTimeout(MemorySegment state, int fd, MemorySegment timeval, long nanos)
      throws Throwable {
    long micros = Math.max(1_000, nanos / 1_000);
    timeval.set(ValueLayout.JAVA_LONG, 0, micros / 1_000_000);
    timeval.set(ValueLayout.JAVA_LONG, 8, micros % 1_000_000);
    return (int) setsockopt.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16) == 0;
  }
}
