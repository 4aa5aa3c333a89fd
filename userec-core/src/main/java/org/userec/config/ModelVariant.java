package org.userec.config;

import java.util.regex.Pattern;
import org.userec.BadInputException;

/**
 * A row of a table: a model ({@code USERec}) or a named setting of it ({@code USERec@paper}), so that one table
 * can hold a model under several settings. A variant's values come from its packaged yaml, {@code
 * configs/model/<MODEL>@<variant>.yaml}, when there is one (layered after the model's dataset yaml), and from
 * {@code --set MODEL@variant:key=value} or a {@code --config} file; its runs live in a folder named by {@link
 * #label()}.
 */
public record ModelVariant(String model, String variant) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  public ModelVariant {
    if (model == null || model.isBlank()) {
      throw new BadInputException("a model name is empty; use e.g. LightGCN or USERec@paper");
    }
    if (variant != null && !NAME.matcher(variant).matches()) {
      throw new BadInputException(
          "'" + model + "@" + variant + "': a variant name takes letters, digits, '_', '-' and '.' only, e.g. USERec@paper");
    }
  }

  /** "USERec@paper" → (USERec, paper); "LightGCN" → (LightGCN, null). The model name is taken as given. */
  public static ModelVariant parse(String arg) {
    String a = arg.trim();
    int at = a.indexOf('@');
    return at < 0 ? new ModelVariant(a, null) : new ModelVariant(a.substring(0, at), a.substring(at + 1));
  }

  /** The same variant of the model named {@code canonical} (e.g. after a case-insensitive registry lookup). */
  public ModelVariant withModel(String canonical) {
    return new ModelVariant(canonical, variant);
  }

  /** MODEL or MODEL@variant: the row's name and its folder's. */
  public String label() {
    return variant == null ? model : model + "@" + variant;
  }

  /** The packaged yaml of this variant ({@code configs/model/<MODEL>@<variant>.yaml}), or null for a plain model. */
  public String resource() {
    return variant == null ? null : "configs/model/" + label() + ".yaml";
  }

  @Override
  public String toString() {
    return label();
  }
}
