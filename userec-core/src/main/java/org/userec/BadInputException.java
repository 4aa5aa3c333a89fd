package org.userec;

/**
 * A mistake in what the user gave us (a file, a config key, a command-line value). The message is one line
 * that names the file and line or key, says what is wrong and how to fix it. The CLI prints it without a
 * stack trace and exits with status 2. Line breaks and other control characters quoted from the input (a
 * damaged header, a binary file) are escaped, so the message stays one line whatever it quotes.
 */
public final class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(oneLine(message));
  }

  public BadInputException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  static String oneLine(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.format("\\x%02x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }
}
