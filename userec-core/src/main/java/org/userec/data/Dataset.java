package org.userec.data;

import java.util.List;

/**
 * A loaded dataset in MMRec's sense: dense 0-based ids, three splits, and one feature table per modality
 * (possibly none). The cold-start filter has already been applied to valid and test when the config asks.
 */
public record Dataset(
    String name,
    int numUsers,
    int numItems,
    Interactions train,
    Interactions valid,
    Interactions test,
    List<FeatureTable> features) {
  public Dataset {
    features = List.copyOf(features);
    for (FeatureTable f : features) {
      if (f.rows() != numItems) {
        throw new IllegalArgumentException("feature " + f.name() + " has " + f.rows() + " rows for " + numItems + " items");
      }
    }
  }

  public FeatureTable feature(String name) {
    for (FeatureTable f : features) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no modality '" + name + "' in dataset " + this.name);
  }
}
