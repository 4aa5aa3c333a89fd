package org.userec.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.userec.BadInputException;
import org.userec.data.FeatureTable;
import org.userec.data.NpyReader;
import org.userec.data.raw.ItemMeta;
import org.userec.data.raw.ItemTable;
import org.userec.data.raw.Literal;

/**
 * The MLLM path end to end against a local OpenAI-style embeddings server (com.sun.net.httpserver on
 * 127.0.0.1, random port) that returns a deterministic vector per prompt, counts requests, and can be told to
 * fail after a number of requests (a crash of the server or of the run).
 */
class MllmFeaturesTest {
  static final int ITEMS = 30;
  static final int DIM = 24;

  @TempDir Path tmp;
  HttpServer server;
  final AtomicInteger requests = new AtomicInteger();
  final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  volatile int failAfter = Integer.MAX_VALUE;
  String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/embeddings", ex -> {
      byte[] in = ex.getRequestBody().readAllBytes();
      String body = new String(in, StandardCharsets.UTF_8);
      int n = requests.incrementAndGet();
      bodies.add(body);
      byte[] out;
      int code;
      if (n > failAfter) {
        code = 500;
        out = "{\"error\": {\"message\": \"simulated crash\"}}".getBytes(StandardCharsets.UTF_8);
      } else {
        code = 200;
        out = response(body).getBytes(StandardCharsets.UTF_8);
      }
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(code, out.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(out);
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** A vector determined by the request's text: 3 latent factors from the title's hash plus small noise. */
  static String response(String body) {
    Map<String, Object> m = Literal.parseObject(body, null);
    List<?> messages = (List<?>) m.get("messages");
    List<?> content = (List<?>) ((Map<?, ?>) messages.get(0)).get("content");
    String text = null;
    for (Object part : content) {
      Map<?, ?> p = (Map<?, ?>) part;
      if ("text".equals(p.get("type"))) {
        text = (String) p.get("text");
      }
    }
    SplittableRandom rng = new SplittableRandom(text.hashCode());
    StringBuilder b = new StringBuilder("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[");
    double[] z = {rng.nextGaussian() * 5, rng.nextGaussian() * 2, rng.nextGaussian()};
    for (int k = 0; k < DIM; k++) {
      double v = 10 + z[k % 3] * (1 + k % 2) + 0.01 * rng.nextGaussian();
      b.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6f", v));
    }
    return b.append("]}],\"model\":\"fake\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}").toString();
  }

  Path items() {
    List<ItemMeta> metas = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      metas.add(new ItemMeta("A" + i, "Item " + i + " \"quoted\"", i % 3 == 0 ? "" : "Line one\nline two\tof item " + i, i % 2 == 0 ? "$" + i + ".99" : "",
          "Brand" + (i % 4), List.of(), i % 5 == 0 ? "" : "https://img.example/" + i + ".jpg"));
    }
    Path p = tmp.resolve("items.tsv");
    ItemTable.of(metas).write(p);
    return p;
  }

  OpenAiEmbeddingsClient client(int retries) {
    return new OpenAiEmbeddingsClient(OpenAiEmbeddingsClient.Settings.of(base, "fake-vlm").withRetries(retries, Duration.ofMillis(10)));
  }

  MllmFeatures.Spec spec(Path items, Path cache, Path out, int dims, int concurrency) {
    return new MllmFeatures.Spec(items, null, cache, out, dims, concurrency, false);
  }

