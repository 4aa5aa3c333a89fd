package org.userec.cli.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.userec.util.AtomicFiles;

/**
 * A report as a list of blocks (headings, paragraphs, tables, figures), written as {@code report.md} (figures
 * linked), a self-contained {@code report.html} (figures inlined as SVG, no external reference), {@code
 * figures/<name>.svg} and {@code .png}, and {@code tables/<name>.csv}.
 */
public final class Report {
  /** A table: its file name (tables/NAME.csv), headers and rows of cells. */
  public record Table(String name, List<String> headers, List<List<String>> rows) {
    public Table {
      headers = List.copyOf(headers);
      rows = List.copyOf(rows);
      for (List<String> r : rows) {
        if (r.size() != headers.size()) {
          throw new IllegalArgumentException(name + ": a row has " + r.size() + " cells for " + headers.size() + " headers");
        }
      }
    }
  }

  private sealed interface Block {}

  private record Heading(int level, String text) implements Block {}

  private record Paragraph(String text) implements Block {}

  private record TableBlock(Table table) implements Block {}

  private record Figure(String name, Chart chart) implements Block {}

  private record CsvOnly(Table table) implements Block {}

  private final String title;
  private final List<Block> blocks = new ArrayList<>();
  private final Map<String, Object> names = new LinkedHashMap<>();

  public Report(String title) {
    this.title = title;
  }

  public Report heading(String text) {
    blocks.add(new Heading(2, text));
    return this;
  }

  public Report subheading(String text) {
    blocks.add(new Heading(3, text));
    return this;
  }

  public Report paragraph(String text) {
    blocks.add(new Paragraph(text));
    return this;
  }

  public Report table(Table t) {
    unique("tables/" + t.name());
    blocks.add(new TableBlock(t));
    return this;
  }

  /** A table written to tables/NAME.csv only (too long to read in the report, e.g. every epoch of every model). */
  public Report csvOnly(Table t) {
    unique("tables/" + t.name());
    blocks.add(new CsvOnly(t));
    return this;
  }

  public Report figure(String name, Chart chart) {
    unique("figures/" + name);
    blocks.add(new Figure(name, chart));
    return this;
  }

  private void unique(String name) {
    if (names.put(name, Boolean.TRUE) != null) {
      throw new IllegalArgumentException(name + " is in the report twice");
    }
  }

  /** Writes report.md, report.html, figures/ and tables/ under {@code dir}; returns the files written. */
  public List<Path> write(Path dir) {
    List<Path> written = new ArrayList<>();
    StringBuilder md = new StringBuilder("# ").append(title).append("\n");
    StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(Svg.escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}\n")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\n")
        .append("td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}figure{margin:1em 0}\n")
        .append("</style>\n</head>\n<body>\n<h1>").append(Svg.escape(title)).append("</h1>\n");
    try {
      Files.createDirectories(dir.resolve("figures"));
      Files.createDirectories(dir.resolve("tables"));
      for (Block b : blocks) {
        if (b instanceof Heading h) {
          md.append('\n').append("#".repeat(h.level())).append(' ').append(h.text()).append('\n');
          html.append("<h").append(h.level()).append('>').append(Svg.escape(h.text())).append("</h").append(h.level()).append(">\n");
        } else if (b instanceof Paragraph p) {
          md.append('\n').append(p.text()).append('\n');
          html.append("<p>").append(inline(p.text())).append("</p>\n");
        } else if (b instanceof TableBlock t) {
          md.append('\n').append(markdown(t.table()));
          html.append(html(t.table()));
          Path csv = dir.resolve("tables").resolve(t.table().name() + ".csv");
          AtomicFiles.writeString(csv, csv(t.table()));
          written.add(csv);
        } else if (b instanceof CsvOnly t) {
          Path csv = dir.resolve("tables").resolve(t.table().name() + ".csv");
          AtomicFiles.writeString(csv, csv(t.table()));
          written.add(csv);
        } else if (b instanceof Figure f) {
          String svg = Svg.render(f.chart());
          Path svgFile = dir.resolve("figures").resolve(f.name() + ".svg");
          Path pngFile = dir.resolve("figures").resolve(f.name() + ".png");
          AtomicFiles.writeString(svgFile, svg);
          byte[] png = Png.render(f.chart());
          AtomicFiles.write(pngFile, out -> out.write(png));
          written.add(svgFile);
          written.add(pngFile);
          md.append("\n![").append(f.chart().title()).append("](figures/").append(f.name()).append(".svg)\n");
          html.append("<figure>\n").append(svg).append("</figure>\n");
        }
      }
      html.append("</body>\n</html>\n");
      AtomicFiles.writeString(dir.resolve("report.md"), md.toString());
      AtomicFiles.writeString(dir.resolve("report.html"), html.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write the report", e);
    }
    written.add(0, dir.resolve("report.html"));
    written.add(0, dir.resolve("report.md"));
    return written;
  }

  static String markdown(Table t) {
    StringBuilder sb = new StringBuilder("| ").append(String.join(" | ", t.headers())).append(" |\n|");
    sb.append("---|".repeat(t.headers().size())).append('\n');
    for (List<String> r : t.rows()) {
      sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return sb.toString();
  }

  static String html(Table t) {
    StringBuilder sb = new StringBuilder("<table>\n<tr>");
    for (String h : t.headers()) {
      sb.append("<th>").append(inline(h)).append("</th>");
    }
    sb.append("</tr>\n");
    for (List<String> r : t.rows()) {
      sb.append("<tr>");
      for (String c : r) {
        sb.append("<td>").append(inline(c)).append("</td>");
      }
      sb.append("</tr>\n");
    }
    return sb.append("</table>\n").toString();
  }

  /** Escaped text with Markdown's **bold** and `code` as HTML. */
  static String inline(String s) {
    return Svg.escape(s).replaceAll("\\*\\*(.+?)\\*\\*", "<b>$1</b>").replaceAll("`(.+?)`", "<code>$1</code>");
  }

  /** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled; bold marks dropped. */
  static String csv(Table t) {
    StringBuilder sb = new StringBuilder();
    List<List<String>> all = new ArrayList<>();
    all.add(t.headers());
    all.addAll(t.rows());
    for (List<String> r : all) {
      for (int i = 0; i < r.size(); i++) {
        String c = r.get(i).replace("**", "");
        sb.append(i == 0 ? "" : ",").append(c.matches(".*[,\"\\r\\n].*") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
      }
      sb.append("\r\n");
    }
    return sb.toString();
  }

  /** The text of a file, for tests and the t-SNE hook's readers. */
  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
