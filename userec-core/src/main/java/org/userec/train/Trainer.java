package org.userec.train;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.userec.data.Dataset;
import org.userec.eval.EvalResult;
import org.userec.eval.Evaluator;
import org.userec.model.Batch;
import org.userec.model.Recommender;
import org.userec.optim.Adam;
import org.userec.tensor.ArrayPool;
import org.userec.tensor.Param;
import org.userec.tensor.Tape;
import org.userec.tensor.Tensor;
import org.userec.util.Seeds;

/**
 * MMRec's training loop (PROTOCOL.md, MMRec {@code common/trainer.py}): per epoch the model's pre-epoch hook,
 * a shuffle of the training rows, batches with one fresh negative per row, zero-grad → loss → backward →
 * (clip) → Adam step; the learning rate follows a^(epoch/b); validation and test every {@code eval_step}
 * epochs from one scoring pass; early stopping on strict improvement of the validation metric, stopping when
 * evaluations without improvement exceed {@code stopping_step}.
 *
 * <p>Every random draw comes from a generator derived from (seed, component, epoch), so an epoch is the same
 * whether the run started fresh or resumed from a checkpoint at its start.
 */
public final class Trainer {
  /** Persists the state after each epoch (a run folder); may be null. */
  public interface CheckpointSink {
    void save(TrainerState state, Recommender model, Adam optimizer);
  }

  private final TrainSettings settings;
  private final Dataset dataset;
  private final Evaluator evaluator;
  private final List<TrainListener> listeners;
  private final CheckpointSink checkpoints;
  private final NegativeSampler sampler;
  /** Work arrays reused batch after batch (see ArrayPool). */
  private final ArrayPool pool = new ArrayPool();
  /** Nanoseconds per phase of the last trained epoch (for {@code userec bench}). */
  private final long[] phaseNanos = new long[4];
  /** Kept so that the compiler keeps {@link NegativeSampler#touch}'s loads. */
  private int touched;

  /** Wall seconds the last trained epoch spent per phase: batch and negative sampling, forward, backward, optimizer. */
  public record EpochPhases(double sampling, double forward, double backward, double optimizer) {}

  public EpochPhases lastEpochPhases() {
    return new EpochPhases(phaseNanos[0] / 1e9, phaseNanos[1] / 1e9, phaseNanos[2] / 1e9, phaseNanos[3] / 1e9);
  }

  public Trainer(
      TrainSettings settings, Dataset dataset, Evaluator evaluator, List<TrainListener> listeners, CheckpointSink checkpoints) {
    this.settings = settings;
    this.dataset = dataset;
    this.evaluator = evaluator;
    this.listeners = List.copyOf(listeners);
    this.checkpoints = checkpoints;
    this.sampler = new NegativeSampler(dataset.train(), dataset.numUsers(), dataset.numItems());
  }

  public static Adam newOptimizer(Recommender model, TrainSettings s) {
    return new Adam(model.params(), Adam.Options.of(s.learningRate()).withWeightDecay(s.weightDecay()));
  }

  /** Trains from scratch. */
  public TrainResult fit(Recommender model) {
    return fit(model, newOptimizer(model, settings), new TrainerState());
  }

  /** Trains from a state (fresh or restored from a checkpoint together with the optimizer). */
  public TrainResult fit(Recommender model, Adam adam, TrainerState state) {
    int n = dataset.train().size();
    int batches = (n + settings.batchSize() - 1) / settings.batchSize();
    for (TrainListener l : listeners) {
      l.onStart(model, state.nextEpoch, batches);
    }
    long runStart = System.nanoTime();
    double before = state.secondsSoFar;
    while (!state.stopped && state.nextEpoch < settings.epochs()) {
      int epoch = state.nextEpoch;
      long t0 = System.nanoTime();
      double lr = settings.learningRateAt(epoch);
      adam.setLearningRate(lr);
      double loss = trainEpoch(model, adam, epoch, batches);
      double trainSec = (System.nanoTime() - t0) / 1e9;

      EvalResult eval = null;
      boolean improved = false;
      double evalSec = 0;
      if ((epoch + 1) % settings.evalStep() == 0) {
        long e0 = System.nanoTime();
        eval = evaluator.evaluate(model.scorer());
        evalSec = (System.nanoTime() - e0) / 1e9;
        double score = eval.valid().get(settings.validMetric());
        if (score > state.bestScore) {
          state.bestScore = score;
          state.bestEpoch = epoch;
          state.staleEvaluations = 0;
          state.bestValid = eval.valid();
          state.testAtBest = eval.test();
          improved = true;
        } else {
          state.staleEvaluations++;
          if (state.staleEvaluations > settings.stoppingStep()) {
            state.stopped = true;
          }
        }
      }
      EpochRecord rec =
          new EpochRecord(epoch, loss, lr, trainSec, evalSec, eval == null ? null : eval.valid(), eval == null ? null : eval.test(), improved);
      state.history.add(rec);
      state.nextEpoch = epoch + 1;
      state.secondsSoFar = before + (System.nanoTime() - runStart) / 1e9;
      for (TrainListener l : listeners) {
        l.onEpoch(rec, state);
      }
      if (checkpoints != null) {
        checkpoints.save(state, model, adam);
      }
    }
    TrainResult result = state.result();
    for (TrainListener l : listeners) {
      l.onEnd(result);
    }
    return result;
  }

