package org.userec.features;

import org.userec.data.raw.ItemMeta;

/**
 * The USERec prompt, verbatim from USERec-spec.md §1 (the paper's text), filled from an item's metadata; a
 * missing field is written as {@code unknown}.
 */
public final class UserecPrompt {
  private UserecPrompt() {}

  /** The template; [Title], [Description], [Price] and [Brand] are replaced. */
  public static final String TEMPLATE =
      "Please provide a detailed and comprehensive multi-dimensional analysis and description of the following product content and product image:\n"
          + "product description: The title is [Title]. The detailed description is [Description]. The price is [Price]. The brand is [Brand].\n"
          + "You are an intelligent assistant designed to analyze product information from the Amazon dataset and provide comprehensive insights that can be used for recommendation optimization. Please systematically evaluate the given product content (including title, image, description, price, brand, etc.) .\n"
          + "Please provide a profile of the customers you think will purchase this product, and let me know which other products the customers who purchased this product will also buy.\n"
          + "Please ensure your analysis is comprehensive, specific, and insightful, providing sufficiently detailed descriptions for each dimension.";

  public static final String MISSING = "unknown";

  public static String fill(ItemMeta m) {
    return TEMPLATE
        .replace("[Title]", field(m.title()))
        .replace("[Description]", field(m.description()))
        .replace("[Price]", field(m.price()))
        .replace("[Brand]", field(m.brand()));
  }

  private static String field(String s) {
    return s == null || s.isBlank() ? MISSING : s.strip();
  }
}
