package org.userec.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.userec.util.Seeds;

/**
 * A closed-loop load generator for the service: {@code concurrency} clients on the recommendation route (random
 * users, uniformly) and, at the same time, {@code concurrency} clients on {@code /health}, the HTTP floor of the
 * host. Each client sends its next request when the previous answer arrives (keep-alive HTTP/1.1). A warm-up,
 * not measured, comes first; latencies go into HdrHistograms (µs, 3 significant digits). The server's resident
 * memory is read from {@code /health} after the warm-up and at the end.
 */
public final class LoadTest {
  /**
   * @param seconds measured duration
   * @param warmupSeconds unmeasured lead-in
   * @param concurrency clients per route
   */
  public record Options(URI base, int seconds, int warmupSeconds, int concurrency, int k, long seed) {
    public Options {
      if (seconds < 1 || warmupSeconds < 0 || concurrency < 1 || k < 1) {
        throw new IllegalArgumentException("seconds >= 1, warm-up >= 0, concurrency >= 1 and k >= 1, got " + seconds + ", " + warmupSeconds + ", " + concurrency + ", " + k);
      }
    }
  }

  /** One route's figures over the measured window (latencies in milliseconds). */
  public record RouteResult(String route, long requests, long errors, double perSecond, double p50, double p90, double p99, double max) {}

  /** Both routes, the server's RSS (bytes, −1 when unknown) after warm-up and at the end, and the first error seen. */
  public record Result(List<RouteResult> routes, long rssAfterWarmup, long rssAtEnd, String firstError) {
    public String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "%-36s %10s %7s %10s %8s %8s %8s %8s%n", "route", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"));
      for (RouteResult r : routes) {
        sb.append(String.format(Locale.ROOT, "%-36s %10d %7d %10.1f %8.2f %8.2f %8.2f %8.2f%n", r.route(), r.requests(), r.errors(), r.perSecond(), r.p50(), r.p90(), r.p99(), r.max()));
      }
      if (rssAfterWarmup > 0 && rssAtEnd > 0) {
        sb.append(String.format(Locale.ROOT, "server RSS: %.1f MB after warm-up, %.1f MB at the end (%+.1f%%)%n", rssAfterWarmup / 1e6, rssAtEnd / 1e6,
            100.0 * (rssAtEnd - rssAfterWarmup) / rssAfterWarmup));
      } else {
        sb.append("server RSS: not reported by /health (not Linux?)\n");
      }
      if (firstError != null) {
        sb.append("first error: ").append(firstError).append('\n');
      }
      return sb.toString();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadTest() {}

  public static Result run(Options o) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    JsonNode health = health(client, o.base());
    int users = health.get("users").asInt();
    String[] routes = {"GET /v1/users/{user}/recommendations", "GET /health"};
    Recorder[] recorders = {new Recorder(3), new Recorder(3)};
    LongAdder[] errors = {new LongAdder(), new LongAdder()};
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicBoolean stop = new AtomicBoolean(false);
    String[] firstError = {null};
    List<Thread> threads = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      for (int c = 0; c < o.concurrency(); c++) {
        int route = r;
        SplittableRandom rng = Seeds.rng(o.seed(), "loadtest", r, c);
        Thread t = new Thread(() -> {
          HttpRequest healthReq = HttpRequest.newBuilder(o.base().resolve("/health")).timeout(Duration.ofSeconds(30)).build();
          while (!stop.get()) {
            HttpRequest req = route == 1 ? healthReq
                : HttpRequest.newBuilder(o.base().resolve("/v1/users/" + rng.nextInt(users) + "/recommendations?k=" + o.k())).timeout(Duration.ofSeconds(30)).build();
            long t0 = System.nanoTime();
            boolean ok;
            String err = null;
            try {
              HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
              ok = resp.statusCode() == 200;
              if (!ok) {
                err = req.uri() + " -> " + resp.statusCode();
              }
            } catch (IOException e) {
              ok = false;
              err = req.uri() + " -> " + e;
            } catch (InterruptedException e) {
              return;
            }
            long micros = (System.nanoTime() - t0) / 1000;
            if (measuring.get()) {
              recorders[route].recordValue(Math.max(1, micros));
              if (!ok) {
                errors[route].increment();
                synchronized (firstError) {
                  if (firstError[0] == null) {
                    firstError[0] = err;
                  }
                }
              }
            }
          }
        }, "loadtest-" + r + "-" + c);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }
    Thread.sleep(o.warmupSeconds() * 1000L);
    long rss0 = rss(health(client, o.base()));
    for (Recorder rec : recorders) {
      rec.reset();
    }
    measuring.set(true);
    long t0 = System.nanoTime();
    Thread.sleep(o.seconds() * 1000L);
    measuring.set(false);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    Histogram[] h = {recorders[0].getIntervalHistogram(), recorders[1].getIntervalHistogram()};
    stop.set(true);
    for (Thread t : threads) {
      t.join(35_000);
    }
    long rss1 = rss(health(client, o.base()));
    List<RouteResult> out = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      Histogram x = h[r];
      out.add(new RouteResult(routes[r], x.getTotalCount(), errors[r].sum(), x.getTotalCount() / elapsed, x.getValueAtPercentile(50) / 1e3,
          x.getValueAtPercentile(90) / 1e3, x.getValueAtPercentile(99) / 1e3, x.getMaxValue() / 1e3));
    }
    return new Result(out, rss0, rss1, firstError[0]);
  }

  private static long rss(JsonNode health) {
    JsonNode r = health.get("rss_bytes");
    return r == null || r.isNull() ? -1 : r.asLong();
  }

  private static JsonNode health(HttpClient client, URI base) {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(base + "/health answered " + r.statusCode());
      }
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach " + base.resolve("/health") + " (" + e.getMessage() + "); is 'userec serve' running there?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
