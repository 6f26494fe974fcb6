package dev.mm1.evaluator;

/**
 * Input the evaluator cannot use, with a message that names the file and the entry and says what is
 * allowed. Commands turn it into one line on stderr and {@link ExitCodes#INVALID}.
 */
public class InvalidInputException extends RuntimeException {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A problem with one file (a path, or a name such as "predictions") as a whole: "FILE: problem". */
  public static InvalidInputException inFile(Object file, String problem) {
    return new InvalidInputException(file + ": " + problem);
  }

  /** A problem with one entry of a file: "FILE: ENTRY: problem". */
  public static InvalidInputException atEntry(Object file, String entry, String problem) {
    return new InvalidInputException(file + ": " + entry + ": " + problem);
  }
}
