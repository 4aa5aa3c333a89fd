package org.userec.data.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.data.Interactions;
import org.userec.data.InterFile;
import org.userec.data.InterFileReader;

/**
 * The raw-review fixture under src/test/resources/raw, checked against values computed by hand.
 *
 * <p>The review rows (both Amazon layouts hold the same 20 reviews; user, asin, time; grouped by asin as the
 * real 2014 files are):
 * <pre>
 *   B001: AU2 1000, AU1 5500, AU3 1200, AU6 1300, AU1 1400 (repeat of AU1-B001: dropped, the first is kept)
 *   B002: AU4 2000, AU1 2100, AU2 2200, AU3 2300
 *   B003: AU1 3000, AU6 3100, AU4 3200, AU2 3300
 *   B004: AU3 4000, AU4 4100, AU1 4200
 *   B005: AU5 5000, AU6 5100
 *   B006: AU5 6000, AU4 6100
 * </pre>
 * 2014 file (plain): 24 lines = 20 reviews + 3 corrupt (line 3 cut short, 8 no asin, 15 overall "five") + 1
 * blank (line 11, ignored). 2018 file (gzip): 23 lines = 20 reviews + 3 corrupt (2 not JSON, 9 time
 * "yesterday", 20 missing comma).
 *
 * <p>3-core by hand. After the repeat: users AU1 4, AU2 3, AU3 3, AU4 4, AU5 2, AU6 3; items B001 4, B002 4,
 * B003 4, B004 3, B005 2, B006 2.
 * Round 1 drops AU5's rows (degree 2) and the rows of B005 and B006 (degree 2): AU5-B005, AU5-B006, AU6-B005,
 * AU4-B006. Round 2: AU6 now has 2 (B001, B003): drop both. Round 3: AU1 4, AU2 3, AU3 3, AU4 3; B001 3
 * (AU2, AU1, AU3), B002 4, B003 3 (AU1, AU4, AU2), B004 3: nothing to drop, so 3 rounds.
 * Left: 4 users, 4 items, 13 interactions.
 *
 * <p>Ids by first appearance among surviving rows: users AU2 0, AU1 1, AU3 2, AU4 3; items B001 0 .. B004 3.
 * Random split (every user has n &lt; 10: n-2 / 1 / 1): AU1 2/1/1, the others 1/1/1: train 5, valid 4, test 4.
 * Chronological split (latest to test, the one before to valid):
 * <pre>
 *   user 0 (AU2): B001 1000, B002 2200, B003 3300  -> train 0, valid 1, test 2
 *   user 1 (AU1): B002 2100, B003 3000, B004 4200, B001 5500 -> train 1 2, valid 3, test 0
 *   user 2 (AU3): B001 1200, B002 2300, B004 4000  -> train 0, valid 1, test 3
 *   user 3 (AU4): B002 2000, B003 3200, B004 4100  -> train 1, valid 2, test 3
 * </pre>
 */
class PrepareDatasetTest {
  @TempDir Path tmp;

