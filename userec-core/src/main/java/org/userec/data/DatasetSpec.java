package org.userec.data;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.userec.BadInputException;

/**
 * Where a dataset lives and how to read it, in MMRec's terms: the folder ({@code data_path} + dataset
 * name), the {@code .inter} file ({@code inter_file_name}) with its separator ({@code field_separator}) and
 * column names ({@code USER_ID_FIELD}, {@code ITEM_ID_FIELD}, {@code inter_splitting_label}), one feature
 * file per modality ({@code vision_feature_file}, {@code text_feature_file}, ...), and whether to drop
 * validation/test rows of users without training rows ({@code filter_out_cod_start_users}, default true), and
 * whether repeated (user, item) rows are dropped ({@code drop_duplicate_interactions}, default false: an error).
 */
public record DatasetSpec(
    Path folder,
    String name,
    String interFileName,
    char separator,
    String userField,
    String itemField,
    String splitField,
    List<Modality> modalities,
    boolean filterColdStartUsers,
    boolean dropDuplicateInteractions) {

  /**
   * One modality: its name (the {@link FeatureTable}'s name), the {@code .npy} file in the dataset folder,
   * and the config key that names the file (for error messages).
   */
  public record Modality(String name, String fileName, String configKey) {
    public Modality {
      if (name == null || name.isBlank() || fileName == null || fileName.isBlank()) {
        throw new BadInputException("a modality needs a name and a feature file name, got name '" + name + "', file '" + fileName + "'");
      }
    }

    /**
     * A modality whose config key follows MMRec: {@code vision_feature_file} for "image"/"vision", {@code
     * text_feature_file} for "text", otherwise {@code <name>_feature_file}.
     */
    public Modality(String name, String fileName) {
      this(name, fileName, switch (name) {
        case "image", "vision", "v" -> "vision_feature_file";
        case "text", "t" -> "text_feature_file";
        default -> name + "_feature_file";
      });
    }
  }

  public DatasetSpec {
    if (folder == null) {
      throw new BadInputException("no dataset folder; set data_path");
    }
    if (name == null || name.isBlank()) {
      throw new BadInputException("no dataset name; set dataset");
    }
    if (interFileName == null || interFileName.isBlank()) {
      throw new BadInputException("inter_file_name is empty; set it to the .inter file in " + folder);
    }
    modalities = List.copyOf(modalities);
    Set<String> seen = new HashSet<>();
    for (Modality m : modalities) {
      if (!seen.add(m.name())) {
        throw new BadInputException("modality '" + m.name() + "' is listed twice; give each feature file its own modality name");
      }
    }
    new InterFileReader.Columns(userField, itemField, splitField, separator); // validates names and separator
  }

  /**
   * MMRec's defaults: {@code <name>.inter}, tab-separated, columns {@code userID}, {@code itemID}, {@code
   * x_label}, no features, cold-start filter on.
   */
  public static DatasetSpec of(Path folder, String name) {
    return new DatasetSpec(folder, name, name + ".inter", '\t', "userID", "itemID", "x_label", List.of(), true, false);
  }

  public DatasetSpec withInterFileName(String file) {
    return new DatasetSpec(folder, name, file, separator, userField, itemField, splitField, modalities, filterColdStartUsers, dropDuplicateInteractions);
  }

  public DatasetSpec withColumns(String user, String item, String split) {
    return new DatasetSpec(folder, name, interFileName, separator, user, item, split, modalities, filterColdStartUsers, dropDuplicateInteractions);
  }

  public DatasetSpec withSeparator(char sep) {
    return new DatasetSpec(folder, name, interFileName, sep, userField, itemField, splitField, modalities, filterColdStartUsers, dropDuplicateInteractions);
  }

  public DatasetSpec withModalities(List<Modality> list) {
    return new DatasetSpec(folder, name, interFileName, separator, userField, itemField, splitField, list, filterColdStartUsers, dropDuplicateInteractions);
  }

  /** Adds a modality named {@code name} read from {@code fileName} in the folder. */
  public DatasetSpec withModality(String modality, String fileName) {
    List<Modality> list = new java.util.ArrayList<>(modalities);
    list.add(new Modality(modality, fileName));
    return withModalities(list);
  }

  public DatasetSpec withFilterColdStartUsers(boolean filter) {
    return new DatasetSpec(folder, name, interFileName, separator, userField, itemField, splitField, modalities, filter, dropDuplicateInteractions);
  }

  /** Repeated (user, item) rows: keep each pair's first row (true) or refuse the file (false, the default). */
  public DatasetSpec withDropDuplicateInteractions(boolean drop) {
    return new DatasetSpec(folder, name, interFileName, separator, userField, itemField, splitField, modalities, filterColdStartUsers, drop);
  }

  public Path interFile() {
    return folder.resolve(interFileName);
  }

  public InterFileReader.Columns columns() {
    return new InterFileReader.Columns(userField, itemField, splitField, separator);
  }
}
