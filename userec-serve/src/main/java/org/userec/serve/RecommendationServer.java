package org.userec.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.userec.BadInputException;
import org.userec.export.ExportedModel;
import org.userec.export.ItemEncoder;

/**
 * The HTTP recommendation service over an exported model (docs/serving.md). Every answer is JSON; a client
 * mistake is a 4xx with {error, detail}, never a 500 or a stack trace. The model is held in one reference that
 * requests read once: adding an item or reloading swaps it atomically, so no request is dropped or sees half
 * of a change. Admin routes answer only requests from the loopback interface.
 */
public final class RecommendationServer implements AutoCloseable {
  /** Largest k a request may ask for. */
  static final int MAX_K = 1000;
  /** Largest request body, in bytes (a 4,096-d feature row is ~80 kB of JSON). */
  static final long MAX_BODY = 1 << 20;

  private final AtomicReference<ServedModel> current;
  private final Path modelDir;
  private final Javalin app;
  private final ObjectMapper json = new ObjectMapper();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Object writeLock = new Object();
  private final byte[] page;
  private final byte[] openapi;

  /** Starts the service on host:port (port 0 picks a free port). */
  public static RecommendationServer start(ExportedModel model, Path modelDir, String host, int port) {
    return new RecommendationServer(model, modelDir, host, port);
  }

