package org.userec.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.data.raw.ItemTable;

/** The `features text` findings of the 2026-12-08 audit (F02, F03, the held-out set's text column). */
class TextFeaturesInputTest {
  @TempDir Path dir;

  ItemTable table(String text) throws IOException {
    Path p = dir.resolve("items.tsv");
    Files.writeString(p, text);
    return ItemTable.read(p);
  }

  @Test
  void F03_aHeaderOnlyItemTableIsAnError() throws IOException {
    ItemTable t = table("itemID\tasin\ttitle\n");
    assertThatThrownBy(() -> TextFeatures.sentences(dir.resolve("items.tsv"), t, null, false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("no item rows");
  }

  @Test
  void F02_emptyTextsAreCountedAndRefusedUnlessAllowed() throws IOException {
    ItemTable t = table("itemID\tasin\ttitle\tdescription\n0\ta\tBlanket\tSoft\n1\tb\t\t\n2\tc\t\t\n");
    assertThatThrownBy(() -> TextFeatures.sentences(dir.resolve("items.tsv"), t, null, false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("2 of 3 items have empty text").hasMessageContaining("itemID 1")
        .hasMessageContaining("--allow-empty");
    assertThat(TextFeatures.sentences(dir.resolve("items.tsv"), t, null, true)).hasSize(3);
  }

  @Test
  void HeldOut_theTextColumnOrATemplateIsChosen() throws IOException {
    ItemTable t = table("itemID\tname\tgenre\n0\tHeat\tcrime\n1\tAlien\tsci-fi\n");
    assertThatThrownBy(() -> TextFeatures.sentences(dir.resolve("items.tsv"), t, null, false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("--column");
    assertThat(TextFeatures.sentences(dir.resolve("items.tsv"), t, "{name}", false)).containsExactly("Heat", "Alien");
    assertThat(TextFeatures.sentences(dir.resolve("items.tsv"), t, "{name} ({genre})", false)).containsExactly("Heat (crime)", "Alien (sci-fi)");
    assertThatThrownBy(() -> TextFeatures.sentences(dir.resolve("items.tsv"), t, "{title}", false))
        .isInstanceOf(BadInputException.class).hasMessageContaining("no column 'title'").hasMessageContaining("[itemID, name, genre]");
  }
}
