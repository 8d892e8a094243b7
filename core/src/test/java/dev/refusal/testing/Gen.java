package dev.refusal.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A generator of random values for {@link ForAll}: a function of a seeded random source, so a
 * seed replays a run exactly.
 *
 * <p>Sizes are skewed towards small (most bugs show on short input, and short input is cheap),
 * and numeric ranges towards their ends (off-by-one bugs live there).
 */
@FunctionalInterface
public interface Gen<T> {

  /** Every UTF-16 code unit, lone surrogates included: what a {@code String} can hold. */
  Gen<Character> ANY_CHAR = r -> (char) r.nextInt(0x1_0000);

  T next(SplittableRandom random);

  default <R> Gen<R> map(Function<? super T, ? extends R> f) {
    return r -> f.apply(next(r));
  }

  /** Keeps values that pass {@code keep}; fails loudly rather than spin when few do. */
  default Gen<T> filter(Predicate<? super T> keep) {
    return r -> {
      for (int i = 0; i < 10_000; i++) {
        T value = next(r);
        if (keep.test(value)) {
          return value;
        }
      }
      throw new IllegalStateException("filter rejected 10,000 values in a row");
    };
  }

  static <T> Gen<T> constant(T value) {
    return r -> value;
  }

  @SafeVarargs
  static <T> Gen<T> elements(T... values) {
    List<T> list = List.of(values);
    return r -> list.get(r.nextInt(list.size()));
  }

  static <T> Gen<T> elements(List<T> values) {
    List<T> list = List.copyOf(values);
    return r -> list.get(r.nextInt(list.size()));
  }

  /** One of {@code gens}, each equally likely; list one twice to weigh it double. */
  @SafeVarargs
  static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
    List<Gen<? extends T>> list = List.of(gens);
    return r -> list.get(r.nextInt(list.size())).next(r);
  }

  /** An int from {@code min} to {@code max} inclusive, its ends and their neighbours favoured. */
  static Gen<Integer> ints(int min, int max) {
    return r -> {
      int pick = r.nextInt(10);
      if (pick == 0) {
        return min + (int) Math.min(r.nextInt(3), (long) max - min);
      }
      if (pick == 1) {
        return max - (int) Math.min(r.nextInt(3), (long) max - min);
      }
      return (int) (min + r.nextLong((long) max - min + 1));
    };
  }

  /** A size from {@code min} to {@code max}, each order of magnitude about equally likely. */
  static int size(SplittableRandom r, int min, int max) {
    if (max <= min) {
      return min;
    }
    int span = max - min;
    int bits = 32 - Integer.numberOfLeadingZeros(span);
    int bound = (int) Math.min((1L << r.nextInt(bits + 1)), (long) span + 1);
    return min + r.nextInt(bound);
  }

  static Gen<String> strings(Gen<Character> chars, int minLength, int maxLength) {
    return r -> {
      int n = size(r, minLength, maxLength);
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        sb.append(chars.next(r).charValue());
      }
      return sb.toString();
    };
  }

  /** Characters from {@code alphabet} (code units, so a surrogate pair there comes apart). */
  static Gen<Character> charsFrom(String alphabet) {
    return r -> alphabet.charAt(r.nextInt(alphabet.length()));
  }

  static <T> Gen<List<T>> lists(Gen<T> element, int minSize, int maxSize) {
    return r -> {
      int n = size(r, minSize, maxSize);
      List<T> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(element.next(r));
      }
      return list;
    };
  }

  /** 1 to {@code maxParts} pieces from {@code parts}, joined: input that reaches deep branches. */
  static Gen<String> concat(Gen<String> parts, int maxParts) {
    return r -> {
      int n = size(r, 1, maxParts);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(parts.next(r));
      }
      return sb.toString();
    };
  }
}
