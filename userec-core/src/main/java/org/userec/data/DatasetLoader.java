package org.userec.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.userec.BadInputException;

/**
 * Loads a {@link Dataset} the way MMRec's {@code RecDataset} does ({@code utils/dataset.py}): user and item
 * counts are max id + 1 over the whole {@code .inter} file; rows are split by their label, keeping file
 * order; with {@code filter_out_cod_start_users} the validation and test rows of users who have no training
 * row are dropped; each modality's {@code .npy} must have one row per item, in id order.
 *
 * <p>All paths are checked before anything is parsed, so a missing feature file is reported at once.
 */
public final class DatasetLoader {
  private DatasetLoader() {}

  /** A loaded dataset and its statistics (which also count the rows the cold-start filter dropped). */
  public record Loaded(Dataset dataset, DatasetStats stats) {}

  public static Dataset load(DatasetSpec spec) {
    return loadWithStats(spec).dataset();
  }

  public static Loaded loadWithStats(DatasetSpec spec) {
    Path folder = spec.folder();
    if (!Files.isDirectory(folder)) {
      throw new BadInputException(folder + ": dataset folder not found" + (Files.exists(folder) ? " (it is a file)" : "")
          + "; set data_path so that it holds the folder '" + spec.name() + "' with " + spec.interFileName());
    }
    Path inter = spec.interFile();
    if (Files.isDirectory(inter)) {
      throw new BadInputException(inter + ": is a folder, not an .inter file; move the interaction file to " + inter
          + " or set inter_file_name to the file's name");
    }
    if (!Files.isRegularFile(inter)) {
      throw new BadInputException(inter + ": interaction file not found; set inter_file_name (now '" + spec.interFileName()
          + "') to the .inter file in " + folder + listing(folder, ".inter"));
    }
    List<Path> featurePaths = new ArrayList<>();
    for (DatasetSpec.Modality m : spec.modalities()) {
      Path p = folder.resolve(m.fileName());
      if (!Files.isRegularFile(p)) {
        throw new BadInputException(p + ": feature file for modality '" + m.name() + "' not found; set " + m.configKey()
            + " (now '" + m.fileName() + "') to the .npy file in " + folder + listing(folder, ".npy")
            + ", or leave the modality out (a model without features, or 'stats --no-features')");
      }
      featurePaths.add(p);
    }

    InterFile rows = InterFileReader.read(inter, spec.columns(),
        spec.dropDuplicateInteractions() ? InterFileReader.Duplicates.KEEP_FIRST : InterFileReader.Duplicates.REJECT);
    Interactions train = rows.split(InterFile.TRAIN);
    Interactions valid = rows.split(InterFile.VALID);
    Interactions test = rows.split(InterFile.TEST);
    DatasetStats.SplitSizes inFile = new DatasetStats.SplitSizes(train.size(), valid.size(), test.size());
    if (spec.filterColdStartUsers()) {
      boolean[] hasTrain = new boolean[rows.numUsers()];
      for (int u : train.users()) {
        hasTrain[u] = true;
      }
      valid = dropUsersWithoutTrain(valid, hasTrain);
      test = dropUsersWithoutTrain(test, hasTrain);
    }

    List<FeatureTable> features = new ArrayList<>();
    for (int k = 0; k < featurePaths.size(); k++) {
      DatasetSpec.Modality m = spec.modalities().get(k);
      Path p = featurePaths.get(k);
      NpyReader.Header h = NpyReader.readHeader(p);
      if (h.rows() != rows.numItems()) {
        throw new BadInputException(p + ": " + h.rows() + " feature rows (shape " + h.rows() + "x" + h.cols() + ") but the dataset has "
            + rows.numItems() + " items (max " + spec.itemField() + " + 1 in " + spec.interFileName()
            + "); row i must hold item i's features: use the feature file made with this dataset's item id map (" + m.configKey() + ")");
      }
      features.add(NpyReader.read(p, m.name()));
    }
    Dataset dataset = new Dataset(spec.name(), rows.numUsers(), rows.numItems(), train, valid, test, features);
    return new Loaded(dataset, DatasetStats.of(dataset, inFile));
  }

  /**
   * The rows of {@code split} whose user has a training row, in order (MMRec's {@code
   * filter_out_cod_start_users}).
   */
  public static Interactions dropUsersWithoutTrain(Interactions split, boolean[] hasTrain) {
    int n = 0;
    for (int u : split.users()) {
      if (hasTrain[u]) {
        n++;
      }
    }
    if (n == split.size()) {
      return split;
    }
    int[] users = new int[n];
    int[] items = new int[n];
    int w = 0;
    for (int k = 0; k < split.size(); k++) {
      int u = split.users()[k];
      if (hasTrain[u]) {
        users[w] = u;
        items[w] = split.items()[k];
        w++;
      }
    }
    return new Interactions(users, items);
  }

  private static String listing(Path folder, String suffix) {
    try (Stream<Path> s = Files.list(folder)) {
      List<String> names = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(suffix)).sorted().limit(10).toList();
      return names.isEmpty() ? " (it holds no " + suffix + " file)" : " (it holds " + String.join(", ", names) + ")";
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }
}
