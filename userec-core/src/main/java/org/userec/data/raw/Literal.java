package org.userec.data.raw;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small tolerant parser for one value written either as strict JSON (Amazon 2018 files, all review files)
 * or as a Python literal (the Amazon 2014 metadata, written by Python 2's {@code repr} of a dict: single or
 * double quotes, {@code True/False/None}, tuples, trailing commas, {@code \xNN} escapes of UTF-8 bytes).
 *
 * <p>Values come back as {@link String}, {@link Long}, {@link Double}, {@link Boolean}, {@code null},
 * {@link List} and {@link Map} (insertion ordered, keys as strings). {@link #parseObject(String, Set)} keeps
 * only the named top-level keys and skips the others without building them, so a review's long text costs a
 * scan, not an allocation.
 */
public final class Literal {
  /** A syntax error at a 1-based column of the parsed text. */
  public static final class SyntaxException extends RuntimeException {
    private final int column;

    SyntaxException(String message, int column) {
      super(message + " at column " + column);
      this.column = column;
    }

    public int column() {
      return column;
    }
  }

  private final String s;
  private int pos;

  private Literal(String s) {
    this.s = s;
  }

  /** Parses one whole value; anything after it but whitespace is an error. */
  public static Object parse(String text) {
    Literal p = new Literal(text);
    Object v = p.value();
    p.end();
    return v;
  }

  /**
   * Parses a top-level object, keeping only the keys in {@code keep} (all keys when {@code keep} is null).
   * The other values are checked for syntax but not built.
   */
  public static Map<String, Object> parseObject(String text, Set<String> keep) {
    Literal p = new Literal(text);
    p.ws();
    if (p.peek() != '{') {
      throw p.error("expected '{' (one object per line)");
    }
    Map<String, Object> m = p.object(keep);
    p.end();
    return m;
  }

  private void end() {
    ws();
    if (pos < s.length()) {
      throw error("unexpected '" + s.charAt(pos) + "' after the value");
    }
  }

  private SyntaxException error(String message) {
    return new SyntaxException(message, pos + 1);
  }

  private int peek() {
    return pos < s.length() ? s.charAt(pos) : -1;
  }

  private void ws() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\uFEFF') {
        pos++;
      } else {
        break;
      }
    }
  }

  private Object value() {
    ws();
    int c = peek();
    switch (c) {
      case -1:
        throw error("unexpected end of line");
      case '{':
        return object(null);
      case '[':
        return list(']');
      case '(':
        return list(')');
      case '"':
      case '\'':
        return string();
      default:
        break;
    }
    if ((c == 'u' || c == 'U' || c == 'b') && pos + 1 < s.length() && (s.charAt(pos + 1) == '\'' || s.charAt(pos + 1) == '"')) {
      pos++;
      return string();
    }
    if (c == '-' || c == '+' || (c >= '0' && c <= '9') || c == '.') {
      return number();
    }
    String word = word();
    switch (word) {
      case "True":
      case "true":
        return Boolean.TRUE;
      case "False":
      case "false":
        return Boolean.FALSE;
      case "None":
      case "null":
        return null;
      case "NaN":
      case "nan":
        return Double.NaN;
      case "Infinity":
      case "inf":
        return Double.POSITIVE_INFINITY;
      default:
        throw error(word.isEmpty() ? "unexpected '" + (char) c + "'" : "unknown word '" + word + "'");
    }
  }

  private String word() {
    int start = pos;
    while (pos < s.length() && Character.isLetter(s.charAt(pos))) {
      pos++;
    }
    return s.substring(start, pos);
  }

  private Object number() {
    int start = pos;
    boolean real = false;
    if (peek() == '-' || peek() == '+') {
      pos++;
      if (s.startsWith("Infinity", pos) || s.startsWith("inf", pos)) {
        pos += s.startsWith("Infinity", pos) ? 8 : 3;
        return s.charAt(start) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
    }
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c >= '0' && c <= '9') {
        pos++;
      } else if (c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+') && (s.charAt(pos - 1) == 'e' || s.charAt(pos - 1) == 'E'))) {
        real = true;
        pos++;
      } else {
        break;
      }
    }
    String t = s.substring(start, pos);
    try {
      if (!real) {
        try {
          return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException tooLong) {
          return Double.parseDouble(t);
        }
      }
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      pos = start;
      throw error("bad number '" + t + "'");
    }
  }

  private Map<String, Object> object(Set<String> keep) {
    pos++; // '{'
    Map<String, Object> m = new LinkedHashMap<>();
    ws();
    if (peek() == '}') {
      pos++;
      return m;
    }
    while (true) {
      ws();
      int c = peek();
      String key;
      if (c == '"' || c == '\'') {
        key = string();
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        key = String.valueOf(number());
      } else if (c == '}') { // trailing comma
        pos++;
        return m;
      } else {
        throw error(c == -1 ? "unexpected end of line inside an object" : "expected a quoted key, found '" + (char) c + "'");
      }
      ws();
      if (peek() != ':') {
        throw error("expected ':' after key '" + key + "'");
      }
      pos++;
      if (keep == null || keep.contains(key)) {
        m.put(key, value());
      } else {
        skip();
      }
      ws();
      c = peek();
      if (c == ',') {
        pos++;
      } else if (c == '}') {
        pos++;
        return m;
      } else {
        throw error(c == -1 ? "unexpected end of line inside an object" : "expected ',' or '}', found '" + (char) c + "'");
      }
    }
  }

  private List<Object> list(char close) {
    pos++; // '[' or '('
    List<Object> l = new ArrayList<>();
    while (true) {
      ws();
      int c = peek();
      if (c == close) {
        pos++;
        return l;
      }
      l.add(value());
      ws();
      c = peek();
      if (c == ',') {
        pos++;
      } else if (c != close) {
        throw error(c == -1 ? "unexpected end of line inside a list" : "expected ',' or '" + close + "', found '" + (char) c + "'");
      }
    }
  }

  /** Skips one value, checking its syntax (strings are scanned, not built). */
  private void skip() {
    ws();
    int c = peek();
    if (c == '"' || c == '\'') {
      skipString();
    } else if ((c == 'u' || c == 'U' || c == 'b') && pos + 1 < s.length() && (s.charAt(pos + 1) == '\'' || s.charAt(pos + 1) == '"')) {
      pos++;
      skipString();
    } else if (c == '{' || c == '[' || c == '(') {
      int depth = 0;
      while (true) {
        int d = peek();
        if (d == -1) {
          throw error("unexpected end of line inside a " + (c == '{' ? "object" : "list"));
        }
        if (d == '"' || d == '\'') {
          skipString();
          continue;
        }
        pos++;
        if (d == '{' || d == '[' || d == '(') {
          depth++;
        } else if (d == '}' || d == ']' || d == ')') {
          if (--depth == 0) {
            return;
          }
        }
      }
    } else {
      value();
    }
  }

  private void skipString() {
    char q = s.charAt(pos++);
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == '\\') {
        pos++;
      } else if (c == q) {
        return;
      }
    }
    throw error("unterminated string");
  }

  private String string() {
    char q = s.charAt(pos++);
    int start = pos;
    // Fast path: no escapes.
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == q) {
        return s.substring(start, pos++);
      }
      if (c == '\\') {
        break;
      }
      pos++;
    }
    StringBuilder b = new StringBuilder(s.length() - start);
    b.append(s, start, pos);
    ByteArrayOutputStream bytes = null; // a run of \xNN escapes: Python 2 bytes, decoded as UTF-8
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == '\\' && pos < s.length() && s.charAt(pos) == 'x' && hex(pos + 1, 2) >= 0) {
        if (bytes == null) {
          bytes = new ByteArrayOutputStream();
        }
        bytes.write(hex(pos + 1, 2));
        pos += 3;
        continue;
      }
      if (bytes != null) {
        b.append(decodeBytes(bytes.toByteArray()));
        bytes = null;
      }
      if (c == q) {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= s.length()) {
        break;
      }
      char e = s.charAt(pos++);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case '0' -> b.append('\0');
        case '/', '\\', '\'', '"' -> b.append(e);
        case 'u' -> {
          int v = hex(pos, 4);
          if (v < 0) {
            pos -= 2;
            throw error("bad \\u escape");
          }
          b.append((char) v);
          pos += 4;
        }
        case 'U' -> {
          int v = hex(pos, 8);
          if (v < 0 || !Character.isValidCodePoint(v)) {
            pos -= 2;
            throw error("bad \\U escape");
          }
          b.appendCodePoint(v);
          pos += 8;
        }
        default -> b.append('\\').append(e); // Python keeps unknown escapes as written
      }
    }
    throw error("unterminated string");
  }

  private int hex(int at, int digits) {
    if (at + digits > s.length()) {
      return -1;
    }
    int v = 0;
    for (int k = 0; k < digits; k++) {
      int d = Character.digit(s.charAt(at + k), 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private static String decodeBytes(byte[] raw) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw))
          .toString();
    } catch (CharacterCodingException e) {
      return new String(raw, StandardCharsets.ISO_8859_1);
    }
  }
}
