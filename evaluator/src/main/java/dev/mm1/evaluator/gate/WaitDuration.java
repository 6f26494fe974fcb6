package dev.mm1.evaluator.gate;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations on the command line: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1h30m}, {@code 500ms}, ISO {@code PT30M}, or seconds. */
final class WaitDuration implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern PARTS = Pattern.compile("(\\d+)(ms|h|m|s)");

  @Override
  public Duration convert(String value) {
    String text = value.trim();
    if (text.matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(text));
    }
    if (text.toUpperCase().startsWith("P")) {
      try {
        return Duration.parse(text.toUpperCase());
      } catch (DateTimeParseException e) {
        throw invalid(value);
      }
    }
    Matcher matcher = PARTS.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (matcher.find()) {
      if (matcher.start() != end) {
        throw invalid(value);
      }
      long amount = Long.parseLong(matcher.group(1));
      total = total.plus(switch (matcher.group(2)) {
        case "h" -> Duration.ofHours(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "s" -> Duration.ofSeconds(amount);
        default -> Duration.ofMillis(amount);
      });
      end = matcher.end();
    }
    if (end != text.length() || end == 0) {
      throw invalid(value);
    }
    return total;
  }

  private static CommandLine.TypeConversionException invalid(String value) {
    return new CommandLine.TypeConversionException("'" + value + "' is not a duration; write 90s, 30m, 2h, 1h30m or PT30M");
  }
}
