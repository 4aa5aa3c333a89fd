package org.userec.features;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.userec.data.raw.Literal;

/**
 * A client for an OpenAI-compatible {@code POST /v1/embeddings} endpoint that accepts chat-style multimodal
 * input, as vLLM does for a vision-language model served as a pooling model (docs/features.md gives the server
 * command). One request per item:
 * <pre>
 * {"model": M, "encoding_format": "float",
 *  "messages": [{"role": "user", "content": [
 *      {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,..." or "https://..."}},
 *      {"type": "text", "text": PROMPT}]}]}
 * </pre>
 * The response's {@code data[0].embedding} is returned as is; callers L2-normalise. Failures that may pass
 * (connection refused, timeouts, HTTP 429/5xx) are retried with exponential backoff; others fail at once with
 * the server's message.
 */
public final class OpenAiEmbeddingsClient implements MllmBackend {
  /** Client settings. {@code apiKey} may be null. */
  public record Settings(URI baseUrl, String model, String apiKey, Duration timeout, int retries, Duration backoff) {
    public Settings {
      if (baseUrl == null || model == null || model.isBlank()) {
        throw new IllegalArgumentException("base URL and model are required");
      }
      if (retries < 0) {
        throw new IllegalArgumentException("retries must be >= 0");
      }
    }

    public static Settings of(String baseUrl, String model) {
      return new Settings(URI.create(baseUrl), model, null, Duration.ofMinutes(5), 4, Duration.ofSeconds(2));
    }

    public Settings withRetries(int n, Duration firstBackoff) {
      return new Settings(baseUrl, model, apiKey, timeout, n, firstBackoff);
    }

    public Settings withApiKey(String key) {
      return new Settings(baseUrl, model, key, timeout, retries, backoff);
    }
  }

  private final Settings settings;
  private final URI endpoint;
  private final HttpClient http;

  public OpenAiEmbeddingsClient(Settings settings) {
    this.settings = settings;
    String base = settings.baseUrl().toString().replaceAll("/+$", "");
    this.endpoint = URI.create(base.endsWith("/v1") ? base + "/embeddings" : base + "/v1/embeddings");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).version(HttpClient.Version.HTTP_1_1).build();
  }

  public URI endpoint() {
    return endpoint;
  }

  @Override
  public String describe() {
    return settings.model() + " at " + endpoint;
  }

  /** The JSON body for one request. */
  public String body(Request r) {
    StringBuilder b = new StringBuilder(r.prompt().length() + (r.image().present() ? r.image().url().length() : 0) + 256);
    b.append("{\"model\":");
    quote(settings.model(), b);
    b.append(",\"encoding_format\":\"float\",\"messages\":[{\"role\":\"user\",\"content\":[");
    if (r.image().present()) {
      b.append("{\"type\":\"image_url\",\"image_url\":{\"url\":");
      quote(r.image().url(), b);
      b.append("}},");
    }
    b.append("{\"type\":\"text\",\"text\":");
    quote(r.prompt(), b);
    b.append("}]}]}");
    return b.toString();
  }

  @Override
  public float[] embed(Request r) throws IOException, InterruptedException {
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(endpoint)
            .timeout(settings.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(r), StandardCharsets.UTF_8));
    if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
      rb.header("Authorization", "Bearer " + settings.apiKey());
    }
    HttpRequest req = rb.build();
    long wait = settings.backoff().toMillis();
    IOException last = null;
    for (int attempt = 0; attempt <= settings.retries(); attempt++) {
      if (attempt > 0) {
        Thread.sleep(wait);
        wait = Math.min(wait * 2, 60_000);
      }
      HttpResponse<String> resp;
      try {
        resp = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (ConnectException | HttpTimeoutException e) {
        last = new IOException(endpoint + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage())
            + " (is the server up? see docs/features.md)", e);
        continue;
      } catch (IOException e) {
        // a dropped or refused connection (a pooled keep-alive connection to a server that went away shows up
        // as a bare IOException rather than a ConnectException)
        last = new IOException(endpoint + ": " + e + " (is the server up? see docs/features.md)", e);
        continue;
      }
      int code = resp.statusCode();
      if (code == 200) {
        return parse(resp.body(), r.item());
      }
      String msg = endpoint + " answered HTTP " + code + " for item " + r.item() + ": " + snippet(resp.body());
      if (code == 429 || code >= 500) {
        last = new IOException(msg);
        continue;
      }
      throw new IOException(msg + (code == 404 ? " (is it an embeddings server? start vLLM with the pooling runner, docs/features.md)" : ""));
    }
    throw last;
  }

  /** Reads {@code data[0].embedding} from a response body. */
  static float[] parse(String body, int item) throws IOException {
    Map<String, Object> m;
    try {
      m = Literal.parseObject(body, Set.of("data", "error"));
    } catch (Literal.SyntaxException e) {
      throw new IOException("item " + item + ": the response is not JSON (" + e.getMessage() + "): " + snippet(body));
    }
    if (!(m.get("data") instanceof List<?> data) || data.isEmpty() || !(data.get(0) instanceof Map<?, ?> first)
        || !(first.get("embedding") instanceof List<?> emb) || emb.isEmpty()) {
      throw new IOException("item " + item + ": the response has no data[0].embedding list: " + snippet(body));
    }
    float[] v = new float[emb.size()];
    for (int k = 0; k < v.length; k++) {
      if (!(emb.get(k) instanceof Number x) || !Double.isFinite(x.doubleValue())) {
        throw new IOException("item " + item + ": embedding value " + k + " is " + emb.get(k) + ", not a finite number");
      }
      v[k] = x.floatValue();
    }
    return v;
  }

  private static String snippet(String body) {
    String s = body == null ? "" : body.replaceAll("\\s+", " ").strip();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  static void quote(String s, StringBuilder b) {
    b.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
