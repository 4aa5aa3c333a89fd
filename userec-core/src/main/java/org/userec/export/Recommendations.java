package org.userec.export;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.userec.eval.DotScorer;
import org.userec.eval.TopK;
import org.userec.util.Parallel;

/**
 * Top-k lists from an exported model, ranked as the evaluator ranks (PROTOCOL.md): score = user · item, the
 * user's training items masked to −∞, higher score first, equal scores by lower item id ({@link TopK}), and
 * scores computed by the same kernel in blocks of users, so a list here equals the evaluator's list for the same
 * parameters. A user with fewer than k unmasked items gets masked items at the end (as {@code torch.topk}).
 */
public final class Recommendations {
  /** Users scored together: ~4 MiB of scores per block, as the evaluator. */
  static int blockUsers(int numItems) {
    return Math.max(64, Math.min(1024, (1 << 20) / Math.max(1, numItems)));
  }

  private Recommendations() {}

  /**
   * The k best items of each user (internal ids), best first; {@code scores}, when given, receives each
   * list's scores (−∞ for masked items). Blocks of users run on all the team's threads; {@code progress}
   * hears the number of users finished after each block (from any thread).
   */
  public static int[][] forUsers(ExportedModel m, int[] users, int k, float[][] scores, IntConsumer progress) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    for (int u : users) {
      if (u < 0 || u >= m.numUsers()) {
        throw new IllegalArgumentException("user " + u + " out of range [0, " + m.numUsers() + ")");
      }
    }
    DotScorer scorer = new DotScorer(m.users(), m.items(), m.dim());
    int n = m.numItems();
    int len = Math.min(k, n);
    int block = Math.min(blockUsers(n), Math.max(1, users.length));
    int blocks = (users.length + block - 1) / block;
    int[][] out = new int[users.length][];
    AtomicInteger done = new AtomicInteger();
    Parallel.forRange(blocks, 1, (from, to) -> {
      float[] buf = new float[block * n];
      TopK sel = new TopK(len);
      for (int b = from; b < to; b++) {
        int first = b * block;
        int rows = Math.min(block, users.length - first);
        int[] ids = java.util.Arrays.copyOfRange(users, first, first + rows);
        scorer.score(ids, buf);
        for (int r = 0; r < rows; r++) {
          int[] top = new int[len];
          int off = r * n;
          for (int item : m.trainItems()[ids[r]]) {
            buf[off + item] = Float.NEGATIVE_INFINITY;
          }
          sel.select(buf, off, n, top, 0);
          out[first + r] = top;
          if (scores != null) {
            float[] s = new float[len];
            for (int q = 0; q < len; q++) {
              s[q] = buf[off + top[q]];
            }
            scores[first + r] = s;
          }
        }
        if (progress != null) {
          progress.accept(done.addAndGet(rows));
        }
      }
    });
    return out;
  }

  /** Every user id, 0 … numUsers−1. */
  public static int[] allUsers(ExportedModel m) {
    int[] u = new int[m.numUsers()];
    for (int k = 0; k < u.length; k++) {
      u[k] = k;
    }
    return u;
  }
}
