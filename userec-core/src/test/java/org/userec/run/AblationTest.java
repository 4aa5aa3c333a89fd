package org.userec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;

class AblationTest {
  private static Config base(Object... kv) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("reg_weight", 1e-4);
    v.put("cl_weight", 0.3);
    v.put("epochs", 1);
    v.put("save_checkpoints", false);
    v.put("train_batch_size", 512);
    v.put("embedding_size", 8);
    for (int k = 0; k < kv.length; k += 2) {
      v.put((String) kv[k], kv[k + 1]);
    }
    return new ConfigLoader().model("USERec", List.of("USERec")).values("test", v).build();
  }

  @Test
  void runsEveryVariantAndSeedAndWritesOneTable(@TempDir Path dir) throws Exception {
    Dataset tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
    List<String> started = new ArrayList<>();
    Ablation.Plan plan =
        new Ablation.Plan(List.of(Ablation.Variant.FULL, Ablation.Variant.NO_MLLM, Ablation.Variant.NO_ATT), List.of(1L, 2L), null);
    Ablation.Result r =
        Ablation.run(base(), c -> tiny, plan, dir, (v, seed, i, n) -> {
          started.add(v.slug + "/" + seed + " " + (i + 1) + "/" + n);
          return (gi, gn, label) -> List.of();
        });
    // w/o MLLM is skipped without an image feature file
    assertThat(started).containsExactly("full/1 1/4", "full/2 2/4", "no-att/1 3/4", "no-att/2 4/4");
    assertThat(r.rows()).extracting(SeedTable.Row::label).containsExactly("USERec", "w/o Att");
    SeedTable.Row full = r.rows().get(0);
    double a = full.perSeed().get(0).get("recall@20");
    double b = full.perSeed().get(1).get("recall@20");
    assertThat(full.meanStd().get("recall@20")[0]).isCloseTo((a + b) / 2, within(1e-12));
    assertThat(full.meanStd().get("recall@20")[1]).isCloseTo(Math.abs(a - b) / Math.sqrt(2), within(1e-12));
    String md = Files.readString(dir.resolve("ablation.md"));
    assertThat(md).contains("| variant | Recall@10 | Recall@20 | NDCG@10 | NDCG@20 |", "| USERec | ", "| w/o Att | ", " ± ");
    assertThat(md).contains("Chosen grid point per seed", "| seed 1 | seed 2 |");
    assertThat(dir.resolve("no-att/seed-2/results.json")).exists();
    assertThat(Files.readString(dir.resolve("ablation.json"))).contains("\"label\": \"w/o Att\"", "\"complete\": true");
  }

  @Test
  void variantsAreConfigSwitches() {
    Config c = base();
    assertThat(Ablation.configFor(c, Ablation.Variant.NO_PRUN, null).getDouble("prune_keep")).isEqualTo(1.0);
    assertThat(Ablation.configFor(c, Ablation.Variant.NO_POS, null).getBool("user_pe")).isFalse();
    Config pos2 = Ablation.configFor(c, Ablation.Variant.NO_POS2, null);
    assertThat(pos2.getBool("user_pe")).isTrue();
    assertThat(pos2.getBool("item_pe")).isTrue();
    assertThat(Ablation.configFor(c, Ablation.Variant.NO_II, null).getBool("use_ii_graph")).isFalse();
    assertThat(Ablation.configFor(c, Ablation.Variant.NO_ATT, null).getBool("use_attention")).isFalse();
    assertThat(Ablation.configFor(c, Ablation.Variant.FULL, null)).isSameAs(c);
  }

  @Test
  void withoutMllmSwapsThePlainImageFeatureFile() {
    Path vgg = Path.of("/data/vgg_image_feat.npy");
    assertThat(Ablation.configFor(base(), Ablation.Variant.NO_MLLM, vgg).getString("vision_feature_file"))
        .isEqualTo(vgg.toString());
    Config tiktok = base("feature_files", Map.of("image", "image_feat.npy", "audio", "audio_feat.npy"));
    Map<String, Object> files = Ablation.configFor(tiktok, Ablation.Variant.NO_MLLM, vgg).getMap("feature_files");
    assertThat(files).containsEntry("image", vgg.toString()).containsEntry("audio", "audio_feat.npy");
    assertThatThrownBy(() -> Ablation.configFor(base(), Ablation.Variant.NO_MLLM, null)).isInstanceOf(BadInputException.class);
    assertThat(Ablation.Variant.parse("w/o Pos2")).isEqualTo(Ablation.Variant.NO_POS2);
    assertThat(Ablation.Variant.parse("no-ii")).isEqualTo(Ablation.Variant.NO_II);
    assertThatThrownBy(() -> Ablation.Variant.parse("no-xyz")).hasMessageContaining("no-prun");
  }
}
