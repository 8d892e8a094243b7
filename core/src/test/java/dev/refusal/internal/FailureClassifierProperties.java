package dev.refusal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.refusal.FailureKind;
import dev.refusal.testing.ForAll;
import dev.refusal.testing.Gen;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link FailureKind#of(Throwable)} over generated exception graphs: chains up to
 * 10,000 deep, cycles through causes and suppressed exceptions, accessors that throw, and
 * messages that are null, empty, a megabyte long or localized.
 *
 * <p>A graph is generated as a {@link Graph} spec (a list of {@link Node}s) and built into real
 * throwables, so a failure prints the spec, a shrunk spec replays, and one spec builds two
 * identical graphs for the determinism check.
 */
@DisplayName("FailureKind.of properties")
final class FailureClassifierProperties {

  // ---------------------------------------------------------------------------------------------
  // Throwables whose accessors are the graph's, not Throwable's. They skip the stack trace:
  // 10,000 of them per try would otherwise cost more than the classification under test.

  /** Overrides getCause()/getMessage(): any cause (itself included), or a throw. */
  interface Rigged {
    void rig(Throwable cause, String message, boolean causeThrows, boolean messageThrows);
  }

  static final class RiggedRuntime extends RuntimeException implements Rigged {
    private static final long serialVersionUID = 1L;
    private transient Throwable cause;
    private String message;
    private boolean causeThrows;
    private boolean messageThrows;

    RiggedRuntime(boolean suppression) {
      super(null, null, suppression, false);
    }

    @Override
    public void rig(Throwable cause, String message, boolean causeThrows, boolean messageThrows) {
      this.cause = cause;
      this.message = message;
      this.causeThrows = causeThrows;
      this.messageThrows = messageThrows;
    }

    @Override
    public synchronized Throwable getCause() {
      if (causeThrows) {
        throw new IllegalStateException("getCause() fails");
      }
      return cause;
    }

    @Override
    public String getMessage() {
      if (messageThrows) {
        throw new StackOverflowError("getMessage() fails");
      }
      return message;
    }
  }

  static final class RiggedIo extends IOException implements Rigged {
    private static final long serialVersionUID = 1L;
    private transient Throwable cause;
    private String message;
    private boolean causeThrows;
    private boolean messageThrows;

    @Override
    public void rig(Throwable cause, String message, boolean causeThrows, boolean messageThrows) {
      this.cause = cause;
      this.message = message;
      this.causeThrows = causeThrows;
      this.messageThrows = messageThrows;
    }

    @Override
    public synchronized Throwable getCause() {
      if (causeThrows) {
        throw new UnsupportedOperationException("getCause() fails");
      }
      return cause;
    }

