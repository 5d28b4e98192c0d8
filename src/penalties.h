// Penalties of the SM-EM engine.
//
// The objective's penalty is  sum_j s_j * P(|b_j|)  with s_j = n * lambda *
// v_j (v_j the rescaled penalty factor; s_j = 0 for an unpenalized column).
// Each penalty is a small policy type over a = |b| >= 0:
//
//   value(a)          P(a)
//   derivative(a)     P'(a) for a > 0
//   weight(a)         P'(a) / a: the E-step parameter weight, so that the
//                     majorizer of s_j P(|b|) at b0 is s_j weight(|b0|) b^2 / 2
//                     plus a constant (valid because P is concave in b^2)
//   slope_at_zero()   P'(0+): a zero coefficient is optimal when the loss
//                     gradient is at most s_j * slope_at_zero() in size
//   curvature(a)      P''(a) for a > 0, used by the support polish
//   sparse()          true when P'(0+) > 0, i.e. exact zeros are expected
#ifndef SMEM_PENALTIES_H
#define SMEM_PENALTIES_H

#include <cmath>

namespace smem {

// alpha * |b| + (1 - alpha) * b^2 / 2: lasso (alpha = 1), ridge (alpha = 0)
// and the elastic net in between, on glmnet's scale.
struct ElasticNet {
  double alpha;
  double value(double a) const { return alpha * a + 0.5 * (1.0 - alpha) * a * a; }
  double derivative(double a) const { return alpha + (1.0 - alpha) * a; }
  double weight(double a) const { return alpha / a + (1.0 - alpha); }
  double slope_at_zero() const { return alpha; }
  double curvature(double) const { return 1.0 - alpha; }
  bool sparse() const { return alpha > 0.0; }
};

}  // namespace smem

#endif
