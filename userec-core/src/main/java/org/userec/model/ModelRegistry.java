package org.userec.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.userec.BadInputException;

/**
 * The explicit list of models. Adding a model touches three places: its class, its yaml in
 * configs/model/, and one line here.
 */
public final class ModelRegistry {
  private static final Map<String, Function<ModelContext, Recommender>> MODELS = new LinkedHashMap<>();

  static {
    // the order of the USERec paper's comparison (Table 2)
    MODELS.put("BPR", BprMf::new);
    MODELS.put("LightGCN", LightGcn::new);
    MODELS.put("LATTICE", Lattice::new);
    MODELS.put("FREEDOM", Freedom::new);
    MODELS.put("MGCN", Mgcn::new);
    MODELS.put("COHESION", Cohesion::new);
    MODELS.put("PGL", Pgl::new);
    MODELS.put("IDFREE", Idfree::new);
    MODELS.put("LGMRec", Lgmrec::new);
    MODELS.put("USERec", Userec::new);
  }

  private ModelRegistry() {}

  public static List<String> names() {
    return new ArrayList<>(MODELS.keySet());
  }

  /** The canonical name for a case-insensitive match, or an error listing the models. */
  public static String canonical(String name) {
    for (String k : MODELS.keySet()) {
      if (k.equalsIgnoreCase(name)) {
        return k;
      }
    }
    throw new BadInputException("unknown model '" + name + "'; choose one of " + String.join(", ", MODELS.keySet()));
  }

  public static Recommender create(String name, ModelContext ctx) {
    return MODELS.get(canonical(name)).apply(ctx);
  }
}
