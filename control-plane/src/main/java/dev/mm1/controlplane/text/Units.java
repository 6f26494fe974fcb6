package dev.mm1.controlplane.text;

import io.quarkus.qute.TemplateExtension;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Numbers for people: durations, sizes, counts and percentages in human units, and instants in
 * UTC. Also Qute extensions, so templates write {@code {c.record.bytes.byteSize}} or
 * {@code {seconds.duration}}. The pages' script shows the same instants in the browser's time zone
 * (the UTC value stays on hover).
 */
@TemplateExtension
public final class Units {
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final String[] SIZES = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private Units() {}

  /** "850 ms", "12.5 s", "3 min 20 s", "5 h 02 min", "3 d 4 h". */
  public static String duration(double seconds) {
    if (Double.isNaN(seconds)) {
      return "–";
    }
    double s = Math.abs(seconds);
    String sign = seconds < 0 ? "−" : "";
    if (s < 1) {
      return sign + Math.round(s * 1000) + " ms";
    }
    if (s < 60) {
      return sign + (s < 10 ? String.format(Locale.ROOT, "%.1f", s) : String.valueOf(Math.round(s))) + " s";
    }
    long total = Math.round(s);
    if (total < 3600) {
      return sign + total / 60 + " min " + total % 60 + " s";
    }
    if (total < 86_400) {
      return sign + total / 3600 + " h " + String.format(Locale.ROOT, "%02d", total % 3600 / 60) + " min";
    }
    return sign + total / 86_400 + " d " + total % 86_400 / 3600 + " h";
  }

  /** "999 B", "1.5 kB", "12.3 GB": decimal (SI) units, as disks and object stores count. */
  public static String byteSize(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 999.95 && unit < SIZES.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, value < 10 ? "%.2f %s" : value < 100 ? "%.1f %s" : "%.0f %s", value, SIZES[unit]);
  }

  /** "950", "12.3 k", "4.56 M", "1.2 B": counts such as steps and tokens. */
  public static String compact(double value) {
    double a = Math.abs(value);
    if (a < 10_000) {
      return a == Math.rint(a) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.3g", value);
    }
    String[] units = {"k", "M", "B", "T"};
    int unit = -1;
    while (a >= 999.95 && unit < units.length - 1) {
      a /= 1000;
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, a < 10 ? "%.2f %s" : a < 100 ? "%.1f %s" : "%.0f %s", value, units[unit]);
  }

  /** "62.3 %" of a fraction; "–" when unknown. */
  public static String percent(Double fraction) {
    return fraction == null || fraction.isNaN() ? "–" : String.format(Locale.ROOT, "%.1f %%", fraction * 100);
  }

  /** The share of {@code whole} that {@code part} is, as {@link #percent}. */
  public static String share(double part, double whole) {
    return whole > 0 ? percent(part / whole) : "–";
  }

  /** "2026-03-01 10:00:00 UTC". */
  public static String utc(Instant instant) {
    return instant == null ? "" : UTC.format(instant);
  }
}
