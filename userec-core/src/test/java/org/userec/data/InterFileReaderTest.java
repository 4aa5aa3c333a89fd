package org.userec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;

class InterFileReaderTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  /** The message is one line starting with {@code <file>:<line>: } and carries a fix after "; ". */
  private static AbstractThrowableAssert<?, ? extends Throwable> assertBad(String prefix, Runnable r) {
    return assertThatThrownBy(r::run)
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(prefix)
        .hasMessageNotContaining("\n")
        .hasMessageContaining("; ");
  }

  private static final String SMALL = """
      userID\titemID\tx_label
      0\t0\t0
      0\t1\t0
      1\t2\t0
      1\t0\t1
      0\t3\t2
      3\t5\t2
      """;

  @Test
  void readsRowsInFileOrderWithCountsFromMaxIds() throws IOException {
    InterFile f = InterFileReader.read(write("small.inter", SMALL));
    assertThat(f.size()).isEqualTo(6);
    assertThat(f.numUsers()).isEqualTo(4); // user 3 appears only in test; user 2 never: counts are max id + 1
    assertThat(f.numItems()).isEqualTo(6);
    assertThat(f.users()).containsExactly(0, 0, 1, 1, 0, 3);
    assertThat(f.items()).containsExactly(0, 1, 2, 0, 3, 5);
    assertThat(f.labels()).containsExactly(0, 0, 0, 1, 2, 2);
    assertThat(f.countsByLabel()).containsExactly(3, 1, 2);
    assertThat(f.split(InterFile.TEST).users()).containsExactly(0, 3);
    assertThat(f.split(InterFile.TEST).items()).containsExactly(3, 5);
  }

  @Test
  void handlesCrlfTrailingBlankLinesBomAndBlankLinesInside() throws IOException {
    String crlf = "\uFEFFuserID\titemID\tx_label\r\n0\t1\t0\r\n\r\n1\t2\t1\r\n2\t3\t2\r\n\r\n";
    InterFile f = InterFileReader.read(write("crlf.inter", crlf));
    assertThat(f.users()).containsExactly(0, 1, 2);
    assertThat(f.items()).containsExactly(1, 2, 3);
    assertThat(f.labels()).containsExactly(0, 1, 2);
    InterFile noFinalNewline = InterFileReader.read(write("nofinal.inter", "userID\titemID\tx_label\n0\t1\t0\n1\t2\t1\n2\t3\t2"));
    assertThat(noFinalNewline.size()).isEqualTo(3);
  }

  @Test
  void ignoresExtraColumnsInAnyOrder() throws IOException {
    String text = "timestamp\titemID\trating\tx_label\tuserID\n99\t4\t5.0\t0\t7\n98\t2\t1.0\t1\t7\n97\t1\t3.5\t2\t7\n";
    InterFile f = InterFileReader.read(write("extra.inter", text));
    assertThat(f.users()).containsExactly(7, 7, 7);
    assertThat(f.items()).containsExactly(4, 2, 1);
    assertThat(f.numUsers()).isEqualTo(8);
    assertThat(f.numItems()).isEqualTo(5);
  }

  @Test
  void usesConfiguredSeparatorAndColumnNames() throws IOException {
    String text = "user_id:token,item_id:token,split\n0, 1,0\n1,2 ,1\n2,3,2\n";
    InterFile f = InterFileReader.read(write("custom.inter", text), new InterFileReader.Columns("user_id:token", "item_id:token", "split", ','));
    assertThat(f.items()).containsExactly(1, 2, 3);
    assertThat(f.labels()).containsExactly(0, 1, 2);
  }

  // ------------------------------------------------------------------------------------------- errors

  @Test
  void rejectsMissingFile() {
    Path p = dir.resolve("missing.inter");
    assertBad(p + ": ", () -> InterFileReader.read(p)).hasMessageContaining("not found").hasMessageContaining("inter_file_name");
  }

  @Test
  void rejectsMissingColumnListingTheHeader() throws IOException {
    Path p = write("nolabel.inter", "userID\titemID\trating\n0\t1\t5\n");
    assertBad(p + ":1: ", () -> InterFileReader.read(p))
        .hasMessageContaining("no column 'x_label'")
        .hasMessageContaining("[userID, itemID, rating]")
        .hasMessageContaining("inter_splitting_label");
    Path u = write("nouser.inter", "user\titemID\tx_label\n0\t1\t0\n");
    assertBad(u + ":1: ", () -> InterFileReader.read(u)).hasMessageContaining("no column 'userID'").hasMessageContaining("USER_ID_FIELD");
    Path i = write("case.inter", "userID\titemid\tx_label\n0\t1\t0\n");
    assertBad(i + ":1: ", () -> InterFileReader.read(i)).hasMessageContaining("ITEM_ID_FIELD").hasMessageContaining("case-sensitive");
  }

  @Test
  void hintsAtTheSeparatorWhenTheHeaderIsOneColumn() throws IOException {
    Path p = write("comma.inter", "userID,itemID,x_label\n0,1,0\n");
    assertBad(p + ":1: ", () -> InterFileReader.read(p)).hasMessageContaining("separated by commas").hasMessageContaining("field_separator");
  }

  @Test
  void rejectsRaggedRowNamingTheLine() throws IOException {
    Path p = write("ragged.inter", "userID\titemID\tx_label\n0\t1\t0\n\n1\t2\n2\t3\t2\n");
    assertBad(p + ":4: ", () -> InterFileReader.read(p))
        .hasMessageContaining("2 fields but the header has 3")
        .hasMessageContaining("separated by tabs");
    Path extra = write("extra.inter", "userID\titemID\tx_label\n0\t1\t0\t9\n");
    assertBad(extra + ":2: ", () -> InterFileReader.read(extra)).hasMessageContaining("4 fields");
    Path spaces = write("spaces.inter", "userID\titemID\tx_label\n0 1 0\n");
    assertBad(spaces + ":2: ", () -> InterFileReader.read(spaces)).hasMessageContaining("1 field ").hasMessageContaining("seems separated by spaces");
  }

  @Test
  void rejectsNonIntegerId() throws IOException {
    Path p = write("float.inter", "userID\titemID\tx_label\n0\t1\t0\n1\t2.0\t1\n");
    assertBad(p + ":3: ", () -> InterFileReader.read(p)).hasMessageContaining("itemID '2.0' is not a non-negative integer").hasMessageContaining("0-based");
    Path raw = write("raw.inter", "userID\titemID\tx_label\nA1B2C3\t1\t0\n");
    assertBad(raw + ":2: ", () -> InterFileReader.read(raw)).hasMessageContaining("userID 'A1B2C3'").hasMessageContaining("map raw ids");
    Path empty = write("emptyfield.inter", "userID\titemID\tx_label\n\t1\t0\n");
    assertBad(empty + ":2: ", () -> InterFileReader.read(empty)).hasMessageContaining("userID is empty");
    Path huge = write("huge.inter", "userID\titemID\tx_label\n0\t99999999999\t0\n");
    assertBad(huge + ":2: ", () -> InterFileReader.read(huge)).hasMessageContaining("too large");
  }

  @Test
  void rejectsNegativeId() throws IOException {
    Path p = write("neg.inter", "userID\titemID\tx_label\n0\t1\t0\n-3\t2\t1\n");
    assertBad(p + ":3: ", () -> InterFileReader.read(p)).hasMessageContaining("userID -3 is negative").hasMessageContaining("0-based");
  }

  @Test
  void rejectsSplitLabelOutsideZeroToTwo() throws IOException {
    Path p = write("label.inter", "userID\titemID\tx_label\n0\t1\t0\n0\t2\t3\n");
    assertBad(p + ":3: ", () -> InterFileReader.read(p))
        .hasMessageContaining("x_label '3' is not a split label")
        .hasMessageContaining("0 (train), 1 (validation) or 2 (test)");
    Path word = write("word.inter", "userID\titemID\tx_label\n0\t1\ttrain\n");
    assertBad(word + ":2: ", () -> InterFileReader.read(word)).hasMessageContaining("x_label 'train'");
  }

  @Test
  void rejectsEmptySplit() throws IOException {
    Path p = write("novalid.inter", "userID\titemID\tx_label\n0\t1\t0\n0\t2\t2\n");
    assertBad(p + ": ", () -> InterFileReader.read(p))
        .hasMessageContaining("no validation rows (x_label = 1)")
        .hasMessageContaining("train/valid/test: 1/0/1")
        .hasMessageContaining("split rule");
    Path noTrain = write("notrain.inter", "userID\titemID\tx_label\n0\t1\t1\n0\t2\t2\n");
    assertBad(noTrain + ": ", () -> InterFileReader.read(noTrain)).hasMessageContaining("no train rows");
  }

  @Test
  void rejectsEmptyFileHeaderOnlyAndDuplicateColumns() throws IOException {
    Path empty = write("empty.inter", "");
    assertBad(empty + ":1: ", () -> InterFileReader.read(empty)).hasMessageContaining("empty").hasMessageContaining("userID, itemID, x_label");
    Path header = write("header.inter", "userID\titemID\tx_label\n\n");
    assertBad(header + ": ", () -> InterFileReader.read(header)).hasMessageContaining("no interaction rows");
    Path dup = write("dup.inter", "userID\titemID\tuserID\tx_label\n0\t1\t2\t0\n");
    assertBad(dup + ":1: ", () -> InterFileReader.read(dup)).hasMessageContaining("'userID' appears twice");
  }

  @Test
  void rejectsBadColumnConfig() {
    assertThatThrownBy(() -> new InterFileReader.Columns("userID", "userID", "x_label", '\t'))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("ITEM_ID_FIELD");
    assertThatThrownBy(() -> new InterFileReader.Columns("userID", "itemID", "x_label", '\n'))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("field_separator");
  }

  @Test
  void parsesALargeFileQuickly() throws IOException {
    StringBuilder sb = new StringBuilder("userID\titemID\tx_label\n");
    for (int k = 0; k < 200_000; k++) {
      sb.append(k % 20_000).append('\t').append((k % 20_000 * 13 + k / 20_000 * 701) % 7_000).append('\t').append(k % 10 == 0 ? 1 : k % 10 == 1 ? 2 : 0).append('\n');
    }
    Path p = write("big.inter", sb.toString());
    InterFileReader.read(p); // warm up
    long t0 = System.nanoTime();
    InterFile f = InterFileReader.read(p);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(f.size()).isEqualTo(200_000);
    assertThat(f.numUsers()).isEqualTo(20_000);
    assertThat(ms).as("parse time in ms").isLessThan(1000);
  }
}
