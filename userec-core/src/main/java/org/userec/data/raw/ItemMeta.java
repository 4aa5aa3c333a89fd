package org.userec.data.raw;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One item's metadata, as far as the features need it. Missing fields are empty strings.
 *
 * @param categories category paths, each from general to specific (2014: a list of paths; 2018: one path)
 * @param image an image URL or file name ("" when the item has none)
 */
public record ItemMeta(String asin, String title, String description, String price, String brand, List<List<String>> categories, String image) {
  /** The top-level keys {@link #fromMap} reads (both Amazon layouts). */
  public static final Set<String> KEYS =
      Set.of("asin", "title", "description", "price", "brand", "categories", "category", "imUrl", "imageURLHighRes", "imageURL", "image");

  public ItemMeta {
    title = orEmpty(title);
    description = orEmpty(description);
    price = orEmpty(price);
    brand = orEmpty(brand);
    image = orEmpty(image);
    categories = categories == null ? List.of() : categories.stream().map(List::copyOf).toList();
  }

  public static ItemMeta empty(String asin) {
    return new ItemMeta(asin, "", "", "", "", List.of(), "");
  }

  /**
   * Reads a parsed metadata object of either Amazon layout: 2014 ({@code categories} list of paths,
   * {@code imUrl}, numeric {@code price}, string {@code description}) or 2018 ({@code category} one path,
   * {@code imageURLHighRes}/{@code imageURL} lists, {@code price} like "$14.99", {@code description} a list).
   */
  public static ItemMeta fromMap(Map<String, Object> m) {
    String asin = text(m.get("asin"));
    List<List<String>> cats = new ArrayList<>();
    Object c14 = m.get("categories");
    if (c14 instanceof List<?> paths) {
      for (Object p : paths) {
        if (p instanceof List<?> path) {
          cats.add(strings(path));
        } else if (p != null) {
          cats.add(List.of(text(p)));
        }
      }
    }
    Object c18 = m.get("category");
    if (c18 instanceof List<?> path && !path.isEmpty()) {
      cats.add(strings(path));
    }
    cats.removeIf(List::isEmpty);
    String image = text(m.get("imUrl"));
    for (String key : new String[] {"imageURLHighRes", "imageURL", "image"}) {
      if (image.isEmpty()) {
        image = first(m.get(key));
      }
    }
    return new ItemMeta(asin, text(m.get("title")), text(m.get("description")), text(m.get("price")), text(m.get("brand")), cats, image);
  }

  /** Categories for the items table: levels joined by " > ", paths by " | ". */
  public String categoriesText() {
    StringBuilder b = new StringBuilder();
    for (List<String> path : categories) {
      if (b.length() > 0) {
        b.append(" | ");
      }
      b.append(String.join(" > ", path));
    }
    return b.toString();
  }

  /** Parses {@link #categoriesText()} back. */
  public static List<List<String>> parseCategories(String text) {
    List<List<String>> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String path : text.split(" \\| ")) {
      List<String> levels = new ArrayList<>();
      for (String level : path.split(" > ")) {
        if (!level.isBlank()) {
          levels.add(level.trim());
        }
      }
      if (!levels.isEmpty()) {
        out.add(levels);
      }
    }
    return out;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static List<String> strings(List<?> l) {
    List<String> out = new ArrayList<>(l.size());
    for (Object o : l) {
      String t = text(o).trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  private static String first(Object o) {
    if (o instanceof List<?> l) {
      for (Object x : l) {
        String t = text(x);
        if (!t.isBlank()) {
          return t;
        }
      }
      return "";
    }
    return text(o);
  }

  /** A scalar as text; a list joined by spaces (2018 descriptions are lists of paragraphs). */
  private static String text(Object o) {
    if (o == null) {
      return "";
    }
    if (o instanceof String s) {
      return s;
    }
    if (o instanceof List<?> l) {
      StringBuilder b = new StringBuilder();
      for (Object x : l) {
        String t = text(x).trim();
        if (!t.isEmpty()) {
          if (b.length() > 0) {
            b.append(' ');
          }
          b.append(t);
        }
      }
      return b.toString();
    }
    return String.valueOf(o);
  }
}
