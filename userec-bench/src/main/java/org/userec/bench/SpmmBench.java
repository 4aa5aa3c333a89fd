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
import org.userec.graph.CsrMatrix;
import org.userec.tensor.simd.Kernels;
import org.userec.tensor.simd.ScalarKernels;
import org.userec.tensor.simd.VectorKernels;

/** out = A·x for a random CSR A (25 000 × 25 000, ~40 entries per row: 1M nnz) and x (25 000 × d). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g", "-XX:+UseParallelGC"})
public class SpmmBench {
  @Param({"64"})
  public int d;

  @Param({"25000"})
  public int rows;

  @Param({"40"})
  public int perRow;

  CsrMatrix a;
  float[] x;
  float[] out;

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(2);
    int[] rowPtr = new int[rows + 1];
    for (int i = 0; i < rows; i++) {
      rowPtr[i + 1] = rowPtr[i] + perRow / 2 + rnd.nextInt(perRow + 1); // mean perRow
    }
    int nnz = rowPtr[rows];
    int[] colIdx = new int[nnz];
    float[] values = new float[nnz];
    for (int i = 0; i < rows; i++) {
      int len = rowPtr[i + 1] - rowPtr[i];
      // sorted unique columns: a random increasing walk
      int col = rnd.nextInt(Math.max(1, rows / (len + 1)));
      for (int q = rowPtr[i]; q < rowPtr[i + 1]; q++) {
        colIdx[q] = Math.min(rows - 1, col);
        col += 1 + rnd.nextInt(Math.max(1, 2 * rows / (len + 1) - 1));
        values[q] = (float) rnd.nextDouble();
      }
    }
    // the walk may clamp onto the last column: make entries unique again by shifting left where needed
    for (int i = 0; i < rows; i++) {
      for (int q = rowPtr[i + 1] - 2; q >= rowPtr[i]; q--) {
        if (colIdx[q] >= colIdx[q + 1]) {
          colIdx[q] = colIdx[q + 1] - 1;
        }
      }
    }
    a = new CsrMatrix(rows, rows, rowPtr, colIdx, values);
    x = GemmNTBench.random(rnd, rows * d);
    out = new float[rows * d];
  }

  @Benchmark
  public float[] kernels() {
    Kernels.spmm(a, x, d, out, false);
    return out;
  }

  @Benchmark
  public float[] vectorOneThread() {
    VectorKernels.spmm(a, x, d, out, false);
    return out;
  }

  @Benchmark
  public float[] scalar() {
    ScalarKernels.spmm(a, x, d, out, false);
    return out;
  }
}