    @Override
    public String getMessage() {
      if (messageThrows) {
        throw new IllegalStateException("getMessage() fails");
      }
      return message;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  static final class RiggedConnect extends ConnectException implements Rigged {
    private static final long serialVersionUID = 1L;
    private transient Throwable cause;
    private String message;
    private boolean causeThrows;
    private boolean messageThrows;

    @Override
    public void rig(Throwable cause, String message, boolean causeThrows, boolean messageThrows) {
      this.cause = cause;
      this.message = message;
      this.causeThrows = causeThrows;
      this.messageThrows = messageThrows;
    }

    @Override
    public synchronized Throwable getCause() {
      if (causeThrows) {
        throw new OutOfMemoryError("getCause() fails");
      }
      return cause;
    }

    @Override
    public String getMessage() {
      if (messageThrows) {
        throw new IllegalStateException("getMessage() fails");
      }
      return message;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  static final class RiggedSocket extends SocketException implements Rigged {
    private static final long serialVersionUID = 1L;
    private transient Throwable cause;
    private String message;
    private boolean causeThrows;
    private boolean messageThrows;

    @Override
    public void rig(Throwable cause, String message, boolean causeThrows, boolean messageThrows) {
      this.cause = cause;
      this.message = message;
      this.causeThrows = causeThrows;
      this.messageThrows = messageThrows;
    }

    @Override
    public synchronized Throwable getCause() {
      if (causeThrows) {
        throw new IllegalStateException("getCause() fails");
      }
      return cause;
    }

    @Override
    public String getMessage() {
      if (messageThrows) {
        throw new IllegalStateException("getMessage() fails");
      }
      return message;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The graph spec.

  /** Node types: the JDK's own (cause set with initCause), and rigged ones. */
  enum Kind {
    RUNTIME(false), ILLEGAL_STATE(false), CHECKED(false), ERROR(false), IO(false),
    SOCKET(false), CONNECT(false), SOCKET_TIMEOUT(false), UNKNOWN_HOST(false), NO_ROUTE(false),
    BIND(false), EOF(false), PORT_UNREACHABLE(false), HTTP_TIMEOUT(false),
    HTTP_CONNECT_TIMEOUT(false), UNRESOLVED(false), INTERRUPTED_IO(false), CANCELLATION(false),
    UNSUPPORTED_ADDRESS(false), RIGGED_RUNTIME(true), RIGGED_IO(true), RIGGED_CONNECT(true), RIGGED_SOCKET(true);

    final boolean rigged;

    Kind(boolean rigged) {
      this.rigged = rigged;
    }

    /** Types that are no evidence of any kind, whatever their message. */
    boolean neutral() {
      return this == RUNTIME || this == ILLEGAL_STATE || this == CHECKED || this == ERROR
          || this == IO || this == RIGGED_RUNTIME || this == RIGGED_IO;
    }
  }

  /**
   * One throwable: its kind, message, cause (an index, -1 for none; may point anywhere, itself
   * included), suppressed (indexes), and for rigged kinds whether an accessor throws.
   */
  record Node(Kind kind, String message, int cause, int[] suppressed, boolean causeThrows,
      boolean messageThrows, boolean suppression) {

    Node with(Kind k, String m, int c, int[] s, boolean ct, boolean mt) {
      return new Node(k, m, c, s, ct, mt, suppression);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(kind.name()).append('(')
          .append(message == null ? "null" : ForAll.quote(message)).append(')');
      if (cause >= 0) {
        sb.append(" cause=#").append(cause);
      }
      if (suppressed.length > 0) {
        sb.append(" suppressed=").append(suppressed.length > 8
            ? suppressed.length + " exceptions" : Arrays.toString(suppressed));
      }
      if (causeThrows) {
        sb.append(" getCause-throws");
      }
      if (messageThrows) {
        sb.append(" getMessage-throws");
      }
      if (!suppression) {
        sb.append(" no-suppression");
      }
      return sb.toString();
    }
  }

  /**
   * A graph: node 0 is the root. Nodes {@code 0..links-1} are a plain chain of rigged links
   * (each caused by the next), the deep part; the rest is a small random graph under them.
   */
  record Graph(List<Node> nodes, int links) {

    Throwable[] build() {
      int n = nodes.size();
      Throwable[] t = new Throwable[n];
      for (int i = 0; i < n; i++) {
        t[i] = create(nodes.get(i));
      }
      for (int i = 0; i < n; i++) {
        Node node = nodes.get(i);
        Throwable cause = node.cause() < 0 ? null : t[node.cause()];
        if (t[i] instanceof Rigged) {
          ((Rigged) t[i]).rig(cause, node.message(), node.causeThrows(), node.messageThrows());
        } else if (cause != null) {
          t[i].initCause(cause);
        }
      }
      for (int i = 0; i < n; i++) {
        for (int s : nodes.get(i).suppressed()) {
          if (s != i) {
            t[i].addSuppressed(t[s]);
          }
        }
      }
      return t;
    }

    private static Throwable create(Node node) {
      String m = node.message();
      switch (node.kind()) {
        case RUNTIME:
          return new RuntimeException(m);
        case ILLEGAL_STATE:
          return new IllegalStateException(m);
        case CHECKED:
          return new Exception(m);
        case ERROR:
          return new AssertionError(m);
        case IO:
          return new IOException(m);
        case SOCKET:
          return new SocketException(m);
        case CONNECT:
          return new ConnectException(m);
        case SOCKET_TIMEOUT:
          return new SocketTimeoutException(m);
        case UNKNOWN_HOST:
          return new UnknownHostException(m);
        case NO_ROUTE:
          return new NoRouteToHostException(m);
        case BIND:
          return new BindException(m);
        case EOF:
          return new EOFException(m);
        case PORT_UNREACHABLE:
          return new PortUnreachableException(m);
        case HTTP_TIMEOUT:
          return new HttpTimeoutException(m);
        case HTTP_CONNECT_TIMEOUT:
          return new HttpConnectTimeoutException(m);
        case UNRESOLVED:
          return new UnresolvedAddressException();
        case INTERRUPTED_IO:
          return new InterruptedIOException(m);
        case CANCELLATION:
          return new CancellationException(m);
        case UNSUPPORTED_ADDRESS:
          return new UnsupportedAddressTypeException();
        case RIGGED_RUNTIME:
          return new RiggedRuntime(node.suppression());
        case RIGGED_IO:
          return new RiggedIo();
        case RIGGED_CONNECT:
          return new RiggedConnect();
        default:
          return new RiggedSocket();
      }
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (links > 0) {
        sb.append(links).append(" links (#0..#").append(links - 1).append(", first ")
            .append(nodes.get(0)).append(")");
      }
      for (int i = links; i < nodes.size(); i++) {
        sb.append(sb.length() == 0 ? "" : "; ").append('#').append(i).append(' ')
            .append(nodes.get(i));
      }
      return sb.toString();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Generators.

  /** A megabyte of text: searched only in its head, so a phrase past it must not count. */
  private static final String MEGABYTE = "x".repeat(1 << 20);

  private static final Gen<String> EVIDENCE_MESSAGES = Gen.elements("Connection refused",
      "Connection refused: connect", "Connection refused (Connection refused)",
      "connect timed out", "Connect timed out", "Connection timed out", "Too many open files",
      "No route to host", "Host is unreachable", "Network is unreachable",
      "Cannot assign requested address", "Connection reset", "Connection reset by peer",
      "Broken pipe", "Software caused connection abort", "unexpected end of stream",
      "header parser received no bytes", "Read timed out",
      "java.net.SocketException: Too many open files",
      "Failed to connect to unreachable.example/10.0.0.1:80", "Canceled", "canceled",
      "Protocol family unavailable", "Address family not supported by protocol",
      "Connection refused" + MEGABYTE,
      MEGABYTE + "Connection refused");

  /** What strerror says in other locales, and other text no phrase matches. */
  private static final Gen<String> NEUTRAL_MESSAGES = Gen.oneOf(Gen.elements("", " ", "null",
      "Verbindungsaufbau abgelehnt", "Connexion refusée", "接続が拒否されました",
      "Соединение отклонено", "Conexión rehusada", "Connessione rifiutata",
      "Połączenie odrzucone", "Bağlantı reddedildi", "連線被拒絕", "wrapper", MEGABYTE,
      MEGABYTE + "Connection refused"), Gen.strings(Gen.ANY_CHAR, 0, 100));

  private static final Gen<String> ANY_MESSAGE = Gen.oneOf(Gen.constant(null), EVIDENCE_MESSAGES,
      NEUTRAL_MESSAGES, NEUTRAL_MESSAGES);

  private static final List<String> PHRASES = List.of("onnection refused", "timed out",
      "oo many open files", "onnection reset", "roken pipe", "onnection abort",
      "unexpected end of stream", "received no bytes", "annot assign requested address",
      "etwork is unreachable", "etwork unreachable", "o route to host", "ost is unreachable",
      "rotocol family unavailable", "ddress family not supported", "rotocol family not supported");

  /** True when the classifier's head-of-message search could find a phrase in {@code m}. */
  private static boolean hasEvidence(String m) {
    if (m == null) {
      return false;
    }
    String head = m.substring(0, Math.min(m.length(), FailureClassifier.MAX_MESSAGE))
        .toLowerCase(Locale.ROOT);
    return head.equals("canceled") || PHRASES.stream().anyMatch(head::contains);
  }

  /** The deep part: 0 half the time, else up to 10,000 links. */
  private static int depth(SplittableRandom r) {
    return r.nextBoolean() ? 0 : Gen.size(r, 1, 10_000);
  }

  private static int[] suppressed(SplittableRandom r, int n) {
    int count = r.nextInt(20) == 0 ? Gen.size(r, 0, 2_000) : (r.nextInt(3) == 0 ? 1 + r.nextInt(3)
        : 0);
    int[] s = new int[count];
    for (int i = 0; i < count; i++) {
      s[i] = r.nextInt(n);
    }
    return s;
  }

  /** Any graph: every kind, every message, causes and suppressed pointing anywhere. */
  private static final Gen<Graph> ANY_GRAPH = r -> {
    int links = depth(r);
    int head = 1 + Gen.size(r, 0, 30);
    int n = links + head;
    List<Node> nodes = new ArrayList<>(n);
    Kind[] kinds = Kind.values();
    boolean linksAreIo = r.nextBoolean();
    String linkMessage = ANY_MESSAGE.next(r);
    for (int i = 0; i < links; i++) {
      nodes.add(new Node(linksAreIo ? Kind.RIGGED_IO : Kind.RIGGED_RUNTIME, linkMessage, i + 1,
          new int[0], false, false, true));
    }
    for (int i = links; i < n; i++) {
      Kind kind = kinds[r.nextInt(kinds.length)];
      int cause = r.nextInt(4) == 0 ? -1 : r.nextInt(n);
      if (cause == i && !kind.rigged) {
        cause = -1; // initCause refuses self-causation; rigged kinds cover that case
      }
      nodes.add(new Node(kind, ANY_MESSAGE.next(r), cause, suppressed(r, n),
          kind.rigged && r.nextInt(8) == 0, kind.rigged && r.nextInt(8) == 0,
          r.nextInt(8) != 0));
    }
    return new Graph(nodes, links);
  };

  /** Simpler graphs that still fail: no deep part, fewer links, plainer nodes. */
  private static List<Graph> shrinkGraph(Graph g) {
    List<Graph> out = new ArrayList<>();
    if (g.links() > 0) {
      out.add(withLinks(g, 0));
      out.add(withLinks(g, g.links() / 2));
    }
    List<Node> nodes = g.nodes();
    for (int i = g.links(); i < nodes.size(); i++) {
      Node node = nodes.get(i);
      if (node.suppressed().length > 0) {
        out.add(replace(g, i, node.with(node.kind(), node.message(), node.cause(), new int[0],
            node.causeThrows(), node.messageThrows())));
      }
      if (node.cause() >= 0) {
        out.add(replace(g, i, node.with(node.kind(), node.message(), -1, node.suppressed(),
            node.causeThrows(), node.messageThrows())));
      }
      if (node.causeThrows() || node.messageThrows()) {
        out.add(replace(g, i, node.with(node.kind(), node.message(), node.cause(),
            node.suppressed(), false, false)));
      }
      if (node.message() != null && node.message().length() > 40) {
        out.add(replace(g, i, node.with(node.kind(), node.message().substring(0, 40),
            node.cause(), node.suppressed(), node.causeThrows(), node.messageThrows())));
      }
    }
    return out;
  }

  /** The graph with only its last {@code keep} links (indexes shift; pointers into them kept). */
  private static Graph withLinks(Graph g, int keep) {
    int drop = g.links() - keep;
    List<Node> out = new ArrayList<>();
    for (int i = drop; i < g.nodes().size(); i++) {
      Node n = g.nodes().get(i);
      int[] s = Arrays.stream(n.suppressed()).map(x -> Math.max(0, x - drop)).toArray();
      out.add(n.with(n.kind(), n.message(), n.cause() < 0 ? -1 : Math.max(0, n.cause() - drop),
          s, n.causeThrows(), n.messageThrows()));
    }
    return new Graph(out, keep);
  }

  private static Graph replace(Graph g, int index, Node node) {
    List<Node> nodes = new ArrayList<>(g.nodes());
    nodes.set(index, node);
    return new Graph(nodes, g.links());
  }

  // ---------------------------------------------------------------------------------------------
  // Properties.

  @Test
  @DisplayName("for any exception graph (10,000 deep, cyclic, hostile accessors, 1 MB or"
      + " localized messages) of() returns a kind, never throws, finishes within 2 s, and gives"
      + " the same kind every time and for an identical copy")
  void anyGraph() {
    AtomicIntegerArray seen = new AtomicIntegerArray(FailureKind.values().length);
    ForAll.values(ANY_GRAPH).tries(1_000).shrink(FailureClassifierProperties::shrinkGraph)
        .check(g -> {
          Throwable[] graph = g.build();
          long start = System.nanoTime();
          FailureKind kind = FailureKind.of(graph[0]);
          long elapsed = System.nanoTime() - start;
          assertThat(kind).isNotNull();
          assertThat(elapsed).as("nanoseconds to classify").isLessThan(2_000_000_000L);
          assertThat(FailureKind.of(graph[0])).as("again").isEqualTo(kind);
          assertThat(FailureKind.of(g.build()[0])).as("an identical copy").isEqualTo(kind);
          seen.incrementAndGet(kind.ordinal());
        });
    // The generator must reach most kinds, or "never throws" was checked on too narrow a space.
    int kinds = 0;
    for (int i = 0; i < seen.length(); i++) {
      kinds += seen.get(i) > 0 ? 1 : 0;
    }
    assertThat(kinds).as("kinds seen: %s", seen).isGreaterThanOrEqualTo(7);
  }

  /** A cancellation, as each client or the JDK reports one. */
  private static final Gen<String> CANCELLATIONS = Gen.elements("IOException(Canceled)",
      "IOException(canceled)", "InterruptedIOException", "InterruptedException",
      "CancellationException", "ClosedByInterruptException");

  private static Throwable cancellation(String form) {
    switch (form) {
      case "IOException(Canceled)":
        return new IOException("Canceled");
      case "IOException(canceled)":
        return new IOException("canceled");
      case "InterruptedIOException":
        return new InterruptedIOException("interrupted");
      case "InterruptedException":
        return new InterruptedException("interrupted");
      case "CancellationException":
        return new CancellationException("cancelled");
      default:
        return new ClosedByInterruptException();
    }
  }

  /** Any graph, hung under a cancellation as its cause, its suppressed exception, or both. */
  record UnderCancellation(String form, int how, Graph graph) {}

  private static final Gen<UnderCancellation> UNDER_CANCELLATION =
      r -> new UnderCancellation(CANCELLATIONS.next(r), r.nextInt(3), ANY_GRAPH.next(r));

  @Test
  @DisplayName("a cancellation at the top is CANCELED, whatever graph hangs under it as its cause"
      + " or its suppressed exceptions: the outermost cancellation decides")
  void outermostCancellationDecides() {
    ForAll.values(UNDER_CANCELLATION).tries(300).check(u -> {
      Throwable top = cancellation(u.form());
      Throwable below = u.graph().build()[0];
      if (u.how() != 1) {
        top.initCause(below);
      }
      if (u.how() != 0) {
        top.addSuppressed(u.how() == 2 ? u.graph().build()[0] : below);
      }
      assertThat(FailureKind.of(top)).isEqualTo(FailureKind.CANCELED);
    });
  }

  /** A graph of neutral nodes with one refusal placed where the documented walk must find it. */
  record Planted(Graph graph, int target, String where) {
    @Override
    public String toString() {
      return "refusal #" + target + " " + where + " in " + graph;
    }
  }

  private static final Kind[] NEUTRAL = {Kind.RUNTIME, Kind.ILLEGAL_STATE, Kind.CHECKED,
      Kind.ERROR, Kind.IO, Kind.RIGGED_RUNTIME, Kind.RIGGED_IO};

  private static final Gen<String> NEUTRAL_MESSAGE =
      Gen.oneOf(Gen.constant(null), NEUTRAL_MESSAGES).filter(m -> !hasEvidence(m));

  private static final Gen<Graph> NEUTRAL_GRAPH = r -> {
    int links = depth(r);
    int head = 1 + Gen.size(r, 0, 12);
    int n = links + head;
    List<Node> nodes = new ArrayList<>(n);
    boolean linksAreIo = r.nextBoolean();
    String linkMessage = NEUTRAL_MESSAGE.next(r);
    for (int i = 0; i < links; i++) {
      nodes.add(new Node(linksAreIo ? Kind.RIGGED_IO : Kind.RIGGED_RUNTIME, linkMessage, i + 1,
          new int[0], false, false, true));
    }
    for (int i = links; i < n; i++) {
      Kind kind = NEUTRAL[r.nextInt(NEUTRAL.length)];
      int cause = r.nextInt(3) == 0 ? -1 : links + r.nextInt(head);
      if (r.nextInt(50) == 0) {
        cause = r.nextInt(n); // now and then, a cycle back into the deep part
      }
      if (cause == i && !kind.rigged) {
        cause = -1;
      }
      int[] s = r.nextInt(3) == 0 ? new int[] {links + r.nextInt(head)} : new int[0];
      nodes.add(new Node(kind, NEUTRAL_MESSAGE.next(r), cause, s,
          kind.rigged && r.nextInt(10) == 0, kind.rigged && r.nextInt(6) == 0,
          r.nextInt(10) != 0));
    }
    return new Graph(nodes, links);
  };

  private static final Gen<String> REFUSED_MESSAGE = Gen.elements("Connection refused",
      "Connection refused: connect", "Connection refused (Connection refused)");

  /**
   * Plants a ConnectException "Connection refused" into a neutral graph: as the cause of a node
   * (inserted into its chain) or as a suppressed exception of one, at any node the walk
   * searches; keeps only graphs the documented bound covers.
   */
  private static final Gen<Planted> PLANTED = r -> {
    for (;;) {
      Graph g = NEUTRAL_GRAPH.next(r);
      Throwable[] built = g.build();
      Map<Throwable, Integer> searched = searched(built[0]);
      // A depth first, then a node searched at it: deep chains would otherwise drown the rest.
      List<List<Integer>> byDepth = new ArrayList<>();
      for (int d = 0; d <= FailureClassifier.MAX_SUPPRESSED_DEPTH; d++) {
        byDepth.add(new ArrayList<>());
      }
      for (int i = 0; i < built.length; i++) {
        Integer d = searched.get(built[i]);
        if (d != null) {
          byDepth.get(d).add(i);
        }
      }
      byDepth.removeIf(List::isEmpty);
      List<Integer> hosts = byDepth.get(r.nextInt(byDepth.size()));
      int host = hosts.get(r.nextInt(hosts.size()));
      int hostDepth = searched.get(built[host]);
      int target = g.nodes().size();
      List<Node> nodes = new ArrayList<>(g.nodes());
      Node h = nodes.get(host);
      boolean asCause = hostDepth >= FailureClassifier.MAX_SUPPRESSED_DEPTH || r.nextBoolean();
      boolean rigged = r.nextInt(3) == 0;
      String where;
      if (asCause) {
        nodes.set(host, h.with(h.kind(), h.message(), target, h.suppressed(), false,
            h.messageThrows()));
        nodes.add(new Node(rigged ? Kind.RIGGED_CONNECT : Kind.CONNECT, REFUSED_MESSAGE.next(r),
            h.cause() == host ? -1 : h.cause(), new int[0], false, false, true));
        where = "as the cause of #" + host;
      } else {
        int[] s = Arrays.copyOf(h.suppressed(), h.suppressed().length + 1);
        s[s.length - 1] = target;
        nodes.set(host, new Node(h.kind(), h.message(), h.cause(), s, h.causeThrows(),
            h.messageThrows(), true));
        nodes.add(new Node(rigged ? Kind.RIGGED_CONNECT : Kind.CONNECT, REFUSED_MESSAGE.next(r),
            -1, new int[0], false, false, true));
        where = "suppressed by #" + host;
      }
      where += " (suppressed depth " + hostDepth + (asCause ? "" : " + 1") + ")";
      Graph planted = new Graph(nodes, g.links());
      Throwable[] t = planted.build();
      if (depthOf(t[0], t[target]) >= 0 && cost(t[0], 0) <= FailureClassifier.MAX_VISITS) {
        return new Planted(planted, target, where);
      }
    }
  };

  @Test
  @DisplayName("a graph whose only connect evidence is a ConnectException \"Connection refused\""
      + " reachable within the documented bound (cause chains to 10,000 deep, two levels of"
      + " suppressed, 32,768 visits) is REFUSED; without it, the graph is OTHER")
  void plantedRefusal() {
    AtomicIntegerArray depths = new AtomicIntegerArray(3);
    ForAll.values(PLANTED).tries(1_000).check(p -> {
      Throwable[] t = p.graph().build();
      assertThat(FailureKind.of(t[0])).isEqualTo(FailureKind.REFUSED);
      // The same graph without the refusal holds no evidence: the refusal alone decided.
      Throwable[] neutral = withoutTarget(p).build();
      assertThat(FailureKind.of(neutral[0])).as("without the refusal").isEqualTo(FailureKind.OTHER);
      depths.incrementAndGet(depthOf(t[0], t[p.target()]));
    });
    // Each depth the documentation promises must actually have been tried (depth 2 is the
    // rarest, about 40 in 1000).
    for (int d = 0; d < depths.length(); d++) {
      assertThat(depths.get(d)).as("refusals at suppressed depth %d", d).isGreaterThan(10);
    }
  }

  /** The planted graph with the refusal made neutral (same shape, no evidence). */
  private static Graph withoutTarget(Planted p) {
    Node t = p.graph().nodes().get(p.target());
    return replace(p.graph(), p.target(), new Node(Kind.RIGGED_RUNTIME, t.message(), t.cause(),
        t.suppressed(), false, false, true));
  }

  // ---------------------------------------------------------------------------------------------
  // The documented walk, independently: what it searches and a bound on what it costs.

  /**
   * The suppressed depth at which the walk searches {@code target} under {@code root}: 0 in the
   * root's cause chain, 1 in the chain of a suppressed exception of that chain, 2 one level
   * further; -1 when the documented walk never looks at it.
   */
  static int depthOf(Throwable root, Throwable target) {
    return searched(root).getOrDefault(target, -1);
  }

  /** Every exception the documented walk looks at under {@code root}, with its least depth. */
  static Map<Throwable, Integer> searched(Throwable root) {
    Map<Throwable, Integer> depths = new IdentityHashMap<>();
    search(root, 0, depths);
    return depths;
  }

  private static void search(Throwable root, int depth, Map<Throwable, Integer> depths) {
    Integer known = depths.get(root);
    if (known != null && known <= depth) {
      return; // its chain, and what hangs off it, was searched at this depth or shallower
    }
    List<Throwable> chain = chain(root);
    for (Throwable node : chain) {
      depths.merge(node, depth, Math::min);
    }
    if (depth < FailureClassifier.MAX_SUPPRESSED_DEPTH) {
      for (Throwable node : chain) {
        for (Throwable s : suppressedOf(node)) {
          search(s, depth + 1, depths);
        }
      }
    }
  }

  /**
   * An upper bound on the exceptions the walk looks at under {@code root}: two passes over the
   * chain, and at depths below the limit a third that walks every suppressed exception's graph.
   * A cyclic chain is bounded by cycle detection (Brent's algorithm stops within 3 × its length
   * + 2 steps), and then each node may come round that many times.
   */
  static long cost(Throwable root, int depth) {
    List<Throwable> chain = chain(root);
    Throwable last = chain.get(chain.size() - 1);
    boolean cyclic = causeOf(last) != null;
    long perPass = cyclic ? 3L * chain.size() + 2 : chain.size();
    long total = 2 * perPass;
    if (depth < FailureClassifier.MAX_SUPPRESSED_DEPTH) {
      total += perPass;
      long visitsOfEach = cyclic ? perPass : 1;
      for (Throwable node : chain) {
        for (Throwable s : suppressedOf(node)) {
          total += visitsOfEach * cost(s, depth + 1);
          if (total > FailureClassifier.MAX_VISITS) {
            return total;
          }
        }
      }
    }
    return total;
  }

  /** The distinct exceptions of a cause chain, in order, up to its end or its first repeat. */
  private static List<Throwable> chain(Throwable root) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = root; t != null && seen.add(t); t = causeOf(t)) {
      chain.add(t);
    }
    return chain;
  }

  private static Throwable causeOf(Throwable t) {
    try {
      return t.getCause();
    } catch (Throwable e) {
      return null;
    }
  }

  private static Throwable[] suppressedOf(Throwable t) {
    return t.getSuppressed();
  }
}
