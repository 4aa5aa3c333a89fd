package org.userec.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.data.Dataset;
import org.userec.data.FeatureTable;
import org.userec.data.Interactions;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.export.ExportedModel;
import org.userec.export.ItemEncoder;
import org.userec.export.ModelExport;
import org.userec.model.ModelContext;
import org.userec.model.ModelRegistry;
import org.userec.model.Recommender;
import org.userec.run.Experiment;
import org.userec.train.RunFolder;
import org.userec.util.ParamFile;
import org.userec.util.Seeds;

/** Small trained and exported models for the service's tests: the tiny dataset, its last item without training rows. */
final class Fixtures {
  private Fixtures() {}

  /** The tiny dataset with the last item's training rows removed. */
  static Dataset coldLast() {
    Dataset ds = SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset();
    int last = ds.numItems() - 1;
    Interactions t = ds.train();
    List<Integer> keep = new ArrayList<>();
    for (int k = 0; k < t.size(); k++) {
      if (t.items()[k] != last) {
        keep.add(k);
      }
    }
    int[] u = keep.stream().mapToInt(k -> t.users()[k]).toArray();
    int[] i = keep.stream().mapToInt(k -> t.items()[k]).toArray();
    return new Dataset(ds.name(), ds.numUsers(), ds.numItems(), new Interactions(u, i), ds.valid(), ds.test(), ds.features());
  }

  static Config config(String model) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("hyper_parameters", List.of());
    v.put("train_batch_size", 256);
    v.put("learning_rate", 0.01);
    v.put("epochs", 2);
    if (model.equals("PGL")) {
      v.put("dropout", 0.2);
      v.put("reg_weight", 0.0);
      v.put("mode", "local");
      v.put("train_features", false);
    } else {
      v.put("n_layers", 2);
      v.put("reg_weight", 1e-4);
    }
    return new ConfigLoader().model(model, ModelRegistry.names()).values("test", v).build();
  }

  record Trained(Recommender model, Config config, Dataset dataset) {}

  static Trained train(String model, Dataset ds, Path run) {
    Config c = config(model);
    Experiment.trainOne(model, c, ds, run, List.of());
    Recommender m = ModelRegistry.create(model, new ModelContext(c, ds, Seeds.rng(c.getLong("seed"), "init")));
    RunFolder.loadParams(m, ParamFile.read(run.resolve(RunFolder.BEST)).arrays(), run);
    return new Trained(m, c, ds);
  }

  /** The model as initialised by the seed, without training. */
  static Trained untrained(String model, Dataset ds) {
    Config c = config(model);
    return new Trained(ModelRegistry.create(model, new ModelContext(c, ds, Seeds.rng(c.getLong("seed"), "init"))), c, ds);
  }

  static Path export(String model, Trained t, Path datasetFolder, Path out, Path run) {
    ModelExport.write(new ModelExport.Source(model, t.config(), t.dataset(), datasetFolder, t.model(), run.resolve(RunFolder.RESULTS_JSON), "test"), out, false);
    return out;
  }

  static List<float[]> features(Dataset ds, int item) {
    List<float[]> x = new ArrayList<>();
    for (FeatureTable f : ds.features()) {
      x.add(Arrays.copyOfRange(f.data(), item * f.cols(), (item + 1) * f.cols()));
    }
    return x;
  }

  /** The model without its last item (which had no training rows): that item can then be added as a new one. */
  static ExportedModel withoutLastItem(ExportedModel m) {
    int n = m.numItems() - 1;
    ItemEncoder e = m.encoder();
    List<ItemEncoder.Modality> mods = new ArrayList<>();
    for (ItemEncoder.Modality x : e.modalities()) {
      mods.add(new ItemEncoder.Modality(x.name(), x.featureDim(), x.outDim(), x.weight(), Arrays.copyOf(x.knnFeatures(), n * x.featureDim()),
          x.mean(), x.invStd(), x.scale(), x.w(), x.b(), x.normalize()));
    }
    List<float[]> prop = new ArrayList<>();
    for (float[] p : e.propagated()) {
      prop.add(Arrays.copyOf(p, n * e.dim()));
    }
    ItemEncoder enc = new ItemEncoder(mods, e.dim(), e.uiLayers(), e.knnK(), prop, e.itemPeScale(), e.iiSelf(), e.iiLayers(), n);
    for (int[] items : m.trainItems()) {
      for (int i : items) {
        if (i >= n) {
          throw new IllegalStateException("the last item has training rows");
        }
      }
    }
    return new ExportedModel(m.dir(), m.manifest(), m.model(), m.numUsers(), n, m.dim(), m.users(), Arrays.copyOf(m.items(), n * m.dim()),
        m.trainItems(), m.userIds(), m.itemIds() == null ? null : Arrays.copyOf(m.itemIds(), n), m.titles() == null ? null : Arrays.copyOf(m.titles(), n),
        enc, null);
  }
}
