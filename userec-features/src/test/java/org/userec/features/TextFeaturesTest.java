package org.userec.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.data.raw.ItemMeta;
import org.userec.data.raw.ItemTable;

class TextFeaturesTest {
  @TempDir Path tmp;

  @Test
  void mmrecRecipeAndTitleOnlyTables() {
    ItemTable amazon = ItemTable.of(List.of(
        new ItemMeta("A", "Blanket", "Soft\ncotton", "9.99", "Cozy", List.of(List.of("Baby", "Nursery"), List.of("Gifts")), ""),
        new ItemMeta("B", "", "", "", "", List.of(), "")));
    assertThat(TextFeatures.sentence(amazon, 0)).isEqualTo("Blanket Cozy Baby Nursery Soft cotton");
    assertThat(TextFeatures.sentence(amazon, 1)).isEqualTo("       "); // four ' ' fields and three separators
    ItemTable titles = new ItemTable(List.of("itemID", "microlens_item", "title"), new String[][] {{"0", "7", "a cat # funny"}});
    assertThat(TextFeatures.sentence(titles, 0)).isEqualTo("a cat # funny");
  }
}
