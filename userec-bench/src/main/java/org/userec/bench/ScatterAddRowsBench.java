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
 * Embedding-gradient scatter: dst[idx[r]] += src[r] for {@code count} source rows of width d into {@code
 * dstRows} rows (dst keeps growing across invocations, which does not change the cost).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g", "-XX:+UseParallelGC"})
public class ScatterAddRowsBench {
  @Param({"64"})
  public int d;

  @Param({"200000x25000", "4096x63000"})
  public String shape;

  int[] idx;
  float[] src;
  float[] dst;

  @Setup(Level.Trial)
  public void setUp() {
    String[] s = shape.split("x");
    int count = Integer.parseInt(s[0]);
    int dstRows = Integer.parseInt(s[1]);
    SplittableRandom rnd = new SplittableRandom(3);
    idx = new int[count];
    for (int r = 0; r < count; r++) {
      idx[r] = rnd.nextInt(dstRows);
    }
    src = GemmNTBench.random(rnd, count * d);
    dst = new float[dstRows * d];
  }

  @Benchmark
  public float[] kernels() {
    Kernels.scatterAddRows(src, idx, dst, d);
    return dst;
  }

  @Benchmark
  public float[] vectorOneThread() {
    VectorKernels.scatterAddRows(src, idx, dst, d);
    return dst;
  }

  @Benchmark
  public float[] scalar() {
    ScalarKernels.scatterAddRows(src, idx, dst, d);
    return dst;
  }
}
