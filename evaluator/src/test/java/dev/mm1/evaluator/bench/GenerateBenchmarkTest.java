package dev.mm1.evaluator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./mm1 bench generate} on the tiny preset: every round printed, one JSON object last; bad rounds refused. */
class GenerateBenchmarkTest {
  @Test
  void printsEveryRoundAndTheFigures() {
    var bytes = new ByteArrayOutputStream();
    var out = System.out;
    int code;
    try (var capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      code = new CommandLine(new GenerateBenchmark()).execute("--preset", "tiny", "--prompt-tokens", "12",
          "--new-tokens", "3", "--batch", "2", "--rounds", "2", "--threads", "1");
    } finally {
      System.setOut(out);
    }
    var lines = bytes.toString(StandardCharsets.UTF_8).strip().lines().toList();
    assertThat(code).isZero();
    assertThat(lines).filteredOn(line -> line.startsWith("round ")).hasSize(2);
    var json = JsonParser.parseString(lines.getLast()).getAsJsonObject();
    assertThat(json.get("benchmark").getAsString()).isEqualTo("generate");
    assertThat(json.get("rounds").getAsInt()).isEqualTo(2);
    assertThat(json.get("batchRatio").getAsDouble()).isPositive();
    assertThat(json.get("cacheRatio").getAsDouble()).isPositive();
    assertThat(json.get("sameTokens").getAsBoolean()).isTrue();
    // The breakdown is reported (its values are timings: not asserted beyond being numbers).
    for (var key : new String[] {"promptPassBatchSeconds", "promptPassOneSeconds", "decodeStepBatchMillis",
        "decodeStepOneMillis"}) {
      assertThat(json.get(key).getAsDouble()).as(key).isFinite();
    }
    assertThat(lines).anyMatch(line -> line.startsWith("prompt pass:")).anyMatch(line -> line.startsWith("decoding step:"));
  }

  @Test
  void roundsBelowOneAreRefused() {
    var err = new StringWriter();
    var command = new CommandLine(new GenerateBenchmark()).setErr(new PrintWriter(err));
    assertThat(command.execute("--preset", "tiny", "--rounds", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--rounds is 0; allowed: at least 1");
  }
}