  private RecommendationServer(ExportedModel model, Path modelDir, String host, int port) {
    this.current = new AtomicReference<>(ServedModel.of(model));
    this.modelDir = modelDir;
    this.page = resource("index.html");
    this.openapi = resource("openapi.json");
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.http.maxRequestSize = MAX_BODY;
      config.http.prefer405over404 = true;
      config.jsonMapper(new JavalinJackson(json, false));
    });
    routes();
    app.start(host, port);
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private void routes() {
    app.before(ctx -> {
      ctx.attribute("t0", System.nanoTime());
      String len = ctx.header("Content-Length");
      if (len != null) {
        long n;
        try {
          n = Long.parseLong(len.trim());
        } catch (NumberFormatException e) {
          throw ApiError.badRequest("Content-Length '" + len + "' is not a number");
        }
        if (n > MAX_BODY) {
          throw new ApiError(413, "body_too_large", "the request body has " + n + " bytes; at most " + MAX_BODY + " are accepted");
        }
      }
    });
    app.after(ctx -> {
      Long t0 = ctx.attribute("t0");
      if (t0 != null) {
        String route = ctx.endpointHandlerPath();
        Timer.builder("userec_http_requests")
            .description("HTTP requests by route and status")
            .tag("route", route == null || route.isEmpty() ? "unmatched" : route)
            .tag("method", ctx.method().name())
            .tag("status", Integer.toString(ctx.statusCode()))
            .register(metrics)
            .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      }
    });
    app.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.error, e.getMessage()));
    app.exception(HttpResponseException.class, (e, ctx) -> {
      int status = e.getStatus();
      String name = status == 404 ? "not_found" : status == 405 ? "method_not_allowed" : status == 413 ? "body_too_large" : "http_" + status;
      String detail = status == 404 ? "no route " + ctx.method() + " " + ctx.path() + "; see /openapi.json" : e.getMessage();
      error(ctx, status, name, detail);
    });
    app.exception(Exception.class, (e, ctx) -> error(ctx, 500, "internal", e.getClass().getSimpleName() + ": " + e.getMessage()));
    app.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        error(ctx, 404, "not_found", "no route " + ctx.method() + " " + ctx.path() + "; see /openapi.json");
      }
    });

    app.get("/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
    app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    app.get("/health", ctx -> {
      ServedModel m = current.get();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", "ok");
      out.put("model", m.base.model());
      out.put("users", m.numUsers());
      out.put("items", m.numItems);
      out.put("new_items", m.encoderOrNull() != null);
      out.put("rss_bytes", residentBytes());
      ctx.json(out);
    });
    app.get("/v1/users/{user}/recommendations", ctx -> {
      ServedModel m = current.get();
      int k = k(ctx, 20);
      String id = ctx.pathParam("user");
      int u = m.user(id);
      if (u < 0) {
        throw ApiError.notFound("unknown user '" + id + "'; give a raw user id or an internal id in [0, " + m.numUsers() + ")");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("user", m.userId(u));
      out.put("internal_id", u);
      out.put("history", items(m, m.base.trainItems()[u], null));
      out.put("recommendations", items(m, m.forUser(u, k)));
      ctx.json(out);
    });
    app.get("/v1/items/{item}/similar", ctx -> {
      ServedModel m = current.get();
      int k = k(ctx, 10);
      String id = ctx.pathParam("item");
      int i = m.item(id);
      if (i < 0) {
        throw ApiError.notFound("unknown item '" + id + "'; give a raw item id or an internal id in [0, " + m.numItems + ")");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("item", item(m, i, null));
      out.put("similar", items(m, m.similar(i, k)));
      ctx.json(out);
    });
    app.post("/v1/recommendations", ctx -> {
      ServedModel m = current.get();
      JsonNode body = object(ctx);
      int k = bodyK(body, 20);
      JsonNode list = body.get("items");
      if (list == null) {
        throw ApiError.badRequest("missing field 'items': give the visitor's history as a list of item ids");
      }
      if (!list.isArray()) {
        throw ApiError.badRequest("field 'items' must be a list of item ids, got " + kind(list));
      }
      if (list.isEmpty()) {
        throw ApiError.badRequest("field 'items' is empty; give at least one item id");
      }
      if (list.size() > MAX_K) {
        throw ApiError.badRequest("field 'items' lists " + list.size() + " items; at most " + MAX_K);
      }
      int[] history = new int[list.size()];
      for (int q = 0; q < history.length; q++) {
        JsonNode x = list.get(q);
        if (!x.isTextual() && !x.isIntegralNumber()) {
          throw ApiError.badRequest("items[" + q + "] must be an item id (string or integer), got " + kind(x));
        }
        int i = m.item(x.asText());
        if (i < 0) {
          throw new ApiError(422, "unknown_item", "items[" + q + "]: unknown item '" + x.asText() + "'");
        }
        history[q] = i;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("history", items(m, history, null));
      out.put("recommendations", items(m, m.forHistory(history, k)));
      ctx.json(out);
    });
    app.post("/v1/items", ctx -> ctx.status(201).json(addItem(object(ctx))));
    app.post("/admin/reload", ctx -> {
      requireLoopback(ctx);
      String body = ctx.body();
      Path dir = modelDir;
      if (!body.isBlank()) {
        JsonNode b = parse(body);
        if (!b.isObject()) {
          throw ApiError.badRequest("the body must be a JSON object like {\"model\": \"models/baby\"}, got " + kind(b));
        }
        JsonNode p = b.get("model");
        if (p != null && !p.isTextual()) {
          throw ApiError.badRequest("field 'model' must be a folder path (string), got " + kind(p));
        }
        if (p != null) {
          dir = Path.of(p.asText());
        }
      }
      if (dir == null) {
        throw ApiError.badRequest("give {\"model\": \"FOLDER\"}: this server was started from memory");
      }
      ExportedModel next;
      try {
        next = ExportedModel.load(dir);
      } catch (BadInputException e) {
        throw new ApiError(422, "bad_model", e.getMessage());
      }
      ServedModel s = ServedModel.of(next);
      synchronized (writeLock) {
        current.set(s);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", "reloaded");
      out.put("model", next.model());
      out.put("folder", dir.toString());
      out.put("users", s.numUsers());
      out.put("items", s.numItems);
      ctx.json(out);
    });
  }

  private Map<String, Object> addItem(JsonNode body) {
    ServedModel snapshot = current.get();
    ItemEncoder enc = snapshot.encoderOrNull();
    if (enc == null) {
      throw new ApiError(422, "new_items_unsupported", "this model cannot embed an item from its features: " + snapshot.base.encoderUnsupported());
    }
    JsonNode f = body.get("features");
    if (f == null) {
      throw ApiError.badRequest("missing field 'features': give {\"features\": {\"" + enc.modalities().get(0).name() + "\": [numbers], ...}}");
    }
    if (!f.isObject()) {
      throw ApiError.badRequest("field 'features' must be an object of modality name -> list of numbers, got " + kind(f));
    }
    List<float[]> rows = new ArrayList<>();
    for (ItemEncoder.Modality mod : enc.modalities()) {
      JsonNode v = f.get(mod.name());
      if (v == null) {
        throw ApiError.badRequest("features lack modality '" + mod.name() + "' (the model uses " + names(enc) + ")");
      }
      if (!v.isArray()) {
        throw ApiError.badRequest("features." + mod.name() + " must be a list of " + mod.featureDim() + " numbers, got " + kind(v));
      }
      if (v.size() != mod.featureDim()) {
        throw ApiError.badRequest("features." + mod.name() + " has " + v.size() + " values; the model's " + mod.name() + " features have " + mod.featureDim());
      }
      float[] x = new float[v.size()];
      for (int c = 0; c < x.length; c++) {
        JsonNode n = v.get(c);
        if (!n.isNumber()) {
          throw ApiError.badRequest("features." + mod.name() + "[" + c + "] must be a number, got " + kind(n));
        }
        x[c] = (float) n.asDouble();
        if (!Float.isFinite(x[c])) {
          throw ApiError.badRequest("features." + mod.name() + "[" + c + "] = " + n.asText() + " does not fit a float");
        }
      }
      rows.add(x);
    }
    for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (enc.modalities().stream().noneMatch(mod -> mod.name().equals(name))) {
        throw ApiError.badRequest("features has unknown modality '" + name + "'; the model uses " + names(enc));
      }
    }
    JsonNode t = body.get("title");
    if (t != null && !t.isTextual() && !t.isNull()) {
      throw ApiError.badRequest("field 'title' must be a string, got " + kind(t));
    }
    JsonNode idNode = body.get("id");
    if (idNode != null && !idNode.isTextual()) {
      throw ApiError.badRequest("field 'id' must be a string, got " + kind(idNode));
    }
    synchronized (writeLock) {
      ServedModel m = current.get();
      ItemEncoder e = m.encoderOrNull();
      if (e == null) {
        throw new ApiError(422, "new_items_unsupported", "the model was reloaded and cannot embed items: " + m.base.encoderUnsupported());
      }
      String id = idNode != null ? idNode.asText() : "new-" + m.numItems;
      if (id.isEmpty() || m.hasItemId(id)) {
        throw new ApiError(409, "item_exists", id.isEmpty() ? "field 'id' is empty" : "item '" + id + "' already exists; choose another id");
      }
      float[] emb = m.embedNew(rows);
      ServedModel next = m.withItem(id, t == null || t.isNull() ? null : t.asText(), emb);
      current.set(next);
      Map<String, Object> out = item(next, next.numItems - 1, null);
      out.put("embedding", emb);
      return out;
    }
  }

  private static String names(ItemEncoder enc) {
    return enc.modalities().stream().map(ItemEncoder.Modality::name).toList().toString();
  }

  private void requireLoopback(Context ctx) {
    boolean loopback;
    try {
      loopback = InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      loopback = false;
    }
    if (!loopback) {
      throw new ApiError(403, "forbidden", "admin routes answer only requests from this machine (loopback)");
    }
  }

  private static void error(Context ctx, int status, String error, String detail) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("error", error);
    out.put("detail", detail);
    ctx.status(status).json(out);
  }

  private JsonNode object(Context ctx) {
    String body = ctx.body();
    if (body.isBlank()) {
      throw ApiError.badRequest("the request body is empty; send a JSON object");
    }
    JsonNode n = parse(body);
    if (!n.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object, got " + kind(n));
    }
    return n;
  }

  private JsonNode parse(String body) {
    try {
      return json.readTree(body);
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage();
      throw ApiError.badRequest("malformed JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": " + msg);
    }
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> n.getNodeType().toString().toLowerCase();
    };
  }

  /** Query parameter k: an integer in [1, MAX_K]. */
  private static int k(Context ctx, int fallback) {
    String s = ctx.queryParam("k");
    if (s == null) {
      return fallback;
    }
    return checkK(s.trim());
  }

  private static int bodyK(JsonNode body, int fallback) {
    JsonNode k = body.get("k");
    if (k == null) {
      return fallback;
    }
    if (!k.isIntegralNumber()) {
      throw ApiError.badRequest("k must be an integer between 1 and " + MAX_K + ", got " + k);
    }
    return checkK(k.asText());
  }

  private static int checkK(String s) {
    int k;
    try {
      k = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("k must be an integer between 1 and " + MAX_K + ", got '" + s + "'");
    }
    if (k < 1 || k > MAX_K) {
      throw ApiError.badRequest("k must be between 1 and " + MAX_K + ", got " + k);
    }
    return k;
  }

  private static List<Map<String, Object>> items(ServedModel m, ServedModel.Ranked r) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int q = 0; q < r.items().length; q++) {
      out.add(item(m, r.items()[q], r.scores()[q]));
    }
    return out;
  }

  private static List<Map<String, Object>> items(ServedModel m, int[] ids, Float score) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i : ids) {
      out.add(item(m, i, score));
    }
    return out;
  }

  private static Map<String, Object> item(ServedModel m, int i, Float score) {
    Map<String, Object> x = new LinkedHashMap<>();
    x.put("item", m.itemIds[i]);
    x.put("internal_id", i);
    if (m.titles[i] != null) {
      x.put("title", m.titles[i]);
    }
    if (score != null) {
      x.put("score", Float.isFinite(score) ? score : null);
    }
    return x;
  }

  private static byte[] resource(String name) {
    try (InputStream in = RecommendationServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** This process's resident set size from /proc/self/status (Linux), or null elsewhere. */
  static Long residentBytes() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
