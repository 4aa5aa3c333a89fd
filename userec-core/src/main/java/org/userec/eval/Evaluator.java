package org.userec.eval;

import org.userec.data.Dataset;
import org.userec.model.Scorer;

/**
 * Full-ranking evaluation (PROTOCOL.md): every item scored for every evaluated user, training items masked
 * to −∞, top max(K) kept with ties broken by lower item id, Recall/NDCG/Precision/MAP at each K. One scoring
 * pass serves validation and test. Users are scored in blocks, so memory stays O(block · items).
 *
 * <p>TODO(eval helper): implement.
 */
public final class Evaluator {
  private final Dataset dataset;
  private final int[] topK;

  public Evaluator(Dataset dataset, int[] topK) {
    this.dataset = dataset;
    this.topK = topK.clone();
  }

  public EvalResult evaluate(Scorer scorer) {
    throw new UnsupportedOperationException("Evaluator.evaluate");
  }
}
