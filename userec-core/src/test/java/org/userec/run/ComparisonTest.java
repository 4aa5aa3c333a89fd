package org.userec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.DatasetSpec;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.eval.Evaluator;
import org.userec.model.ModelRegistry;
import org.userec.train.EpochRecord;
import org.userec.train.RunLock;
import org.userec.train.TrainListener;
import org.userec.train.TrainerState;

class ComparisonTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  private static Config config(String model, Object... kv) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("epochs", 2);
    v.put("train_batch_size", 512);
    v.put("embedding_size", 8);
    for (int k = 0; k < kv.length; k += 2) {
      v.put((String) kv[k], kv[k + 1]);
    }
    return new ConfigLoader().model(model, ModelRegistry.names()).values("test", v).build();
  }

  /** BPR over a two-point grid, LightGCN fixed; two seeds. */
  private static Comparison.Plan plan(Object... bprExtra) {
    List<Object> bpr = new ArrayList<>(List.of("reg_weight", List.of(1e-3, 1e-2)));
    bpr.addAll(List.of(bprExtra));
    return new Comparison.Plan(
        List.of(
            new Comparison.Entry("BPR", config("BPR", bpr.toArray())),
            new Comparison.Entry("LightGCN", config("LightGCN", "n_layers", 1, "reg_weight", 1e-4))),
        List.of(1L, 2L));
  }

  private static DatasetSpec spec(Config c) {
    DatasetSpec s = DatasetSpec.of(Path.of("tiny"), "tiny");
    return c.getBool("is_multimodal_model") ? s.withModality("image", "image_feat.npy") : s;
  }

  /** Counts trained epochs per "MODEL/seed", and optionally crashes one of them at epoch 1. */
  private static final class Recorder implements Comparison.Progress {
    final Map<String, Integer> epochs = new LinkedHashMap<>();
    final List<String> started = new ArrayList<>();
    String crash;

    int total() {
      return epochs.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public Experiment.Listeners start(Comparison.Entry e, long seed, int index, int total) {
      String key = e.model() + "/" + seed;
      started.add(key + " " + (index + 1) + "/" + total);
      epochs.putIfAbsent(key, 0);
      TrainListener l =
          new TrainListener() {
            @Override
            public void onBatch(int epoch, int batch, int batches, double loss) {
              if (key.equals(crash) && epoch == 1) {
                throw new IllegalStateException("simulated crash in " + key);
              }
            }

            @Override
            public void onEpoch(EpochRecord r, TrainerState state) {
              epochs.merge(key, 1, Integer::sum);
            }
          };
      return (i, n, label) -> List.of(l);
    }
  }

  private static Comparison.Result run(Comparison.Plan plan, Path dir, Recorder rec) {
    return Comparison.run(plan, ComparisonTest::spec, s -> tiny, dir, rec);
  }

  @Test
  void oneTableOverModelsAndSeedsThenASecondCallTrainsNothing(@TempDir Path dir) throws Exception {
    Recorder first = new Recorder();
    Comparison.Result r = run(plan(), dir, first);
    assertThat(first.started).containsExactly("BPR/1 1/4", "BPR/2 2/4", "LightGCN/1 3/4", "LightGCN/2 4/4");
    assertThat(first.epochs).containsEntry("BPR/1", 4).containsEntry("LightGCN/2", 2); // 2 grid points × 2 epochs; 1 × 2
    assertThat(r.rows()).extracting(SeedTable.Row::label).containsExactly("BPR", "LightGCN");

    SeedTable.Row bpr = r.rows().get(0);
    assertThat(bpr.gridKeys()).containsExactly("reg_weight");
    assertThat(bpr.picks()).extracting(SeedTable.Pick::seed).containsExactly(1L, 2L);
    assertThat(bpr.picks().get(0).setting()).startsWith("reg_weight=");
    assertThat(r.rows().get(1).picks().get(0).setting()).isEqualTo("default");
    double a = bpr.perSeed().get(0).get("ndcg@10");
    double b = bpr.perSeed().get(1).get("ndcg@10");
    assertThat(bpr.meanStd().get("ndcg@10")[0]).isCloseTo((a + b) / 2, within(1e-12));
    assertThat(bpr.meanStd().get("ndcg@10")[1]).isCloseTo(Math.abs(a - b) / Math.sqrt(2), within(1e-12));
    // the pick is the grid point with the best validation score (the folder's points, read back without training)
    Experiment.Outcome seed1 =
        Experiment.run("BPR", plan().entries().get(0).config().with("seed", 1L), tiny, dir.resolve("BPR/seed-1"), (i, n, l) -> List.of());
    double best = seed1.points().stream().mapToDouble(p -> p.result().bestValid().get("recall@20")).max().orElseThrow();
    assertThat(bpr.picks().get(0).valid().get("recall@20")).isEqualTo(best);
    assertThat(dir.resolve("BPR/seed-2/grid-001/results.json")).exists();
    assertThat(dir.resolve("LightGCN/seed-1/results.json")).exists();

    String md = Files.readString(dir.resolve("compare.md"));
    assertThat(md).contains("| model | Recall@10 | Recall@20 | NDCG@10 | NDCG@20 |", "| BPR | ", "| LightGCN | ", " ± ", "| seed 1 | seed 2 |")
        .doesNotContain("Partial");
    assertThat(md).isEqualTo(r.markdown());
    for (SeedTable.Row row : r.rows()) { // every trained pick recorded what its training cost
      assertThat(row.epochSeconds()).as(row.label() + " s/epoch").isPositive();
      assertThat(row.peakHeapMb()).as(row.label() + " peak heap").isPositive();
    }
    assertThat(md).contains("| s / epoch | peak heap |").doesNotContain("| — |");
    for (SeedTable.Row row : r.rows()) { // each pick's per-user test metrics, whose means are the reported ones
      for (SeedTable.Pick p : row.picks()) {
        Evaluator.PerUser u = PerUserTest.read(p.dir());
        assertThat(Arrays.stream(u.recall()).average().orElseThrow()).isCloseTo(p.test().get("recall@20"), within(1e-9));
      }
    }
    List<Significance.Comparison> tests = Comparison.significance(r.rows());
    assertThat(tests).hasSize(2).extracting(Significance.Comparison::metric).containsExactly("recall@20", "ndcg@20");
    assertThat(tests.get(0).pValue()).isBetween(0.0, 1.0);
    assertThat(md).contains("Per-user significance", "| Recall@20 | ", "| NDCG@20 | ");
    assertThat(Files.readString(dir.resolve("compare.json"))).contains("\"significance\": [", "\"p_value\": ");
    assertThat(Files.readString(dir.resolve("compare.json"))).contains("\"complete\": true", "\"dataset\": \"tiny\"", "\"setting\": \"default\"");

    Recorder second = new Recorder();
    Comparison.Result again = run(plan(), dir, second);
    assertThat(second.started).hasSize(4);
    assertThat(second.total()).as("epochs trained by the second call").isZero();
    for (int row = 0; row < 2; row++) {
      for (int s = 0; s < 2; s++) {
        assertThat(again.rows().get(row).perSeed().get(s).values()).isEqualTo(r.rows().get(row).perSeed().get(s).values());
      }
    }
    assertThat(again.markdown()).isEqualTo(r.markdown());
  }

  @Test
  void anInterruptedComparisonResumesWhereItStopped(@TempDir Path dir) throws Exception {
    Comparison.Result clean = run(plan(), dir.resolve("clean"), new Recorder());
    Path run = dir.resolve("run");
    Recorder crashing = new Recorder();
    crashing.crash = "LightGCN/2";
    assertThatThrownBy(() -> run(plan(), run, crashing)).hasMessageContaining("simulated crash in LightGCN/2");
    assertThat(Files.readString(run.resolve("compare.md"))).contains("Partial: 1 of 2 models done (to come: LightGCN)", "| BPR | ");
    assertThat(Files.readString(run.resolve("compare.json"))).contains("\"complete\": false");

    Recorder resumed = new Recorder();
    Comparison.Result r = run(plan(), run, resumed);
    assertThat(resumed.epochs).containsEntry("BPR/1", 0).containsEntry("BPR/2", 0).containsEntry("LightGCN/1", 0);
    assertThat(resumed.epochs).containsEntry("LightGCN/2", 1); // epoch 0 was checkpointed before the crash
    assertThat(r.rows().get(1).perSeed().get(1).values()).isEqualTo(clean.rows().get(1).perSeed().get(1).values());
    assertThat(Files.readString(run.resolve("compare.json"))).contains("\"complete\": true");
  }

  @Test
  void aSecondProcessOnTheSameFolderIsRefused(@TempDir Path dir) {
    try (RunLock held = RunLock.acquire(dir)) {
      assertThatThrownBy(() -> run(plan(), dir, new Recorder()))
          .isInstanceOf(BadInputException.class).hasMessageContaining("in use by another userec process");
    }
  }

  @Test
  void aModelMayStandTwiceUnderNamedSettings(@TempDir Path dir) throws Exception {
    Comparison.Plan plan =
        new Comparison.Plan(
            List.of(
                new Comparison.Entry("LightGCN", config("LightGCN", "n_layers", 1, "reg_weight", 1e-4)),
                new Comparison.Entry("LightGCN@two", "LightGCN", config("LightGCN", "n_layers", 2, "reg_weight", 1e-4))),
            List.of(1L));
    Comparison.Result r = run(plan, dir, new Recorder());
    assertThat(r.rows()).extracting(SeedTable.Row::label).containsExactly("LightGCN", "LightGCN@two");
    assertThat(dir.resolve("LightGCN@two").resolve("seed-1")).isDirectory();
    assertThat(r.rows().get(0).perSeed().get(0).values()).isNotEqualTo(r.rows().get(1).perSeed().get(0).values());
    assertThat(Files.readString(dir.resolve("compare.md"))).contains("| LightGCN@two | ");
    assertThatThrownBy(() -> new Comparison.Plan(List.of(plan.entries().get(1), plan.entries().get(1)), List.of(1L)))
        .isInstanceOf(BadInputException.class).hasMessageContaining("'LightGCN@two' is listed twice");
  }

  @Test
  void moreEpochsContinueButAnotherGridIsRefused(@TempDir Path dir) throws Exception {
    run(plan(), dir, new Recorder());
    Recorder longer = new Recorder();
    run(plan("epochs", 3), dir, longer); // epochs may grow: BPR's points each train one more epoch
    assertThat(longer.epochs).containsEntry("BPR/1", 2).containsEntry("LightGCN/1", 0);
    Comparison.Plan other =
        new Comparison.Plan(List.of(new Comparison.Entry("BPR", config("BPR", "reg_weight", List.of(0.5, 1e-2)))), List.of(1L));
    String table = Files.readString(dir.resolve("compare.md"));
    assertThatThrownBy(() -> run(other, dir, new Recorder()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("holds a run with another config (reg_weight: 0.001 there, 0.5 now)");
    assertThat(Files.readString(dir.resolve("compare.md"))).as("a refused rerun leaves the table").isEqualTo(table);
  }

  @Test
  void aFolderOfAnotherDatasetIsRefused(@TempDir Path dir) {
    run(new Comparison.Plan(List.of(plan().entries().get(1)), List.of(1L)), dir, new Recorder());
    Function<Config, DatasetSpec> otherName = c -> DatasetSpec.of(Path.of("other"), "other");
    assertThatThrownBy(() -> Comparison.run(plan(), otherName, s -> tiny, dir, new Recorder()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("holds a comparison on 'tiny', not 'other'");
  }

  @Test
  void idOnlyModelsShareALoadedMultimodalDataset() {
    DatasetSpec id = DatasetSpec.of(Path.of("tiny"), "tiny");
    DatasetSpec image = id.withModality("image", "image_feat.npy");
    DatasetSpec both = image.withModality("text", "text_feat.npy");
    List<DatasetSpec> loaded = new ArrayList<>();
    Function<DatasetSpec, Dataset> load = s -> {
      loaded.add(s);
      return SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
    };
    List<Dataset> ds = Comparison.datasets(List.of(id, image, id, image), load);
    assertThat(loaded).containsExactly(image);
    assertThat(ds).allSatisfy(d -> assertThat(d).isSameAs(ds.get(0)));

    loaded.clear();
    List<Dataset> two = Comparison.datasets(List.of(id, image, both), load);
    assertThat(loaded).containsExactly(image, both);
    assertThat(two.get(0)).isSameAs(two.get(1));

    loaded.clear();
    Comparison.datasets(List.of(id, image.withInterFileName("other.inter")), load);
    assertThat(loaded).hasSize(2); // other interactions: nothing to share
  }

  @Test
  void aPlanNamesEachModelAndSeedOnce() {
    Comparison.Entry bpr = plan().entries().get(0);
    assertThatThrownBy(() -> new Comparison.Plan(List.of(bpr, bpr), List.of(1L))).hasMessageContaining("'BPR' is listed twice");
    assertThatThrownBy(() -> new Comparison.Plan(List.of(bpr), List.of(1L, 1L))).hasMessageContaining("repeats a seed");
    assertThatThrownBy(() -> new Comparison.Plan(List.of(bpr), List.of())).isInstanceOf(BadInputException.class);
  }
}
