package dev.gantry.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs the independent steps of one translation (routes, route tables, Envoy resources) on the common fork-join
 * pool. Small batches stay on the calling thread: below a few hundred steps, handing work to the pool costs more
 * than it saves. Results never depend on the split: callers write each step's result to its own slot and combine
 * them in order afterwards.
 */
public final class Parallel {

  /** Fewest steps worth spreading; a Gateway with a handful of routes translates on its own thread. */
  public static final int THRESHOLD = 256;

  private Parallel() {
  }

  /** Calls {@code step} for each index in {@code [0, count)}, in no particular order and possibly concurrently. */
  public static void forEachIndex(int count, IntConsumer step) {
    forEachIndex(count, THRESHOLD, step);
  }

  /** As {@link #forEachIndex(int, IntConsumer)}, spreading from {@code threshold} steps on. */
  public static void forEachIndex(int count, int threshold, IntConsumer step) {
    if (count < threshold) {
      for (int i = 0; i < count; i++) {
        step.accept(i);
      }
    } else {
      IntStream.range(0, count).parallel().forEach(step);
    }
  }

  /** {@code function} applied to each element, in the order of {@code inputs}. */
  public static <I, O> List<O> map(List<I> inputs, int threshold, Function<? super I, ? extends O> function) {
    if (inputs.size() < threshold) {
      List<O> out = new ArrayList<>(inputs.size());
      for (I input : inputs) {
        out.add(function.apply(input));
      }
      return out;
    }
    Object[] out = new Object[inputs.size()];
    forEachIndex(inputs.size(), threshold, i -> out[i] = function.apply(inputs.get(i)));
    @SuppressWarnings("unchecked")
    List<O> list = (List<O>) Arrays.asList(out);
    return new ArrayList<>(list);
  }
}
