package org.userec.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.eval.DotScorer;
import org.userec.eval.Evaluator;
import org.userec.model.Batch;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.model.Scorer;
import org.userec.run.Experiment;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.util.Parallel;

class TrainerTest {
  private static Dataset tiny;

  @BeforeAll
  static void data() {
    tiny = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
  }

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(Runtime.getRuntime().availableProcessors());
  }

  private static Config config(String model, Map<String, Object> extra) {
    Map<String, Object> v = new java.util.LinkedHashMap<>(extra);
    v.putIfAbsent("hyper_parameters", List.of());
    v.putIfAbsent("train_batch_size", 256);
    return new ConfigLoader().model(model, ModelRegistry.names()).values("test", v).build();
  }

  private static Config lightGcn(int epochs) {
    return config("LightGCN", Map.of("n_layers", 2, "reg_weight", 1e-4, "epochs", epochs, "learning_rate", 0.01));
  }

  private static List<Double> trace(TrainResult r) {
    List<Double> out = new ArrayList<>();
    for (EpochRecord e : r.history()) {
      out.add(e.loss());
      out.add(e.valid().get("recall@20"));
      out.add(e.test().get("ndcg@20"));
    }
    return out;
  }

  @Test
  void sameSeedSameRun(@TempDir Path dir) {
    TrainResult a = Experiment.trainOne("LightGCN", lightGcn(4), tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("LightGCN", lightGcn(4), tiny, dir.resolve("b"), List.of());
    assertThat(trace(a)).isEqualTo(trace(b));
    assertThat(a.epochsRun()).isEqualTo(4);
    assertThat(a.history().get(3).loss()).isLessThan(a.history().get(0).loss());
  }

  @Test
  void otherSeedOtherRun(@TempDir Path dir) {
    TrainResult a = Experiment.trainOne("LightGCN", lightGcn(2), tiny, dir.resolve("a"), List.of());
    TrainResult b = Experiment.trainOne("LightGCN", lightGcn(2).with("seed", 1), tiny, dir.resolve("b"), List.of());
    assertThat(trace(a)).isNotEqualTo(trace(b));
  }

  @Test
  void threadCountDoesNotChangeTheRun(@TempDir Path dir) {
    Parallel.setThreads(1);
    TrainResult one = Experiment.trainOne("LightGCN", lightGcn(3), tiny, dir.resolve("one"), List.of());
    Parallel.setThreads(2);
    TrainResult two = Experiment.trainOne("LightGCN", lightGcn(3), tiny, dir.resolve("two"), List.of());
    assertThat(trace(one)).isEqualTo(trace(two));
  }

  /** Crashes inside an epoch's batches, like a kill in the middle of an epoch. */
  private static final class Crash implements TrainListener {
    private final int epoch;

    Crash(int epoch) {
      this.epoch = epoch;
    }

    @Override
    public void onBatch(int e, int batch, int batches, double loss) {
      if (e == epoch && batch == 1) {
        throw new IllegalStateException("simulated crash");
      }
    }
  }

  @Test
  void resumeAfterACrashReachesTheSameResult(@TempDir Path dir) {
    Config cfg = lightGcn(6);
    TrainResult full = Experiment.trainOne("LightGCN", cfg, tiny, dir.resolve("full"), List.of());
    Path run = dir.resolve("crashed");
    assertThatThrownBy(() -> Experiment.trainOne("LightGCN", cfg, tiny, run, List.of(new Crash(3))))
        .hasMessageContaining("simulated crash");
    assertThat(run.resolve(RunFolder.CHECKPOINT)).exists();
    TrainResult resumed = Experiment.trainOne("LightGCN", cfg, tiny, run, List.of());
    assertThat(trace(resumed)).isEqualTo(trace(full));
    assertThat(resumed.testAtBest().values()).isEqualTo(full.testAtBest().values());
    assertThat(resumed.bestEpoch()).isEqualTo(full.bestEpoch());
    assertThat(run.resolve(RunFolder.RESULTS_JSON)).exists();
    assertThat(run.resolve(RunFolder.BEST)).exists();
  }

  @Test
  void runFolderHoldsTheRecord(@TempDir Path dir) throws Exception {
    Path run = dir.resolve("r");
    TrainResult r = Experiment.trainOne("BPR", config("BPR", Map.of("reg_weight", 1e-3, "epochs", 3)), tiny, run, List.of());
    assertThat(Files.readString(run.resolve("config.yaml"))).contains("reg_weight: 0.001");
    List<String> log = Files.readAllLines(run.resolve(RunFolder.LOG));
    assertThat(log).hasSize(4);
    assertThat(log.get(0)).startsWith("epoch\tloss").contains("valid_recall@20", "test_ndcg@20");
    String json = Files.readString(run.resolve(RunFolder.RESULTS_JSON));
    assertThat(json).contains("\"best_epoch\": " + r.bestEpoch()).contains("\"recall@20\"");
    assertThat(Files.readString(run.resolve("results.md"))).contains("| recall@5 |");
  }

  /** A model whose score never changes: validation never improves after epoch 0. */
  private static final class Frozen implements Recommender {
    final Param p = new Param("p", 1, 1);
    final float lossValue;

    Frozen(float lossValue) {
      this.lossValue = lossValue;
    }

    @Override
    public List<Param> params() {
      return List.of(p);
    }

    @Override
    public Tensor loss(Batch batch, Tape t, RandomGenerator rng) {
      return t.add(t.scale(t.sumSquares(p), 0f), Tensor.scalar(lossValue));
    }

    @Override
    public Scorer scorer() {
      float[] u = new float[tiny.numUsers()];
      float[] i = new float[tiny.numItems()];
      for (int k = 0; k < i.length; k++) {
        i[k] = k % 7;
      }
      java.util.Arrays.fill(u, 1f);
      return new DotScorer(u, i, 1);
    }
  }

  @Test
  void earlyStoppingCountsEvaluationsWithoutStrictImprovement() {
    TrainSettings s = TrainSettings.from(config("BPR", Map.of("reg_weight", 0.0, "epochs", 50, "stopping_step", 2)));
    TrainResult r = new Trainer(s, tiny, new Evaluator(tiny, s.topK()), List.of(), null).fit(new Frozen(1f));
    assertThat(r.bestEpoch()).isZero();
    assertThat(r.epochsRun()).isEqualTo(4); // epoch 0 best, then 3 stale evaluations (> 2) stop
    assertThat(r.stoppedEarly()).isTrue();
  }

  @Test
  void anEarlyStoppedRunResumesWithoutTraining(@TempDir Path dir) {
    Config cfg = config("BPR", Map.of("reg_weight", 0.0, "epochs", 50, "stopping_step", 2));
    TrainSettings s = TrainSettings.from(cfg);
    Evaluator ev = new Evaluator(tiny, s.topK());
    RunFolder folder = new RunFolder(dir, cfg, true);
    Frozen model = new Frozen(1f);
    TrainResult r = new Trainer(s, tiny, ev, List.of(folder), folder).fit(model);
    assertThat(r.stoppedEarly()).isTrue();
    assertThat(r.epochsRun()).isEqualTo(4);

    TrainResult recorded = RunFolder.finished(dir, 50);
    assertThat(recorded).isNotNull();
    assertThat(recorded.stoppedEarly()).isTrue();
    assertThat(recorded.epochsRun()).isEqualTo(4);
    assertThat(recorded.bestEpoch()).isZero();
    assertThat(recorded.testAtBest().values()).isEqualTo(r.testAtBest().values());
    assertThat(recorded.history()).hasSize(4);

    // restored from its checkpoint, the stopped run trains no further epoch (it used to train one more)
    int[] epochs = {0};
    TrainListener counter =
        new TrainListener() {
          @Override
          public void onEpoch(EpochRecord e, TrainerState state) {
            epochs[0]++;
          }
        };
    org.userec.optim.Adam adam = Trainer.newOptimizer(model, s);
    TrainerState restored = folder.restore(model, adam);
    TrainResult again = new Trainer(s, tiny, ev, List.of(counter), null).fit(model, adam, restored);
    assertThat(epochs[0]).isZero();
    assertThat(again.epochsRun()).isEqualTo(4);
    assertThat(again.stoppedEarly()).isTrue();
    assertThat(RunFolder.finished(dir.resolve("none"), 50)).isNull();
  }

  @Test
  void aCheckpointOfAnotherConfigIsNotResumed(@TempDir Path dir) {
    Path run = dir.resolve("r");
    Experiment.trainOne("LightGCN", lightGcn(2), tiny, run, List.of());
    TrainResult longer = Experiment.trainOne("LightGCN", lightGcn(3), tiny, run, List.of()); // epochs may change
    assertThat(longer.epochsRun()).isEqualTo(3);
    assertThatThrownBy(() -> Experiment.trainOne("LightGCN", lightGcn(3).with("n_layers", 3), tiny, run, List.of()))
        .isInstanceOf(org.userec.BadInputException.class)
        .hasMessageContaining("n_layers: 2 there, 3 now");
  }

  @Test
  void nanLossStopsWithEpochAndBatch() {
    TrainSettings s = TrainSettings.from(config("BPR", Map.of("reg_weight", 0.0, "epochs", 5)));
    Trainer t = new Trainer(s, tiny, new Evaluator(tiny, s.topK()), List.of(), null);
    assertThatThrownBy(() -> t.fit(new Frozen(Float.NaN)))
        .isInstanceOf(TrainingDivergedException.class)
        .hasMessageContaining("epoch 0, batch 0")
        .hasMessageContaining("lower learning_rate");
  }

  @Test
  void learningRateScheduleIsMmrecs() {
    TrainSettings s = TrainSettings.from(config("BPR", Map.of("learning_rate_scheduler", List.of(0.96, 50), "learning_rate", 0.001)));
    assertThat(s.learningRateAt(0)).isEqualTo(0.001);
    assertThat(s.learningRateAt(50)).isCloseTo(0.00096, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.learningRateAt(25)).isCloseTo(0.001 * Math.sqrt(0.96), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void negativesAreNeverTrainingPositives() {
    NegativeSampler ns = new NegativeSampler(tiny.train(), tiny.numUsers(), tiny.numItems());
    RandomGenerator rng = org.userec.util.Seeds.rng(1, "t");
    for (int u = 0; u < tiny.numUsers(); u++) {
      for (int k = 0; k < 20; k++) {
        int j = ns.sample(u, rng);
        assertThat(ns.isPositive(u, j)).isFalse();
      }
    }
  }

  @Test
  void touchReadsEachUsersFirstItemAndChangesNoDraw() {
    NegativeSampler ns = new NegativeSampler(tiny.train(), tiny.numUsers(), tiny.numItems());
    int[] users = {0, 1, 0};
    int expected = 0;
    for (int u : users) {
      int[] its = ns.trainItemsOf(u);
      expected += its.length == 0 ? 0 : its[0];
    }
    assertThat(ns.touch(users)).isEqualTo(expected);
    RandomGenerator a = org.userec.util.Seeds.rng(5, "t");
    RandomGenerator b = org.userec.util.Seeds.rng(5, "t");
    for (int k = 0; k < 50; k++) {
      int u = k % tiny.numUsers();
      int plain = ns.sample(u, a);
      ns.touch(new int[] {u});
      assertThat(ns.sample(u, b)).isEqualTo(plain);
    }
  }
}
