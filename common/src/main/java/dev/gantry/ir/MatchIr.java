package dev.gantry.ir;

import java.util.List;

/**
 * A request match: all parts must match.
 *
 * @param path path match
 * @param headers header matches
 * @param queryParams query parameter matches
 * @param method HTTP method, or null for any
 */
public record MatchIr(PathMatchIr path, List<ValueMatchIr> headers, List<ValueMatchIr> queryParams, String method) {

  public MatchIr {
    headers = List.copyOf(headers);
    queryParams = List.copyOf(queryParams);
  }

  /** How the path is matched. */
  public sealed interface PathMatchIr {
    String value();

    /** The whole path equals the value. */
    record Exact(String value) implements PathMatchIr {
    }

    /** The path starts with the value at a segment boundary. */
    record Prefix(String value) implements PathMatchIr {
    }

    /** The whole path matches the RE2 regular expression. */
    record Regex(String value) implements PathMatchIr {
    }
  }

  /**
   * A named value (header or query parameter) matched exactly or by RE2 regular expression.
   *
   * @param name header or parameter name
   * @param value expected value or pattern
   * @param regex whether value is a regular expression
   */
  public record ValueMatchIr(String name, String value, boolean regex) {
  }
}
