package dev.refusal.internal.diagnosis;

import dev.refusal.internal.HostSyntax;
import java.net.InetAddress;
import java.util.List;

/**
 * The two texts of a conclusion: what was found and what to do about it.
 *
 * <p>The wording classes ({@link BindWording}, {@link RefusedWording}, {@link FailureWording})
 * build every one of them, so that a diagnosis reads the same whichever rule reached it.
 */
record Wording(String summary, String remedy) {

  /** Up to eight addresses as a person writes them, then how many more there are. */
  static String addressList(List<InetAddress> list) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < list.size() && i < 8; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(HostSyntax.addressText(list.get(i)));
    }
    if (list.size() > 8) {
      sb.append(" and ").append(list.size() - 8).append(" more");
    }
    return sb.toString();
  }
}
