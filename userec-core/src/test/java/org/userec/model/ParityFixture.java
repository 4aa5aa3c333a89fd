package org.userec.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.userec.config.Config;
import org.userec.config.ConfigLoader;
import org.userec.config.Yaml;
import org.userec.data.Dataset;
import org.userec.data.DatasetLoader;
import org.userec.data.FeatureTable;
import org.userec.data.NpyReader;
import org.userec.run.Datasets;
import org.userec.tensor.Param;
import org.userec.tensor.Tensor;

/**
 * One parity fixture: a reference implementation's loss and parameter gradients for one fixed batch, from
 * initial parameters we load into our model. Made by {@code tools/parity/<model>.py} (see its README) and kept
 * under {@code src/test/resources/parity/<MODEL>/}:
 *
 * <ul>
 *   <li>{@code parity.inter} and the modality files ({@code image_feat.npy} first, then {@code text_feat.npy}):
 *       the tiny dataset both sides read;
 *   <li>{@code fixture.json}: model, reference (repository@commit and file), our config keys, the batch, the
 *       reference's loss, the initial value and gradient file of each of our params (2-D float32 .npy in our
 *       layout), the tolerance, and optional extra arrays (masks, sampled noise) a model's test hook takes.
 * </ul>
 *
 * <p>A loss matches when |loss − ref| ≤ tol·|ref|; a gradient when max|g − r| ≤ tol·s, s the larger of its own
 * max|r| and a thousandth of the largest max|r| over all params: a gradient is judged against itself unless it is
 * tiny beside the others (a bias whose gradient cancels to float rounding), where the rounding of the others
 * sets the scale.
 */
public final class ParityFixture {
  private final String model;
  private final Path dir;
  private final Map<String, Object> spec;

  private ParityFixture(String model, Path dir, Map<String, Object> spec) {
    this.model = model;
    this.dir = dir;
    this.spec = spec;
  }

  /** The fixture of {@code model} from the test classpath ({@code parity/<model>/fixture.json}). */
  public static ParityFixture load(String model) {
    return load(model, model);
  }

  /** A further fixture of {@code model}, kept in {@code parity/<folder>/} (e.g. another setting of its switches). */
  public static ParityFixture load(String model, String folder) {
    URL url = ParityFixture.class.getResource("/parity/" + folder + "/fixture.json");
    if (url == null) {
      throw new IllegalStateException("no parity fixture for " + model + " on the test classpath (parity/" + folder + "/fixture.json)");
    }
    try {
      Path file = Path.of(url.toURI());
      String text = Files.readString(file, StandardCharsets.UTF_8); // JSON is YAML
      Map<String, Object> spec = Yaml.parseMap(text, file.toString());
      assertThat(spec.get("model")).as("fixture.json model").isEqualTo(model);
      return new ParityFixture(model, file.getParent(), spec);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String reference() {
    return String.valueOf(spec.get("reference"));
  }

  public double tolerance() {
    return ((Number) spec.getOrDefault("tolerance", 1e-4)).doubleValue();
  }

  /** Our model yaml under the fixture's keys; every grid key must be fixed to one value by the fixture. */
  public Config config() {
    @SuppressWarnings("unchecked")
    Map<String, Object> values = new LinkedHashMap<>((Map<String, Object>) spec.getOrDefault("config", Map.of()));
    Config c = new ConfigLoader().dataset("parity", dir).model(model, ModelRegistry.names()).values("fixture.json", values).build();
    List<Config> grid = c.expandGrid();
    assertThat(grid).as("fixture.json must fix every grid key of " + model + " (" + c.gridKeys() + ")").hasSize(1);
    return grid.get(0);
  }

  /** The tiny dataset, read by the same loader as any dataset folder. */
  public Dataset dataset() {
    Config c = config();
    return DatasetLoader.load(Datasets.spec(c, new Datasets.Located("parity", dir), true));
  }

  public Batch batch() {
    @SuppressWarnings("unchecked")
    Map<String, Object> b = (Map<String, Object>) spec.get("batch");
    return new Batch(ints(b.get("users")), ints(b.get("pos")), ints(b.get("neg")));
  }

  /** The reference's loss. */
  public double loss() {
    return ((Number) spec.get("loss")).doubleValue();
  }

  /** An extra array of the fixture (row-major values), e.g. a dropout mask a model's test hook takes. */
  public float[] extra(String name) {
    return table("extra", name).data();
  }

  /** The shape [rows, cols] of an extra array. */
  public int[] extraShape(String name) {
    FeatureTable t = table("extra", name);
    return new int[] {t.rows(), t.cols()};
  }

  /** Copies every param's initial value from the fixture; the names must be the same sets, the shapes equal. */
  public void loadParams(List<Param> params) {
    Map<String, Object> init = files("params");
    assertThat(new TreeSet<>(names(params))).as("params of our " + model + " vs fixture.json params").isEqualTo(new TreeSet<>(init.keySet()));
    for (Param p : params) {
      FeatureTable t = table("params", p.name);
      assertThat(new int[] {t.rows(), t.cols()}).as("shape of " + p.name).containsExactly(p.rows, p.cols);
      System.arraycopy(t.data(), 0, p.data, 0, t.data().length);
    }
  }

  /** Asserts the loss and every param's gradient equal the reference's within the tolerance. */
  public void assertMatches(Tensor loss, List<Param> params) {
    double tol = tolerance();
    double ref = loss();
    assertThat(Math.abs(loss.item() - ref)).as("%s loss: ours %s, reference %s", model, loss.item(), ref).isLessThanOrEqualTo(tol * Math.abs(ref));
    assertThat(new TreeSet<>(names(params))).as("params of our " + model + " vs fixture.json grads").isEqualTo(new TreeSet<>(files("grads").keySet()));
    double largest = 0;
    for (Param p : params) {
      largest = Math.max(largest, maxAbs(table("grads", p.name).data()));
    }
    List<String> off = new ArrayList<>();
    for (Param p : params) {
      FeatureTable r = table("grads", p.name);
      float[] g = p.requiresGrad() ? p.grad() : new float[p.size()];
      double scale = Math.max(Math.max(maxAbs(r.data()), 1e-3 * largest), 1e-12);
      double worst = 0;
      int at = -1;
      for (int k = 0; k < g.length; k++) {
        double d = Math.abs(g[k] - r.data()[k]);
        if (d > worst) {
          worst = d;
          at = k;
        }
      }
      if (worst > tol * scale) {
        off.add(String.format(Locale.ROOT, "%s: max|g-ref| %.3g at %d (ours %.6g, ref %.6g), max|ref| %.3g", p.name, worst, at, g[at], r.data()[at], scale));
      }
    }
    assertThat(off).as(model + " gradients off the reference (" + reference() + ")").isEmpty();
  }

  private Map<String, Object> files(String key) {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) spec.getOrDefault(key, Map.of());
    return m;
  }

  private FeatureTable table(String key, String name) {
    Object file = files(key).get(name);
    if (file == null) {
      throw new IllegalArgumentException("fixture.json of " + model + " has no " + key + " entry '" + name + "'");
    }
    return NpyReader.read(dir.resolve(String.valueOf(file)), name);
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static List<String> names(List<Param> params) {
    List<String> out = new ArrayList<>();
    for (Param p : params) {
      out.add(p.name);
    }
    return out;
  }

  private static int[] ints(Object list) {
    List<?> l = (List<?>) list;
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) l.get(i)).intValue();
    }
    return out;
  }
}