  @Test
  void requestCarriesTheFilledPromptAndTheImage() throws Exception {
    Path items = items();
    MllmFeatures.Report r = MllmFeatures.run(spec(items, tmp.resolve("c.bin"), tmp.resolve("image_feat.npy"), 0, 1), client(0), "k", s -> {});
    assertThat(r.requested()).isEqualTo(ITEMS);
    assertThat(r.withoutImage()).isEqualTo(6); // items 0, 5, 10, 15, 20, 25
    String first = bodies.get(0);
    Map<String, Object> m = Literal.parseObject(first, null);
    assertThat(m.get("model")).isEqualTo("fake-vlm");
    assertThat(m.get("encoding_format")).isEqualTo("float");
    String body1 = bodies.stream().filter(b -> b.contains("Item 1 ")).findFirst().orElseThrow();
    List<?> content = (List<?>) ((Map<?, ?>) ((List<?>) Literal.parseObject(body1, null).get("messages")).get(0)).get("content");
    assertThat(((Map<?, ?>) ((Map<?, ?>) content.get(0)).get("image_url")).get("url")).isEqualTo("https://img.example/1.jpg");
    String prompt = (String) ((Map<?, ?>) content.get(1)).get("text");
    assertThat(prompt).startsWith("Please provide a detailed and comprehensive multi-dimensional analysis");
    assertThat(prompt).contains("product description: The title is Item 1 \"quoted\". The detailed description is Line one\nline two\tof item 1. "
        + "The price is unknown. The brand is Brand1.\n");
    FeatureTable t = NpyReader.read(tmp.resolve("image_feat.npy"));
    assertThat(t.rows()).isEqualTo(ITEMS);
    assertThat(t.cols()).isEqualTo(DIM);
    for (int i = 0; i < ITEMS; i++) { // no PCA: rows are the L2-normalised server vectors
      double s = 0;
      for (int c = 0; c < DIM; c++) {
        s += t.data()[i * DIM + c] * (double) t.data()[i * DIM + c];
      }
      assertThat(s).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void crashMidRunThenResumeRequestsOnlyTheMissingItems() throws Exception {
    Path items = items();
    // The reference: one uninterrupted run.
    MllmFeatures.run(spec(items, tmp.resolve("ref.bin"), tmp.resolve("ref.npy"), 8, 1), client(0), "k", s -> {});
    requests.set(0);

    // The server dies after 12 requests; the run stops with a message telling how to resume.
    failAfter = 12;
    Path cache = tmp.resolve("cache.bin");
    Path out = tmp.resolve("image_feat.npy");
    assertThatThrownBy(() -> MllmFeatures.run(spec(items, cache, out, 8, 3), client(1), "k", s -> {}))
        .isInstanceOf(MllmFeatures.ExtractionStopped.class)
        .hasMessageContaining("rerun the same command to resume");
    assertThat(Files.exists(out)).isFalse();
    int finished;
    try (EmbeddingCache c = EmbeddingCache.open(cache, "k", false)) {
      finished = c.done().cardinality();
    }
    assertThat(finished).isEqualTo(12);

    // A crash while writing leaves a torn record: half of one appended by hand.
    byte[] torn = {5, 0, 0, 0, DIM, 0, 0, 0, 1, 2, 3};
    Files.write(cache, torn, StandardOpenOption.APPEND);

    // Resume against a healthy server: only the 18 missing items are requested.
    failAfter = Integer.MAX_VALUE;
    requests.set(0);
    List<String> log = new ArrayList<>();
    MllmFeatures.Report r = MllmFeatures.run(spec(items, cache, out, 8, 2), client(0), "k", log::add);
    assertThat(requests.get()).isEqualTo(ITEMS - finished);
    assertThat(r.requested()).isEqualTo(ITEMS - finished);
    assertThat(r.fromCache()).isEqualTo(finished);
    assertThat(log).anyMatch(l -> l.contains("torn last record (11 bytes)"));
    assertThat(r.pca().outputDims()).isEqualTo(8);
    assertThat(r.pca().explained()).isGreaterThan(0.9).isLessThanOrEqualTo(1.0 + 1e-9);

    // The result equals the uninterrupted run's, bit for bit.
    assertThat(NpyReader.read(out).data()).containsExactly(NpyReader.read(tmp.resolve("ref.npy")).data());

    // A third run finds everything cached and requests nothing.
    requests.set(0);
    MllmFeatures.run(spec(items, cache, out, 8, 2), client(0), "k", s -> {});
    assertThat(requests.get()).isZero();
  }

  @Test
  void retriesPassingFailuresAndRefusesAnotherModelsCache() throws Exception {
    Path items = items();
    failAfter = 0; // every request fails ...
    Thread healer = new Thread(() -> {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      failAfter = Integer.MAX_VALUE; // ... until the server recovers
    });
    healer.start();
    OpenAiEmbeddingsClient c = new OpenAiEmbeddingsClient(OpenAiEmbeddingsClient.Settings.of(base, "fake-vlm").withRetries(8, Duration.ofMillis(20)));
    MllmFeatures.Report r = MllmFeatures.run(spec(items, tmp.resolve("c.bin"), tmp.resolve("o.npy"), 4, 1), c, "model-a", s -> {});
    healer.join();
    assertThat(r.items()).isEqualTo(ITEMS);
    assertThatThrownBy(() -> MllmFeatures.run(spec(items, tmp.resolve("c.bin"), tmp.resolve("o.npy"), 4, 1), c, "model-b", s -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("made for [model-a]");
  }

  @Test
  void clientReportsServerErrorsAndUnreachableServers() {
    OpenAiEmbeddingsClient c = client(0);
    MllmBackend.Request req = new MllmBackend.Request(0, "p", MllmBackend.Image.NONE);
    server.removeContext("/v1/embeddings");
    server.createContext("/v1/embeddings", ex -> {
      byte[] out = "{\"error\": \"bad model\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(400, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    assertThatThrownBy(() -> c.embed(req)).isInstanceOf(IOException.class).hasMessageContaining("HTTP 400").hasMessageContaining("bad model");
    server.stop(0);
    assertThatThrownBy(() -> c.embed(req)).isInstanceOf(IOException.class).hasMessageContaining("is the server up?");
    assertThat(new OpenAiEmbeddingsClient(OpenAiEmbeddingsClient.Settings.of("http://h:1/v1/", "m")).endpoint().toString())
        .isEqualTo("http://h:1/v1/embeddings");
  }

  @Test
  void localImagesTravelAsDataUrls() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("img"));
    Files.write(dir.resolve("A1.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    Path items = items();
    MllmFeatures.Spec s = new MllmFeatures.Spec(items, dir, tmp.resolve("c.bin"), tmp.resolve("o.npy"), 0, 1, false);
    MllmBackend.Image im = MllmFeatures.image(ItemTable.read(items), 1, s);
    assertThat(im.url()).isEqualTo("data:image/png;base64,iVBORw0KGgo=");
    assertThat(MllmFeatures.image(ItemTable.read(items), 2, s).url()).isEqualTo("https://img.example/2.jpg");
  }
}
