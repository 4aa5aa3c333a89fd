package org.userec.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.userec.BadInputException;
import org.userec.data.NpyWriter;
import org.userec.data.raw.ItemMeta;
import org.userec.data.raw.ItemTable;

/**
 * USERec's fused visual features (USERec-spec.md §1): for every item, the filled prompt and its image go to an
 * {@link MllmBackend}; the pooled vector is appended to an {@link EmbeddingCache} as soon as it arrives; when
 * every item has one, the vectors are L2-normalised and reduced by {@link Pca} (default 768 dimensions) into
 * {@code image_feat.npy}. Rerunning the same command after a crash or Ctrl-C requests only the missing items.
 */
public final class MllmFeatures {
  private MllmFeatures() {}

  /** Bumped when the prompt or request layout changes, so old caches are not mixed with new vectors. */
  public static final String PROMPT_VERSION = "userec-prompt-v1";

  /**
   * What to extract.
   *
   * @param imageDir folder of local images named {@code <asin>.<ext>} or {@code <itemID>.<ext>}; null to use the
   *     table's {@code image} column (URLs are passed on, relative paths are read from the table's folder)
   * @param pcaDims output dimensions; 0 keeps the backend's dimension (no PCA)
   * @param concurrency requests in flight (vLLM batches concurrent requests)
   */
  public record Spec(Path items, Path imageDir, Path cache, Path out, int pcaDims, int concurrency, boolean sync) {
    public Spec {
      if (pcaDims < 0) {
        throw new BadInputException("--dims " + pcaDims + ": must be >= 0 (0 = no PCA)");
      }
      if (concurrency < 1) {
        throw new BadInputException("--concurrency " + concurrency + ": must be >= 1");
      }
    }
  }

  /** What a run did. {@code pca} is null when no PCA was applied. */
  public record Report(int items, int requested, int fromCache, int rawDim, int outDim, int withoutImage, Pca pca, double seconds) {}

  /** Thrown when extraction stops early; the finished items are in the cache. */
  public static final class ExtractionStopped extends RuntimeException {
    ExtractionStopped(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static Report run(Spec spec, MllmBackend backend, String cacheKey, Consumer<String> log) {
    long t0 = System.nanoTime();
    ItemTable table = ItemTable.read(spec.items());
    int n = table.size();
    List<MllmBackend.Image> images = new ArrayList<>(n);
    int noImage = 0;
    for (int i = 0; i < n; i++) {
      MllmBackend.Image im = image(table, i, spec);
      images.add(im);
      noImage += im.present() ? 0 : 1;
    }
    if (noImage > 0) {
      log.accept(String.format(Locale.ROOT, "%,d of %,d items have no image; their requests carry the prompt only", noImage, n));
    }
    AtomicInteger requested = new AtomicInteger();
    int fromCache;
    float[] raw;
    int d;
    try (EmbeddingCache cache = EmbeddingCache.open(spec.cache(), cacheKey, spec.sync())) {
      if (cache.tornBytes() > 0) {
        log.accept(String.format(Locale.ROOT, "%s: ignored a torn last record (%d bytes) left by an interrupted run", spec.cache(), cache.tornBytes()));
      }
      BitSet done = cache.done();
      fromCache = done.get(0, n).cardinality();
      log.accept(String.format(Locale.ROOT, "%s: %,d of %,d items already done; %,d to request from %s", spec.cache(), fromCache, n, n - fromCache,
          backend.describe()));
      extract(table, images, done, n, cache, backend, spec.concurrency(), requested, log);
      d = cache.dim();
      raw = cache.readAll(n);
    } catch (IOException e) {
      throw new UncheckedIOException("embedding cache " + spec.cache() + ": " + e.getMessage(), e);
    }
    normalize(raw, n, d);
    Pca pca = null;
    float[] out = raw;
    int outDim = d;
    if (spec.pcaDims() > 0 && spec.pcaDims() < d) {
      pca = Pca.fit(raw, n, d, spec.pcaDims());
      out = pca.transform(raw, n);
      outDim = spec.pcaDims();
      log.accept(pca.describe(n));
    } else if (spec.pcaDims() > d) {
      throw new BadInputException("--dims " + spec.pcaDims() + " exceeds the backend's " + d + " dimensions; use --dims " + d + " or less (0 = no PCA)");
    }
    try {
      NpyWriter.writeFloat32(spec.out(), n, outDim, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + spec.out() + ": " + e.getMessage(), e);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    log.accept(String.format(Locale.ROOT, "wrote %s (%d x %d float32); %,d requests this run, %,d from the cache, %.1fs", spec.out(), n, outDim,
        requested.get(), fromCache, secs));
    return new Report(n, requested.get(), fromCache, d, outDim, noImage, pca, secs);
  }

  private static void extract(ItemTable table, List<MllmBackend.Image> images, BitSet done, int n, EmbeddingCache cache, MllmBackend backend,
      int concurrency, AtomicInteger requested, Consumer<String> log) {
    if (done.nextClearBit(0) >= n) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "mllm-request");
      t.setDaemon(true);
      return t;
    });
    Semaphore slots = new Semaphore(concurrency);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger failedItem = new AtomicInteger(-1);
    try (Progress progress = Progress.start("mllm features", n, done.get(0, n).cardinality(), log)) {
      for (int i = done.nextClearBit(0); i < n && failure.get() == null; i = done.nextClearBit(i + 1)) {
        slots.acquire();
        if (failure.get() != null) {
          slots.release();
          break;
        }
        int item = i;
        MllmBackend.Request req = new MllmBackend.Request(item, UserecPrompt.fill(table.meta(item)), images.get(item));
        pool.execute(() -> {
          try {
            requested.incrementAndGet();
            float[] v = backend.embed(req);
            cache.append(item, v);
            progress.step(1);
          } catch (Throwable e) {
            if (failure.compareAndSet(null, e)) {
              failedItem.set(item);
            }
          } finally {
            slots.release();
          }
        });
      }
      slots.acquire(concurrency); // wait for the requests in flight
      slots.release(concurrency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, e);
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Throwable f = failure.get();
    if (f != null) {
      BitSet now = cache.done();
      throw new ExtractionStopped(String.format(Locale.ROOT,
          "MLLM extraction stopped at item %d (%s); %,d of %,d items are safe in %s: rerun the same command to resume",
          failedItem.get(), f.getMessage() == null ? f.toString() : f.getMessage(), now.get(0, n).cardinality(), n, cache.file()), f);
    }
  }

