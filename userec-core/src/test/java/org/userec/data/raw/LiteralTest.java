package org.userec.data.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiteralTest {
  @Test
  void strictJson() {
    Object v = Literal.parse("{\"a\": [1, -2.5e1, true, false, null], \"b\": {\"c\": \"x\\u00e9\\n\"}}");
    assertThat(v).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -25.0, true, false, null), "b", Map.of("c", "xé\n")));
  }

  @Test
  void pythonLiteral() {
    Object v = Literal.parse("{'a': 'it\\'s', \"b\": \"Kid's\", 'c': (1, 2,), 'd': [True, False, None], 'e': u'x', 1: 'one',}");
    Map<?, ?> m = (Map<?, ?>) v;
    assertThat(m.get("a")).isEqualTo("it's");
    assertThat(m.get("b")).isEqualTo("Kid's");
    assertThat(m.get("c")).isEqualTo(List.of(1L, 2L));
    assertThat(m.get("d")).isEqualTo(java.util.Arrays.asList(true, false, null));
    assertThat(m.get("e")).isEqualTo("x");
    assertThat(m.get("1")).isEqualTo("one");
  }

  @Test
  void python2ByteEscapesDecodeAsUtf8ElseLatin1() {
    assertThat(Literal.parse("'caf\\xc3\\xa9 ok'")).isEqualTo("café ok");
    assertThat(Literal.parse("'caf\\xe9'")).isEqualTo("café"); // not valid UTF-8: Latin-1
    assertThat(Literal.parse("'\\U0001F600 \\q'")).isEqualTo("\uD83D\uDE00 \\q"); // unknown escape kept
  }

  @Test
  void parseObjectKeepsOnlyNamedKeysAndStillChecksTheRest() {
    Map<String, Object> m = Literal.parseObject("{\"skip\": {\"x\": [\"]}\", 'y']}, \"keep\": 3, \"t\": \"a\\\"b\"}", Set.of("keep"));
    assertThat(m).isEqualTo(Map.of("keep", 3L));
    assertThatThrownBy(() -> Literal.parseObject("{\"skip\": [1, 2, \"keep\": 3}", Set.of("keep")))
        .isInstanceOf(Literal.SyntaxException.class);
  }

  @Test
  void errorsNameTheColumn() {
    assertThatThrownBy(() -> Literal.parse("{\"a\": 1 \"b\": 2}"))
        .isInstanceOf(Literal.SyntaxException.class)
        .hasMessage("expected ',' or '}', found '\"' at column 9");
    assertThatThrownBy(() -> Literal.parse("{'a': 'open")).hasMessageContaining("unterminated string");
    assertThatThrownBy(() -> Literal.parse("[1, 2] x")).hasMessageContaining("after the value");
    assertThatThrownBy(() -> Literal.parse("{'a': maybe}")).hasMessageContaining("unknown word 'maybe'");
    assertThatThrownBy(() -> Literal.parseObject("[1]", null)).hasMessageContaining("expected '{'");
  }
}
