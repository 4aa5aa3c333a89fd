package org.userec.tensor.simd;

/**
 * The coefficients of one Adam update of one parameter (torch.optim.Adam; see {@code org.userec.optim.Adam}),
 * applied elementwise by {@link Kernels#adam}:
 *
 * <pre>
 *   g ← ∇ + weightDecay·p
 *   m ← beta1·m + oneMinusBeta1·g
 *   v ← beta2·v + oneMinusBeta2·g·g
 *   p ← p − stepSize·m / (sqrt(v)·invSqrtBc2 + eps)
 * </pre>
 *
 * with stepSize = lr / (1 − β₁ᵗ) and invSqrtBc2 = 1 / sqrt(1 − β₂ᵗ), each operation rounded to float in this
 * order (no fused multiply-add), so the vector and scalar kernels give the same bits. With {@code zeroGradient}
 * the gradient is set to zero once read (torch's step() then zero_grad() in one pass over it).
 */
public record AdamStep(
    float beta1,
    float oneMinusBeta1,
    float beta2,
    float oneMinusBeta2,
    float weightDecay,
    float stepSize,
    float invSqrtBc2,
    float eps,
    boolean zeroGradient) {}