  /** L2-normalises each row in place (a zero row stays zero). */
  static void normalize(float[] x, int n, int d) {
    for (int r = 0; r < n; r++) {
      double s = 0;
      for (int c = 0; c < d; c++) {
        s += x[r * d + c] * (double) x[r * d + c];
      }
      if (s > 0) {
        double inv = 1 / Math.sqrt(s);
        for (int c = 0; c < d; c++) {
          x[r * d + c] = (float) (x[r * d + c] * inv);
        }
      }
    }
  }

  private static final String[] EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif"};

  /** The image for item i: a local file (as a data URL) from the image folder or the table, a URL, or none. */
  static MllmBackend.Image image(ItemTable table, int i, Spec spec) {
    if (spec.imageDir() != null) {
      for (String name : new String[] {table.get(i, "asin"), String.valueOf(i)}) {
        if (name == null || name.isBlank()) {
          continue;
        }
        for (String ext : EXTENSIONS) {
          Path p = spec.imageDir().resolve(name + ext);
          if (Files.isRegularFile(p)) {
            return new MllmBackend.Image(dataUrl(p));
          }
        }
      }
    }
    String ref = table.get(i, "image").strip();
    if (ref.isEmpty()) {
      return MllmBackend.Image.NONE;
    }
    String lower = ref.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("data:")) {
      return new MllmBackend.Image(ref);
    }
    Path base = spec.items().toAbsolutePath().getParent();
    Path p = base.resolve(ref);
    if (!Files.isRegularFile(p)) {
      throw new BadInputException(spec.items() + ": item " + i + "'s image '" + ref + "' is neither a URL nor a file under " + base
          + "; fix the image column or pass --images DIR");
    }
    return new MllmBackend.Image(dataUrl(p));
  }

  static String dataUrl(Path p) {
    try {
      byte[] b = Files.readAllBytes(p);
      return "data:" + mime(b, p) + ";base64," + Base64.getEncoder().encodeToString(b);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image " + p + ": " + e.getMessage(), e);
    }
  }

  private static String mime(byte[] b, Path p) {
    if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8) {
      return "image/jpeg";
    }
    if (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return "image/png";
    }
    if (b.length >= 3 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
      return "image/gif";
    }
    if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
      return "image/webp";
    }
    throw new BadInputException(p + ": not a JPEG, PNG, GIF or WebP image; convert it or remove it");
  }

  /** The cache key for a backend: the model, the prompt version and the pooling the server was asked for. */
  public static String cacheKey(String model, String pooling) {
    return model + " | " + PROMPT_VERSION + " | " + pooling;
  }

  /** The filled prompt of one item (what is sent with its image). */
  public static String prompt(ItemTable table, int item) {
    ItemMeta m = table.meta(item);
    return UserecPrompt.fill(m);
  }
}
