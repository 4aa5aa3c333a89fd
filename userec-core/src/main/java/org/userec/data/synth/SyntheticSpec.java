package org.userec.data.synth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@link SyntheticGenerator} makes: a seeded synthetic dataset in MMRec's format, with a latent-factor
 * interaction model, power-law item popularity and one noisy non-linear feature view per modality.
 *
 * <p>The model behind the numbers: user factors p_u and item factors z_i are standard Gaussian in
 * {@code latentDim} dimensions; the affinity of (u, i) is a = p_u·z_i / √latentDim (about N(0, 1)); item i
 * has popularity weight (rank_i + q)^(−popularityExponent) for a random rank (q = 1 + 0.003 × items); a user picks items without
 * replacement with probability ∝ popularity × exp(a / affinityTemperature). Each modality's features are
 * tanh(W z_i + b) plus Gaussian noise of standard deviation {@code featureNoise}.
 *
 * @param name dataset name: the folder's {@code <name>.inter} and {@code <name>.yaml}
 * @param users number of users (ids 0..users−1); every user gets at least 5 interactions
 * @param items number of items (ids 0..items−1); every item gets at least one interaction, and at least 5
 *     when there are enough interactions (interactions ≥ 5 × items)
 * @param interactions the exact number of (user, item) rows written, over all three splits
 * @param latentDim dimension of the user and item factors
 * @param popularityExponent Zipf exponent of item popularity (0 = uniform; about 0.5–1.2 is realistic)
 * @param affinityTemperature how strongly the latent affinity drives choices (smaller = stronger signal)
 * @param modalities feature views to write, one {@code <modality>_feat.npy} each (may be empty)
 * @param featureNoise standard deviation of the Gaussian noise added to each feature value
 * @param seed the one seed every random draw derives from
 */
