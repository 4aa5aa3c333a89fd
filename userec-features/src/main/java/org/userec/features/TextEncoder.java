package org.userec.features;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * all-MiniLM-L6-v2 sentence embeddings in process (langchain4j's ONNX export, shipped inside its jar: no
 * network). 384 dimensions, mean pooling, L2-normalised, as sentence-transformers computes them.
 *
 * <p>sentence-transformers truncates this model's input to 256 word pieces ({@code max_seq_length}); langchain4j
 * would instead embed up to 510 and average longer texts in windows. To match MMRec's features we cut each
 * text after its 254th word piece ([CLS] and [SEP] take the other two) with the model's own tokenizer.
 */
public final class TextEncoder implements AutoCloseable {
  public static final int DIMENSION = 384;
  /** sentence-transformers' max_seq_length for all-MiniLM-L6-v2, special tokens included. */
  public static final int MAX_TOKENS = 256;

  private final AllMiniLmL6V2EmbeddingModel model;
  private final HuggingFaceTokenizer tokenizer;
  private final ExecutorService pool;

  private TextEncoder(AllMiniLmL6V2EmbeddingModel model, HuggingFaceTokenizer tokenizer, ExecutorService pool) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.pool = pool;
  }

  /**
   * Loads the model and tokenizer from the classpath. Throws {@link IllegalStateException} naming the cause
   * when the native ONNX runtime or tokenizer cannot load on this platform.
   *
   * @param threads texts encoded in parallel (each text is one ONNX call)
   */
  public static TextEncoder load(int threads) {
    int n = Math.max(1, threads);
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "text-encoder");
      t.setDaemon(true);
      return t;
    });
    try {
      AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel(pool);
      HuggingFaceTokenizer tok;
      try (InputStream in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
        if (in == null) {
          throw new IllegalStateException("all-minilm-l6-v2-tokenizer.json is missing from the classpath");
        }
        tok = HuggingFaceTokenizer.newInstance(in, Map.of("truncation", "false", "padding", "false"));
      }
      return new TextEncoder(model, tok, pool);
    } catch (IOException | RuntimeException | LinkageError e) {
      pool.shutdownNow();
      throw new IllegalStateException("cannot load all-MiniLM-L6-v2 (ONNX runtime / tokenizer): " + e, e);
    }
  }

  /** Cuts the text after its 254th word piece, as sentence-transformers' truncation would. */
  public String truncate(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    CharSpan[] spans = e.getCharTokenSpans();
    int keep = MAX_TOKENS - 2;
    if (spans == null || spans.length <= keep) {
      return text;
    }
    for (int k = keep - 1; k >= 0; k--) {
      if (spans[k] != null) {
        return text.substring(0, Math.min(text.length(), spans[k].getEnd()));
      }
    }
    return text;
  }

  /** What a blank text is embedded as (langchain4j refuses blank input; sentence-transformers would embed [CLS][SEP]). */
  public static final String BLANK = "unknown";

  /** Embeds the texts; row k is text k's unit-length 384-d vector. A blank text is embedded as {@link #BLANK}. */
  public float[][] encode(List<String> texts) {
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      String s = t == null || t.isBlank() ? BLANK : truncate(t.strip());
      segments.add(TextSegment.from(s.isBlank() ? BLANK : s));
    }
    List<Embedding> out = model.embedAll(segments).content();
    float[][] rows = new float[out.size()][];
    for (int k = 0; k < rows.length; k++) {
      rows[k] = out.get(k).vector();
    }
    return rows;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    tokenizer.close();
  }
}
