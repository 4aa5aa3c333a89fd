package org.userec.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.userec.BadInputException;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.DatasetSpec;

/** Finds a dataset folder from a command-line argument and builds its {@link DatasetSpec} from a config. */
public final class Datasets {
  /** A dataset's name (its config name and file prefix) and folder. */
  public record Located(String name, Path folder) {}

  private Datasets() {}

  /**
   * An existing folder is taken as is (its name is the folder's name); otherwise the argument is a dataset
   * name under {@code data_path}.
   */
  public static Located locate(String arg, List<String> overrides) {
    Path p = Path.of(arg);
    if (Files.isDirectory(p)) {
      Path abs = p.toAbsolutePath().normalize();
      return new Located(abs.getFileName().toString(), abs);
    }
    List<String> dataPath = new ArrayList<>(); // only data_path matters here; other keys belong to the model
    for (String a : overrides) {
      int eq = a.indexOf('=');
      if (eq > 0 && a.substring(0, eq).trim().equals("data_path")) {
        dataPath.add(a);
      }
    }
    Config c = new ConfigLoader().overrides(dataPath).build();
    Path under = Path.of(c.getString("data_path")).resolve(arg);
    if (Files.isDirectory(under)) {
      return new Located(arg, under.toAbsolutePath().normalize());
    }
    if (Files.isRegularFile(p)) {
      Path parent = p.toAbsolutePath().normalize().getParent();
      throw new BadInputException("dataset '" + arg + "': is a file, not a dataset folder; pass the folder that holds it"
          + (parent != null ? " (-d " + parent + ")" : ""));
    }
    String looked = p.toAbsolutePath().normalize().equals(under.toAbsolutePath().normalize())
        ? p.toAbsolutePath().normalize().toString()
        : p.toAbsolutePath().normalize() + " and " + under.toAbsolutePath().normalize();
    throw new BadInputException(
        "dataset '" + arg + "': no such folder (looked at " + looked + "); pass a dataset folder or set data_path");
  }

  /** The spec for a located dataset under a merged config. */
  public static DatasetSpec spec(Config c, Located loc, boolean needsFeatures) {
    String inter = c.has("inter_file_name") ? c.getString("inter_file_name") : loc.name() + ".inter";
    String sep = c.getString("field_separator");
    if (sep.length() != 1) {
      throw new BadInputException(c.source("field_separator") + ": field_separator must be one character, got '" + sep + "'");
    }
    DatasetSpec spec =
        DatasetSpec.of(loc.folder(), loc.name())
            .withInterFileName(inter)
            .withSeparator(sep.charAt(0))
            .withColumns(c.getString("USER_ID_FIELD"), c.getString("ITEM_ID_FIELD"), c.getString("inter_splitting_label"))
            .withFilterColdStartUsers(c.getBool("filter_out_cod_start_users"))
            .withDropDuplicateInteractions(c.getBool("drop_duplicate_interactions", false));
    if (!needsFeatures) {
      return spec;
    }
    List<DatasetSpec.Modality> mods = new ArrayList<>();
    Map<String, Object> files = c.getMap("feature_files");
    if (!files.isEmpty()) {
      files.forEach((k, v) -> mods.add(new DatasetSpec.Modality(k, String.valueOf(v), "feature_files." + k)));
    } else {
      if (c.has("vision_feature_file") && Files.exists(loc.folder().resolve(c.getString("vision_feature_file")))) {
        mods.add(new DatasetSpec.Modality("image", c.getString("vision_feature_file"), "vision_feature_file"));
      }
      if (c.has("text_feature_file") && Files.exists(loc.folder().resolve(c.getString("text_feature_file")))) {
        mods.add(new DatasetSpec.Modality("text", c.getString("text_feature_file"), "text_feature_file"));
      }
      if (mods.isEmpty()) {
        throw new BadInputException(
            loc.folder() + ": this model needs item features but the folder has neither " + c.getString("vision_feature_file") + " nor "
                + c.getString("text_feature_file") + "; add them or set feature_files: {name: file.npy}");
      }
    }
    return spec.withModalities(mods);
  }
}
