package org.userec.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How help reads: the descriptions are written as lines in the source, so picocli must not wrap them a second
 * time (it would break pasted examples mid-token); the command list shows each command's first sentence
 * whole, not its first source line.
 */
final class HelpText {
  /** Wide enough that no source line is wrapped again; a narrower terminal wraps the line, keeping tokens whole. */
  static final int WIDTH = 200;

  private HelpText() {}

  static void apply(CommandLine cl) {
    cl.setUsageHelpWidth(WIDTH);
    cl.setUsageHelpLongOptionsMaxWidth(40);
    UsageMessageSpec u = cl.getCommandSpec().usageMessage();
    if (u.header().length == 0 && u.description().length > 0) {
      u.header(firstSentence(u.description()));
    }
    // the header is shown in the parent's list; in the command's own help the description says it again
    cl.getCommandSpec().usageMessage().sectionKeys(withoutHeader(u.sectionKeys()));
    for (CommandLine sub : cl.getSubcommands().values()) {
      apply(sub);
    }
  }

  private static List<String> withoutHeader(List<String> keys) {
    List<String> out = new ArrayList<>(keys);
    out.remove(UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
    out.remove(UsageMessageSpec.SECTION_KEY_HEADER);
    return out;
  }

  /** The description's lines up to the end of its first sentence, joined into one line. */
  static String firstSentence(String[] lines) {
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      if (l.isBlank()) {
        break;
      }
      if (sb.length() > 0) {
        sb.append(' ');
      }
      String t = l.strip();
      int dot = sentenceEnd(t);
      if (dot >= 0) {
        sb.append(t, 0, dot + 1);
        break;
      }
      sb.append(t);
    }
    return sb.toString();
  }

  private static int sentenceEnd(String t) {
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '.' && (i == t.length() - 1 || t.charAt(i + 1) == ' ')) {
        return i;
      }
    }
    return -1;
  }
}
