package org.userec;

/**
 * A mistake in what the user gave us (a file, a config key, a command-line value). The message is one line
 * that names the file and line or key, says what is wrong and how to fix it. The CLI prints it without a
 * stack trace and exits with status 2.
 */
public final class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