  static Path fixture(String name) {
    try {
      return Path.of(PrepareDatasetTest.class.getResource("/raw/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private PrepareDataset.Report prepare(String reviews, String meta, RawFormat format, int k, PrepareDataset.Split split, long seed, Path out) {
    return PrepareDataset.run(
        new PrepareDataset.Spec(fixture(reviews), meta == null ? null : fixture(meta), format, "fx", out, k, split, seed), s -> {});
  }

  @Test
  void amazon2014PlainWithPythonMetaGzip() throws IOException {
    Path out = tmp.resolve("a14");
    PrepareDataset.Report r = prepare("amazon2014_reviews.json", "amazon2014_meta.json.gz", RawFormat.AUTO, 3, PrepareDataset.Split.RANDOM, 999, out);
    assertThat(r.reviewLines()).isEqualTo(24);
    assertThat(r.reviews()).isEqualTo(20);
    assertThat(r.reviewErrors().count()).isEqualTo(3);
    assertThat(r.reviewErrors().first()).extracting(LineErrors.Entry::line).containsExactly(3L, 8L, 15L);
    assertThat(r.reviewErrors().first().get(0).reason()).startsWith("not a JSON object");
    assertThat(r.reviewErrors().first().get(1).reason()).isEqualTo("missing key 'asin'");
    assertThat(r.reviewErrors().first().get(2).reason()).isEqualTo("'overall' is not a number");
    assertThat(r.duplicates()).isEqualTo(1);
    assertThat(r.rawUsers()).isEqualTo(6);
    assertThat(r.rawItems()).isEqualTo(6);
    assertThat(r.kcoreRounds()).isEqualTo(3);
    assertThat(r.users()).isEqualTo(4);
    assertThat(r.items()).isEqualTo(4);
    assertThat(r.interactions()).isEqualTo(13);
    assertThat(r.perLabel()).containsExactly(5, 4, 4);

    assertThat(Files.readAllLines(out.resolve("u_id_mapping.csv"))).containsExactly("user_id\tuserID", "AU2\t0", "AU1\t1", "AU3\t2", "AU4\t3");
    assertThat(Files.readAllLines(out.resolve("i_id_mapping.csv"))).containsExactly("asin\titemID", "B001\t0", "B002\t1", "B003\t2", "B004\t3");
    List<String> inter = Files.readAllLines(out.resolve("fx.inter"));
    assertThat(inter.get(0)).isEqualTo("userID\titemID\tx_label\trating\ttimestamp");
    assertThat(inter).hasSize(14);
    assertThat(inter).contains("1\t0\t" + labelOf(inter, 1, 0) + "\t4.0\t5500"); // the first AU1-B001 row is the one kept
    assertThat(inter.stream().filter(l -> l.contains("\t1400"))).isEmpty();
    assertThat(Files.readString(out.resolve("fx.yaml"))).contains("inter_file_name: fx.inter\n");

    // Metadata: 6 records with an asin (B001 twice, B999 unknown, B006 dropped), line 4 corrupt; B003 has none.
    assertThat(r.metaRecords()).isEqualTo(6);
    assertThat(r.metaErrors().count()).isEqualTo(1);
    assertThat(r.metaErrors().first().get(0).line()).isEqualTo(4);
    assertThat(r.itemsWithMeta()).isEqualTo(3);
    ItemTable items = ItemTable.read(out.resolve("items.tsv"));
    assertThat(items.size()).isEqualTo(4);
    ItemMeta b001 = items.meta(0);
    assertThat(b001.asin()).isEqualTo("B001");
    assertThat(b001.title()).isEqualTo("Soft Baby Blanket");
    assertThat(b001.description()).isEqualTo("It's soft.\nMachine\twashable, café colour");
    assertThat(b001.price()).isEqualTo("12.5");
    assertThat(b001.brand()).isEqualTo("Cozy");
    assertThat(b001.categories()).containsExactly(List.of("Baby", "Nursery", "Bedding"), List.of("Gifts"));
    assertThat(b001.image()).isEqualTo("http://ecx.images-amazon.com/images/I/b001.jpg");
    assertThat(items.meta(1).title()).isEqualTo("Kid's \"Best\" Bottle");
    assertThat(items.meta(2)).isEqualTo(ItemMeta.empty("B003"));
    assertThat(items.meta(3).brand()).isEqualTo("Toys Inc");
    // The escaped fields stay on one physical line each.
    assertThat(Files.readAllLines(out.resolve("items.tsv"))).hasSize(5);

    // The dataset loads with the project's reader.
    InterFile f = InterFileReader.read(out.resolve("fx.inter"));
    assertThat(f.size()).isEqualTo(13);
    assertThat(f.countsByLabel()).containsExactly(5, 4, 4);
  }

  @Test
  void amazon2018GzipWithJsonMetaGivesTheSameDataset() throws IOException {
    Path a = tmp.resolve("a14");
    Path b = tmp.resolve("a18");
    prepare("amazon2014_reviews.json", null, RawFormat.AMAZON2014, 3, PrepareDataset.Split.RANDOM, 999, a);
    PrepareDataset.Report r = prepare("amazon2018_reviews.json.gz", "amazon2018_meta.json", RawFormat.AMAZON2018, 3, PrepareDataset.Split.RANDOM, 999, b);
    assertThat(r.reviewLines()).isEqualTo(23);
    assertThat(r.reviews()).isEqualTo(20);
    assertThat(r.reviewErrors().first()).extracting(LineErrors.Entry::line).containsExactly(2L, 9L, 20L);
    assertThat(r.reviewErrors().first().get(1).reason()).isEqualTo("'unixReviewTime' is not an integer");
    assertThat(Files.readAllLines(b.resolve("fx.inter"))).isEqualTo(Files.readAllLines(a.resolve("fx.inter")));
    assertThat(Files.readAllLines(b.resolve("u_id_mapping.csv"))).isEqualTo(Files.readAllLines(a.resolve("u_id_mapping.csv")));
    assertThat(Files.readAllLines(b.resolve("i_id_mapping.csv"))).isEqualTo(Files.readAllLines(a.resolve("i_id_mapping.csv")));

    // Metadata 2018: records B001, B002, B003; line 3 cut short, line 4 has no asin.
    assertThat(r.metaRecords()).isEqualTo(3);
    assertThat(r.metaErrors().first()).extracting(LineErrors.Entry::line).containsExactly(3L, 4L);
    assertThat(r.metaErrors().first().get(1).reason()).isEqualTo("missing key 'asin'");
    assertThat(r.itemsWithMeta()).isEqualTo(3);
    ItemTable items = ItemTable.read(b.resolve("items.tsv"));
    assertThat(items.meta(0).description()).isEqualTo("It's soft. Machine washable.");
    assertThat(items.meta(0).price()).isEqualTo("$12.50");
    assertThat(items.meta(0).image()).isEqualTo("https://images-na.ssl-images-amazon.com/images/I/b001.jpg");
    assertThat(items.meta(0).categories()).containsExactly(List.of("Baby", "Nursery", "Bedding"));
    assertThat(items.meta(1).image()).isEmpty();
    assertThat(items.meta(2).title()).isEqualTo("Night Light ★");
    assertThat(items.meta(2).description()).isEqualTo("Warm\tlight");
    assertThat(items.meta(3)).isEqualTo(ItemMeta.empty("B004"));
  }

  @Test
  void chronologicalSplitMatchesTheHandTable() throws IOException {
    Path out = tmp.resolve("chrono");
    PrepareDataset.Report r = prepare("amazon2018_reviews.json.gz", null, RawFormat.AUTO, 3, PrepareDataset.Split.CHRONO, 1, out);
    assertThat(r.perLabel()).containsExactly(5, 4, 4);
    List<String> inter = Files.readAllLines(out.resolve("fx.inter"));
    List<String> got = new ArrayList<>();
    for (String l : inter.subList(1, inter.size())) {
      String[] f = l.split("\t");
      got.add(f[0] + " " + f[1] + " " + f[2]);
    }
    assertThat(got).containsExactly(
        "0 0 0", "0 1 1", "0 2 2",
        "1 1 0", "1 2 0", "1 3 1", "1 0 2",
        "2 0 0", "2 1 1", "2 3 2",
        "3 1 0", "3 2 1", "3 3 2");
  }

  @Test
  void randomSplitIsSeededAndEveryUserGetsMmrecSizes() throws IOException {
    Path a = tmp.resolve("s1");
    Path b = tmp.resolve("s2");
    prepare("amazon2014_reviews.json", null, RawFormat.AUTO, 3, PrepareDataset.Split.RANDOM, 7, a);
    prepare("amazon2014_reviews.json", null, RawFormat.AUTO, 3, PrepareDataset.Split.RANDOM, 7, b);
    assertThat(Files.readAllLines(a.resolve("fx.inter"))).isEqualTo(Files.readAllLines(b.resolve("fx.inter")));
    Interactions train = InterFileReader.read(a.resolve("fx.inter")).split(0);
    int[] perUser = new int[4];
    for (int k = 0; k < train.size(); k++) {
      perUser[train.users()[k]]++;
    }
    assertThat(perUser).containsExactly(1, 2, 1, 1);
  }

  @Test
  void csvWithHeaderAndTheLargeUserRule() throws IOException {
    // reviews.csv: header; ux rates i00..i14 (15 rows); uy i00 i01 i02; uz i03 i04; uw i05; line 23 has one
    // field, line 24 a rating "good": 21 reviews, 2 corrupt.
    // k = 1: ux n=15 -> vt = 3, valid 1, test 2, train 12; uy n=3 -> 1/1/1; uz n=2 -> 1/0/1; uw n=1 -> 1/0/0.
    // Totals: train 15, valid 2, test 4.
    Path out = tmp.resolve("csv");
    PrepareDataset.Report r = prepare("reviews.csv", null, RawFormat.AUTO, 1, PrepareDataset.Split.RANDOM, 999, out);
    assertThat(r.format()).isEqualTo(RawFormat.CSV);
    assertThat(r.reviews()).isEqualTo(21);
    assertThat(r.reviewErrors().first()).extracting(LineErrors.Entry::line).containsExactly(23L, 24L);
    assertThat(r.users()).isEqualTo(4);
    assertThat(r.items()).isEqualTo(15);
    assertThat(r.perLabel()).containsExactly(15, 2, 4);
    assertThat(Files.readAllLines(out.resolve("u_id_mapping.csv"))).containsExactly("user_id\tuserID", "ux\t0", "uy\t1", "uz\t2", "uw\t3");

    // k = 2 by hand: round 1 drops i06..i14 (degree 1) and uw (degree 1); round 2 drops i05 (now only ux);
    // round 3 changes nothing. Left: ux i00..i04, uy i00..i02, uz i03 i04 = 3 users, 5 items, 10 rows.
    PrepareDataset.Report r2 = prepare("reviews.csv", null, RawFormat.CSV, 2, PrepareDataset.Split.RANDOM, 999, tmp.resolve("csv2"));
    assertThat(r2.kcoreRounds()).isEqualTo(3);
    assertThat(r2.users()).isEqualTo(3);
    assertThat(r2.items()).isEqualTo(5);
    assertThat(r2.interactions()).isEqualTo(10);
  }

  @Test
  void mmrecSizeRule() {
    assertThat(PrepareDataset.heldOut(1)).containsExactly(0, 0);
    assertThat(PrepareDataset.heldOut(2)).containsExactly(0, 1);
    assertThat(PrepareDataset.heldOut(3)).containsExactly(1, 1);
    assertThat(PrepareDataset.heldOut(9)).containsExactly(1, 1);
    assertThat(PrepareDataset.heldOut(10)).containsExactly(1, 1);
    assertThat(PrepareDataset.heldOut(15)).containsExactly(1, 2);
    assertThat(PrepareDataset.heldOut(20)).containsExactly(2, 2);
    assertThat(PrepareDataset.heldOut(37)).containsExactly(3, 4);
  }

  @Test
  void badInputsAreOneLineErrors() throws IOException {
    // A truncated gzip download.
    byte[] gz = Files.readAllBytes(fixture("amazon2018_reviews.json.gz"));
    Path cut = tmp.resolve("cut.json.gz");
    Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> PrepareDataset.run(new PrepareDataset.Spec(cut, null, RawFormat.AUTO, "x", tmp.resolve("o1"), 1, PrepareDataset.Split.RANDOM, 1), s -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("cut.json.gz")
        .hasMessageContaining("truncated");
    // The wrong --format.
    assertThatThrownBy(() -> prepare("reviews.csv", null, RawFormat.AMAZON2014, 1, PrepareDataset.Split.RANDOM, 1, tmp.resolve("o2")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("check --format");
    // Chrono without timestamps.
    Path noTime = tmp.resolve("nt.csv");
    Files.writeString(noTime, "a,x\nb,x\n");
    assertThatThrownBy(() -> PrepareDataset.run(new PrepareDataset.Spec(noTime, null, RawFormat.CSV, "x", tmp.resolve("o3"), 1, PrepareDataset.Split.CHRONO, 1), s -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("--split chrono needs a timestamp");
    // Nothing survives the k-core.
    assertThatThrownBy(() -> prepare("reviews.csv", null, RawFormat.CSV, 50, PrepareDataset.Split.RANDOM, 1, tmp.resolve("o4")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("lower --kcore");
    assertThatThrownBy(() -> PrepareDataset.run(new PrepareDataset.Spec(tmp.resolve("missing.json"), null, RawFormat.CSV, "x", tmp.resolve("o5"), 1, PrepareDataset.Split.RANDOM, 1), s -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("no such file");
    assertThatThrownBy(() -> RawFormat.parse("parquet")).isInstanceOf(BadInputException.class);
  }

  private static String labelOf(List<String> inter, int user, int item) {
    for (String l : inter) {
      String[] f = l.split("\t");
      if (f[0].equals(String.valueOf(user)) && f[1].equals(String.valueOf(item))) {
        return f[2];
      }
    }
    return "?";
  }
}
