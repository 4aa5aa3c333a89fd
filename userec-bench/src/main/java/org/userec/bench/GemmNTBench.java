package org.userec.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.userec.tensor.simd.Kernels;
import org.userec.tensor.simd.ScalarKernels;
import org.userec.tensor.simd.VectorKernels;

/**
 * Scoring gemm c[m×n] = a[m×k]·b[n×k]ᵀ. GFLOP/s = 2·m·k·n / time. {@code kernels} is the facade (vector,
 * all cores); {@code vectorOneThread} and {@code scalar} run on one thread. The scalar twin takes tens of
 * seconds on the large shape: run it with {@code -p shape=1024x64x7050}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-XX:+UseParallelGC"})
public class GemmNTBench {
  @Param({"20000x64x20000", "1024x64x7050"})
  public String shape;

  int m;
  int k;
  int n;
  float[] a;
  float[] b;
  float[] c;

  @Setup(Level.Trial)
  public void setUp() {
    String[] s = shape.split("x");
    m = Integer.parseInt(s[0]);
    k = Integer.parseInt(s[1]);
    n = Integer.parseInt(s[2]);
    SplittableRandom rnd = new SplittableRandom(1);
    a = random(rnd, m * k);
    b = random(rnd, n * k);
    c = new float[m * n];
  }

  static float[] random(SplittableRandom rnd, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = (float) rnd.nextDouble(-1, 1);
    }
    return x;
  }

  @Benchmark
  public float[] kernels() {
    Kernels.gemmNT(a, b, c, m, k, n, false);
    return c;
  }

  @Benchmark
  public float[] vectorOneThread() {
    VectorKernels.gemmNT(a, b, c, m, k, n, false);
    return c;
  }

  @Benchmark
  public float[] scalar() {
    ScalarKernels.gemmNT(a, b, c, m, k, n, false);
    return c;
  }
}
