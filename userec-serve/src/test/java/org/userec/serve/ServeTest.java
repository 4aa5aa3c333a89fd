package org.userec.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.userec.data.Dataset;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.eval.DotScorer;
import org.userec.export.ExportedModel;
import org.userec.export.Recommendations;

/** The service over a LightGCN and a PGL model trained briefly on the tiny dataset. */
class ServeTest {
  @TempDir static Path dir;
  static Dataset cold;
  static Fixtures.Trained pgl;
  static Path lightgcnDir;
  static Path pglDir;
  static RecommendationServer lightgcn;
  static RecommendationServer pglServer;
  static Http http;
  static Http pglHttp;

  @BeforeAll
  static void start() {
    Path data = dir.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);
    cold = Fixtures.coldLast();
    Fixtures.Trained lg = Fixtures.train("LightGCN", cold, dir.resolve("run-lg"));
    lightgcnDir = Fixtures.export("LightGCN", lg, data, dir.resolve("lightgcn"), dir.resolve("run-lg"));
    pgl = Fixtures.train("PGL", cold, dir.resolve("run-pgl"));
    pglDir = Fixtures.export("PGL", pgl, data, dir.resolve("pgl"), dir.resolve("run-pgl"));
    lightgcn = RecommendationServer.start(ExportedModel.load(lightgcnDir), lightgcnDir, "127.0.0.1", 0);
    pglServer = RecommendationServer.start(Fixtures.withoutLastItem(ExportedModel.load(pglDir)), null, "127.0.0.1", 0);
    http = new Http(lightgcn.port());
    pglHttp = new Http(pglServer.port());
  }

  @AfterAll
  static void stop() {
    lightgcn.close();
    pglServer.close();
  }

  @Test
  void servedListsEqualRecommendsForEveryUser() {
    ExportedModel m = ExportedModel.load(lightgcnDir);
    int[][] batch = Recommendations.forUsers(m, Recommendations.allUsers(m), 20, null, null);
    for (int u = 0; u < m.numUsers(); u++) {
      Http.Reply r = http.get("/v1/users/" + u + "/recommendations?k=20");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonNode recs = r.json().get("recommendations");
      int[] served = new int[recs.size()];
      for (int q = 0; q < served.length; q++) {
        served[q] = recs.get(q).get("internal_id").asInt();
      }
      assertThat(served).as("user " + u).isEqualTo(batch[u]);
      assertThat(r.json().get("history").size()).isEqualTo(m.trainItems()[u].length);
    }
  }

  @Test
  void healthMetricsOpenapiAndSimilar() {
    JsonNode h = http.get("/health").json();
    assertThat(h.get("status").asText()).isEqualTo("ok");
    assertThat(h.get("model").asText()).isEqualTo("LightGCN");
    assertThat(h.get("new_items").asBoolean()).isFalse();
    http.get("/v1/users/3/recommendations");
    String metrics = http.get("/metrics").body();
    assertThat(metrics).contains("userec_http_requests_seconds_count{").contains("route=\"/v1/users/{user}/recommendations\"").contains("jvm_memory_used_bytes");
    JsonNode api = http.get("/openapi.json").json();
    assertThat(api.get("openapi").asText()).startsWith("3.");
    assertThat(api.get("paths").has("/v1/items")).isTrue();
    JsonNode sim = http.get("/v1/items/7/similar?k=5").json().get("similar");
    assertThat(sim.size()).isEqualTo(5);
    for (int q = 0; q < 5; q++) {
      assertThat(sim.get(q).get("internal_id").asInt()).isNotEqualTo(7);
      if (q > 0) {
        assertThat(sim.get(q).get("score").asDouble()).isLessThanOrEqualTo(sim.get(q - 1).get("score").asDouble());
      }
    }
    assertThat(sim.get(0).get("score").asDouble()).isBetween(-1.0, 1.0001);
  }

  @Test
  void foldInRanksByTheHistorysMeanAndExcludesIt() {
    JsonNode r = http.post("/v1/recommendations", "{\"items\": [\"3\", 5, \"8\"], \"k\": 10}").json();
    JsonNode recs = r.get("recommendations");
    assertThat(recs.size()).isEqualTo(10);
    List<Integer> ids = new ArrayList<>();
    recs.forEach(x -> ids.add(x.get("internal_id").asInt()));
    assertThat(ids).doesNotContain(3, 5, 8);
    // the same list as the mean vector ranked by hand
    ExportedModel m = ExportedModel.load(lightgcnDir);
    float[] v = new float[m.dim()];
    for (int i : new int[] {3, 5, 8}) {
      for (int c = 0; c < m.dim(); c++) {
        v[c] += m.items()[i * m.dim() + c];
      }
    }
    double[] s = new double[m.numItems()];
    Integer[] order = new Integer[m.numItems()];
    for (int i = 0; i < s.length; i++) {
      for (int c = 0; c < m.dim(); c++) {
        s[i] += (double) v[c] / 3 * m.items()[i * m.dim() + c];
      }
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(s[b], s[a]));
    List<Integer> expected = Arrays.stream(order).filter(i -> i != 3 && i != 5 && i != 8).limit(10).toList();
    assertThat(ids).isEqualTo(expected);
  }

  @Test
  void aNewItemIsEmbeddedAsOfflineAndRecommendedToAHistoryLikeIt() {
    int last = cold.numItems() - 1;
    float[] offline = Arrays.copyOfRange(((DotScorer) pgl.model().scorer()).itemEmbeddings(), last * 64, (last + 1) * 64);
    assertThat(((DotScorer) pgl.model().scorer()).dim()).isEqualTo(64 * cold.features().size());
    // not yet known
    assertThat(pglHttp.get("/v1/items/" + last + "/similar").status()).isEqualTo(404);
    StringBuilder body = new StringBuilder("{\"id\": \"fresh-1\", \"title\": \"A new product\", \"features\": {");
    List<float[]> x = Fixtures.features(cold, last);
    for (int m = 0; m < x.size(); m++) {
      body.append(m == 0 ? "" : ", ").append('"').append(cold.features().get(m).name()).append("\": ").append(Arrays.toString(x.get(m)));
    }
    body.append("}}");
    Http.Reply r = pglHttp.post("/v1/items", body.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode added = r.json();
    assertThat(added.get("internal_id").asInt()).isEqualTo(last);
    JsonNode emb = added.get("embedding");
    float[] d = ((DotScorer) pgl.model().scorer()).itemEmbeddings();
    int dim = emb.size();
    for (int c = 0; c < dim; c++) {
      assertThat(Math.abs(emb.get(c).floatValue() - d[last * dim + c])).as("column " + c).isLessThan(2e-6f);
    }
    // its nearest items make a visitor's history: the new item comes first for that visitor
    JsonNode sim = pglHttp.get("/v1/items/fresh-1/similar?k=3").json().get("similar");
    StringBuilder hist = new StringBuilder("{\"k\": 5, \"items\": [");
    for (int q = 0; q < sim.size(); q++) {
      hist.append(q == 0 ? "" : ", ").append(sim.get(q).get("internal_id").asInt());
    }
    JsonNode recs = pglHttp.post("/v1/recommendations", hist.append("]}").toString()).json().get("recommendations");
    List<String> ids = new ArrayList<>();
    recs.forEach(n -> ids.add(n.get("item").asText()));
    assertThat(ids).contains("fresh-1");
    JsonNode titled = recs.get(ids.indexOf("fresh-1"));
    assertThat(titled.get("title").asText()).isEqualTo("A new product");
    // and a known user whose trained vector points its way gets it in their list
    ExportedModel m = ExportedModel.load(pglDir);
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int u = 0; u < m.numUsers(); u++) {
      double s = 0;
      for (int c = 0; c < dim; c++) {
        s += m.users()[u * dim + c] * emb.get(c).doubleValue();
      }
      if (s > bestScore) {
        bestScore = s;
        best = u;
      }
    }
    JsonNode userRecs = pglHttp.get("/v1/users/" + best + "/recommendations?k=10").json().get("recommendations");
    List<String> uids = new ArrayList<>();
    userRecs.forEach(n -> uids.add(n.get("item").asText()));
    assertThat(uids).contains("fresh-1");
    assertThat(pglHttp.post("/v1/items", body.toString()).status()).isEqualTo(409);
  }

  @Test
  void reloadSwapsTheModelWithoutDroppingRequests() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<int[]>> clients = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      int seed = c;
      clients.add(pool.submit(() -> {
        int ok = 0;
        int bad = 0;
        for (int n = seed; !done.get() || n < seed + 20; n++) {
          int status = http.get("/v1/users/" + (n % 150) + "/recommendations?k=10").status();
          if (status == 200) {
            ok++;
          } else {
            bad++;
          }
        }
        return new int[] {ok, bad};
      }));
    }
    for (int r = 0; r < 4; r++) {
      Http.Reply rr = http.post("/admin/reload", r % 2 == 0 ? "{\"model\": \"" + pglDir + "\"}" : "{\"model\": \"" + lightgcnDir + "\"}");
      assertThat(rr.status()).as(rr.body()).isEqualTo(200);
      assertThat(http.get("/health").json().get("model").asText()).isEqualTo(r % 2 == 0 ? "PGL" : "LightGCN");
    }
    done.set(true);
    int ok = 0;
    for (Future<int[]> f : clients) {
      int[] x = f.get();
      assertThat(x[1]).isZero();
      ok += x[0];
    }
    pool.shutdown();
    assertThat(ok).isGreaterThanOrEqualTo(60);
    // the plain form reloads the folder the server was started from
    assertThat(http.post("/admin/reload", "").json().get("folder").asText()).isEqualTo(lightgcnDir.toString());
  }

  @Test
  void loadTestMeasuresBothRoutesWithoutErrors() throws Exception {
    LoadTest.Result r = LoadTest.run(new LoadTest.Options(java.net.URI.create("http://127.0.0.1:" + lightgcn.port()), 2, 0, 2, 10, 1));
    assertThat(r.routes()).hasSize(2);
    for (LoadTest.RouteResult x : r.routes()) {
      assertThat(x.requests()).as(x.route()).isPositive();
      assertThat(x.errors()).as(r.firstError()).isZero();
      assertThat(x.p50()).isPositive().isLessThanOrEqualTo(x.p90());
      assertThat(x.p90()).isLessThanOrEqualTo(x.p99());
      assertThat(x.p99()).isLessThanOrEqualTo(x.max());
    }
    assertThat(r.rssAfterWarmup()).isPositive();
    assertThat(r.table()).contains("GET /v1/users/{user}/recommendations").contains("GET /health").contains("server RSS");
  }

  static String big() {
    return "{\"items\": [\"" + "x".repeat((int) RecommendationServer.MAX_BODY) + "\"]}";
  }

  static String features(int imageLen, String extra) {
    return "{\"features\": {\"image\": " + Arrays.toString(new float[imageLen]) + ", \"text\": " + Arrays.toString(new float[16]) + extra + "}}";
  }

  /** Malformed or impossible requests: method, path, body, expected status, a phrase of the detail. */
  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("lg", "GET", "/v1/users/3/recommendations?k=abc", null, 400, "k must be an integer"),
        Arguments.of("lg", "GET", "/v1/users/3/recommendations?k=0", null, 400, "k must be between 1 and 1000, got 0"),
        Arguments.of("lg", "GET", "/v1/users/3/recommendations?k=-4", null, 400, "got -4"),
        Arguments.of("lg", "GET", "/v1/users/3/recommendations?k=1001", null, 400, "got 1001"),
        Arguments.of("lg", "GET", "/v1/users/3/recommendations?k=2.5", null, 400, "'2.5'"),
        Arguments.of("lg", "GET", "/v1/users/3/recommendations?k=", null, 400, "k must be an integer"),
        Arguments.of("lg", "GET", "/v1/users/nobody/recommendations", null, 404, "unknown user 'nobody'"),
        Arguments.of("lg", "GET", "/v1/users/200/recommendations", null, 404, "unknown user '200'"),
        Arguments.of("lg", "GET", "/v1/users/99999999999/recommendations", null, 404, "unknown user"),
        Arguments.of("lg", "GET", "/v1/items/nothing/similar", null, 404, "unknown item 'nothing'"),
        Arguments.of("lg", "GET", "/v1/items/3/similar?k=x", null, 400, "k must be an integer"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"items\": [1, 2", 400, "malformed JSON"),
        Arguments.of("lg", "POST", "/v1/recommendations", "", 400, "the request body is empty"),
        Arguments.of("lg", "POST", "/v1/recommendations", "[1, 2]", 400, "must be a JSON object, got a list"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"k\": 3}", 400, "missing field 'items'"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"items\": \"3\"}", 400, "must be a list of item ids, got a string"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"items\": []}", 400, "'items' is empty"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"items\": [{\"id\": 3}]}", 400, "items[0] must be an item id"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"items\": [3, \"ghost\"]}", 422, "items[1]: unknown item 'ghost'"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"items\": [3], \"k\": \"ten\"}", 400, "k must be an integer"),
        Arguments.of("lg", "POST", "/v1/recommendations", "{\"items\": [3], \"k\": 0}", 400, "got 0"),
        Arguments.of("lg", "POST", "/v1/recommendations", big(), 413, "at most 1048576"),
        Arguments.of("lg", "POST", "/v1/items", features(32, ""), 422, "LightGCN represents an item by its trained ID embedding"),
        Arguments.of("lg", "GET", "/v2/nothing", null, 404, "no route GET /v2/nothing"),
        Arguments.of("lg", "DELETE", "/health", null, 405, ""),
        Arguments.of("lg", "POST", "/admin/reload", "{\"model\": 5}", 400, "must be a folder path"),
        Arguments.of("lg", "POST", "/admin/reload", "{\"model\": \"/no/such/folder\"}", 422, "not a userec model folder"),
        Arguments.of("pgl", "POST", "/v1/items", "{\"title\": \"x\"}", 400, "missing field 'features'"),
        Arguments.of("pgl", "POST", "/v1/items", "{\"features\": [1, 2]}", 400, "'features' must be an object"),
        Arguments.of("pgl", "POST", "/v1/items", features(31, ""), 400, "features.image has 31 values; the model's image features have 32"),
        Arguments.of("pgl", "POST", "/v1/items", "{\"features\": {\"image\": " + Arrays.toString(new float[32]) + "}}", 400, "features lack modality 'text'"),
        Arguments.of("pgl", "POST", "/v1/items", features(32, ", \"audio\": [1]"), 400, "unknown modality 'audio'"),
        Arguments.of("pgl", "POST", "/v1/items", features(32, "").replaceFirst("0\\.0", "\"a\""), 400, "features.image[0] must be a number, got a string"),
        Arguments.of("pgl", "POST", "/v1/items", features(32, "").replaceFirst("0\\.0", "1e300"), 400, "does not fit a float"),
        Arguments.of("pgl", "POST", "/v1/items", features(32, "").replaceFirst("\\{\"features", "{\"title\": 7, \"features"), 400, "'title' must be a string"),
        Arguments.of("pgl", "POST", "/v1/items", features(32, "").replaceFirst("\\{\"features", "{\"id\": \"0\", \"features"), 409, "item '0' already exists"));
  }

  @ParameterizedTest(name = "{1} {2} -> {4}")
  @MethodSource("malformed")
  void malformedRequestsGetA4xxWithJsonErrorAndDetail(String server, String method, String path, String body, int status, String phrase) {
    Http.Reply r = (server.equals("lg") ? http : pglHttp).send(method, path, body);
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonNode j = r.json();
    assertThat(j.has("error")).as(r.body()).isTrue();
    assertThat(j.get("detail").asText()).contains(phrase).doesNotContain("Exception").doesNotContain("at org.");
  }
}