public record SyntheticSpec(
    String name,
    int users,
    int items,
    int interactions,
    int latentDim,
    double popularityExponent,
    double affinityTemperature,
    List<Modality> modalities,
    double featureNoise,
    long seed) {

  /** The fewest interactions each user gets (MMRec's datasets are 5-cores). */
  public static final int MIN_PER_USER = 5;

  /** Default seed, MMRec's. */
  public static final long DEFAULT_SEED = 999L;

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  /** One feature view: written as {@code <name>_feat.npy}, items × dim float32. */
  public record Modality(String name, int dim) {
    public Modality {
      if (name == null || !SAFE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "modality name '" + name + "' must be letters, digits, '_', '.' or '-' (it names a file)");
      }
      if (dim < 1) {
        throw new IllegalArgumentException("modality " + name + ": dim must be >= 1, got " + dim);
      }
    }

    /** The feature file's name in the dataset folder. */
    public String fileName() {
      return name + "_feat.npy";
    }
  }

  public SyntheticSpec {
    if (name == null || !SAFE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "dataset name '" + name + "' must be letters, digits, '_', '.' or '-' (it names files)");
    }
    if (users < 1) {
      throw new IllegalArgumentException(name + ": users must be >= 1, got " + users);
    }
    if (items < MIN_PER_USER) {
      throw new IllegalArgumentException(
          name + ": items must be >= " + MIN_PER_USER + " (each user needs " + MIN_PER_USER + " distinct items), got " + items);
    }
    if ((long) users * MIN_PER_USER > interactions) {
      throw new IllegalArgumentException(
          name + ": " + interactions + " interactions cannot give " + users + " users " + MIN_PER_USER
              + " each; use at least " + (long) users * MIN_PER_USER);
    }
    if (interactions < items) {
      throw new IllegalArgumentException(
          name + ": " + interactions + " interactions cannot give each of " + items + " items one; use at least " + items);
    }
    if ((long) interactions > (long) users * items) {
      throw new IllegalArgumentException(
          name + ": " + interactions + " interactions exceed users x items = " + (long) users * items
              + " distinct pairs");
    }
    if (latentDim < 1) {
      throw new IllegalArgumentException(name + ": latentDim must be >= 1, got " + latentDim);
    }
    if (!(popularityExponent >= 0) || !Double.isFinite(popularityExponent)) {
      throw new IllegalArgumentException(
          name + ": popularityExponent must be finite and >= 0, got " + popularityExponent);
    }
    if (!(affinityTemperature > 0) || !Double.isFinite(affinityTemperature)) {
      throw new IllegalArgumentException(
          name + ": affinityTemperature must be finite and > 0, got " + affinityTemperature);
    }
    if (!(featureNoise >= 0) || !Double.isFinite(featureNoise)) {
      throw new IllegalArgumentException(name + ": featureNoise must be finite and >= 0, got " + featureNoise);
    }
    if (modalities == null) {
      throw new IllegalArgumentException(name + ": modalities must not be null (use an empty list for none)");
    }
    modalities = List.copyOf(modalities);
    Set<String> seen = new HashSet<>();
    for (Modality m : modalities) {
      if (!seen.add(m.name())) {
        throw new IllegalArgumentException(name + ": modality '" + m.name() + "' appears twice");
      }
    }
  }

  /** The preset names {@link #preset} knows. */
  public static List<String> presetNames() {
    return List.of("tiny", "small", "baby", "elec");
  }

  /** A preset by name (case-insensitive): tiny, small, baby or elec. */
  public static SyntheticSpec preset(String preset) {
    switch (preset.toLowerCase(Locale.ROOT)) {
      case "tiny":
        return tiny();
      case "small":
        return small();
      case "baby":
        return baby();
      case "elec":
        return elec();
      default:
        throw new IllegalArgumentException("unknown synthetic preset '" + preset + "'; known: " + presetNames());
    }
  }

  /**
   * For tests: 200 users, 100 items, 2,000 interactions, features 32-d and 16-d; popularity exponent 1.2 so
   * the skew shows despite so few items (top 10% of items hold about a third of the rows). Milliseconds.
   */
  public static SyntheticSpec tiny() {
    return new SyntheticSpec(
        "tiny", 200, 100, 2_000, 16, 1.2, 0.5, modalities(32, 16), 0.3, DEFAULT_SEED);
  }

  /** For the demo: 3,000 users, 1,500 items, 30,000 interactions, features 128-d and 64-d. */
  public static SyntheticSpec small() {
    return new SyntheticSpec(
        "small", 3_000, 1_500, 30_000, 16, 0.75, 0.5, modalities(128, 64), 0.3, DEFAULT_SEED);
  }

  /** Amazon Baby's shape (19,445 users, 7,050 items, 160,792 interactions), features 768-d and 384-d. */
  public static SyntheticSpec baby() {
    return new SyntheticSpec(
        "baby", 19_445, 7_050, 160_792, 16, 0.75, 0.5, modalities(768, 384), 0.3, DEFAULT_SEED);
  }

  /**
   * Amazon Elec's shape (192,403 users, 63,001 items, 1,689,188 interactions), features 256-d and 128-d to
   * keep the files moderate (use {@link #withFeatureDims} for MMRec's 4096/384).
   */
  public static SyntheticSpec elec() {
    return new SyntheticSpec(
        "elec", 192_403, 63_001, 1_689_188, 16, 0.75, 0.5, modalities(256, 128), 0.3, DEFAULT_SEED);
  }

  /** The usual two views, {@code image} and {@code text}, of the given dimensions. */
  public static List<Modality> modalities(int imageDim, int textDim) {
    return List.of(new Modality("image", imageDim), new Modality("text", textDim));
  }

  public SyntheticSpec withName(String newName) {
    return new SyntheticSpec(newName, users, items, interactions, latentDim, popularityExponent,
        affinityTemperature, modalities, featureNoise, seed);
  }

  public SyntheticSpec withSeed(long newSeed) {
    return new SyntheticSpec(name, users, items, interactions, latentDim, popularityExponent,
        affinityTemperature, modalities, featureNoise, newSeed);
  }

  public SyntheticSpec withModalities(List<Modality> newModalities) {
    return new SyntheticSpec(name, users, items, interactions, latentDim, popularityExponent,
        affinityTemperature, newModalities, featureNoise, seed);
  }

  /** Same modality names, new dimensions, in order (e.g. {@code withFeatureDims(4096, 384)}). */
  public SyntheticSpec withFeatureDims(int... dims) {
    if (dims.length != modalities.size()) {
      throw new IllegalArgumentException(
          name + ": " + dims.length + " dims given for " + modalities.size() + " modalities " + modalityNames());
    }
    List<Modality> out = new ArrayList<>();
    for (int k = 0; k < dims.length; k++) {
      out.add(new Modality(modalities.get(k).name(), dims[k]));
    }
    return withModalities(out);
  }

  public SyntheticSpec withFeatureNoise(double noise) {
    return new SyntheticSpec(name, users, items, interactions, latentDim, popularityExponent,
        affinityTemperature, modalities, noise, seed);
  }

  public SyntheticSpec withPopularityExponent(double exponent) {
    return new SyntheticSpec(name, users, items, interactions, latentDim, exponent,
        affinityTemperature, modalities, featureNoise, seed);
  }

  public SyntheticSpec withAffinityTemperature(double temperature) {
    return new SyntheticSpec(name, users, items, interactions, latentDim, popularityExponent,
        temperature, modalities, featureNoise, seed);
  }

  public SyntheticSpec withLatentDim(int dim) {
    return new SyntheticSpec(name, users, items, interactions, dim, popularityExponent,
        affinityTemperature, modalities, featureNoise, seed);
  }

  /** Same shape ratios at another size: users, items and interactions all become the given counts. */
  public SyntheticSpec withSize(int newUsers, int newItems, int newInteractions) {
    return new SyntheticSpec(name, newUsers, newItems, newInteractions, latentDim, popularityExponent,
        affinityTemperature, modalities, featureNoise, seed);
  }

  public List<String> modalityNames() {
    return modalities.stream().map(Modality::name).toList();
  }

  /** One line for logs and the yaml header. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(name).append(": ").append(users).append(" users, ").append(items).append(" items, ")
        .append(interactions).append(" interactions, latentDim ").append(latentDim)
        .append(", popularityExponent ").append(popularityExponent)
        .append(", affinityTemperature ").append(affinityTemperature)
        .append(", featureNoise ").append(featureNoise).append(", modalities [");
    for (int k = 0; k < modalities.size(); k++) {
      if (k > 0) {
        b.append(", ");
      }
      b.append(modalities.get(k).name()).append(' ').append(modalities.get(k).dim());
    }
    return b.append("], seed ").append(seed).toString();
  }
}