  /** Number of batches per epoch. */
  public int batchesPerEpoch() {
    return (dataset.train().size() + settings.batchSize() - 1) / settings.batchSize();
  }

  /** Trains one epoch (no evaluation) and returns the summed batch loss; used by fit and by benchmarks. */
  public double trainEpoch(Recommender model, Adam adam, int epoch) {
    adam.setLearningRate(settings.learningRateAt(epoch));
    return trainEpoch(model, adam, epoch, batchesPerEpoch());
  }

  private double trainEpoch(Recommender model, Adam adam, int epoch, int batches) {
    long seed = settings.seed();
    model.beforeEpoch(epoch, Seeds.rng(seed, "pre-epoch", epoch));
    int[] order = permutation(dataset.train().size(), Seeds.rng(seed, "shuffle", epoch));
    SplittableRandom negRng = Seeds.rng(seed, "negatives", epoch);
    SplittableRandom modelRng = Seeds.rng(seed, "model", epoch);
    int[] users = dataset.train().users();
    int[] items = dataset.train().items();
    int bs = settings.batchSize();
    double total = 0;
    adam.zeroGrad(); // then each step zeroes the gradients it has read, for the next batch
    Arrays.fill(phaseNanos, 0);
    for (int b = 0; b < batches; b++) {
      long t0 = System.nanoTime();
      int from = b * bs;
      int to = Math.min(order.length, from + bs);
      int m = to - from;
      int[] bu = new int[m];
      int[] bp = new int[m];
      int[] bn = new int[m];
      for (int k = 0; k < m; k++) {
        int row = order[from + k];
        bu[k] = users[row];
        bp[k] = items[row];
      }
      touched += sampler.touch(bu); // the users' item lists, fetched side by side before the searches
      for (int k = 0; k < m; k++) {
        bn[k] = sampler.sample(bu[k], negRng);
      }
      long t1 = System.nanoTime();
      Tape tape = Tape.recording(pool);
      Tensor loss = model.loss(new Batch(bu, bp, bn), tape, modelRng);
      float v = loss.item();
      long t2 = System.nanoTime();
      if (!Float.isFinite(v)) {
        throw new TrainingDivergedException(
            "loss is " + v + " at epoch " + epoch + ", batch " + b + " of " + batches + " (learning rate " + adam.learningRate()
                + "); lower learning_rate, raise reg_weight, or set clip_grad_norm");
      }
      tape.backward(loss);
      long t3 = System.nanoTime();
      if (settings.clipGradNorm() > 0) {
        clipGradNorm(model.params(), settings.clipGradNorm());
      }
      adam.stepThenZeroGrad();
      long t4 = System.nanoTime();
      phaseNanos[0] += t1 - t0;
      phaseNanos[1] += t2 - t1;
      phaseNanos[2] += t3 - t2;
      phaseNanos[3] += t4 - t3;
      total += v;
      for (TrainListener l : listeners) {
        l.onBatch(epoch, b, batches, v);
      }
    }
    return total;
  }

  /** torch.nn.utils.clip_grad_norm_: scale all gradients by max_norm / (total_norm + 1e-6) when above it. */
  static void clipGradNorm(List<Param> params, double maxNorm) {
    double sq = 0;
    for (Param p : params) {
      float[] g = p.grad();
      if (g != null) {
        for (float x : g) {
          sq += (double) x * x;
        }
      }
    }
    double norm = Math.sqrt(sq);
    double coef = maxNorm / (norm + 1e-6);
    if (coef < 1) {
      for (Param p : params) {
        float[] g = p.grad();
        if (g != null) {
          for (int i = 0; i < g.length; i++) {
            g[i] *= (float) coef;
          }
        }
      }
    }
  }

  /** A Fisher–Yates permutation of [0, n). */
  static int[] permutation(int n, SplittableRandom rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
