// Loss functions (families) of the SM-EM engine.
//
// Each family is a small policy type with static members, chosen once at the
// R/C++ boundary and never inspected inside the iteration:
//
//   loss(y, eta)             the per-observation loss, before the weight w_i
//   gradient(y, eta)         d loss / d eta
//   em_curvature(y, eta)     omega: the curvature of the quadratic majorizer
//                            that touches the loss at eta (the conditional
//                            expectation of the latent precision)
//   newton_curvature(y, eta) d^2 loss / d eta^2, used by the support polish
//   constant_curvature       true when omega does not depend on eta, so the
//                            Gram matrix X' Omega X can be formed once
//   constant_newton          true when newton_curvature does not depend on
//                            eta either (and equals em_curvature)
//
// The majorizer of loss(y, .) at eta0 is
//   loss(y, eta0) + gradient * (eta - eta0) + omega / 2 * (eta - eta0)^2,
// which gives every family the same M-step (see em.h).
#ifndef SMEM_LOSSES_H
#define SMEM_LOSSES_H

#include <cmath>

namespace smem {

struct Gaussian {
  static constexpr bool constant_curvature = true;
  static constexpr bool constant_newton = true;
  static double loss(double y, double eta) {
    const double r = y - eta;
    return 0.5 * r * r;
  }
  static double gradient(double y, double eta) { return eta - y; }
  static double em_curvature(double, double) { return 1.0; }
  static double newton_curvature(double, double) { return 1.0; }
};

// Logistic loss log(1 + exp(eta)) - y * eta, y in [0, 1] (a proportion when
// the observation weight carries the number of trials).
struct Binomial {
  static constexpr bool constant_curvature = false;
  static constexpr bool constant_newton = false;
  static double log1p_exp(double eta) {
    return eta > 0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta));
  }
  static double mean(double eta) {
    return eta >= 0 ? 1.0 / (1.0 + std::exp(-eta))
                    : std::exp(eta) / (1.0 + std::exp(eta));
  }
  static double loss(double y, double eta) { return log1p_exp(eta) - y * eta; }
  static double gradient(double y, double eta) { return mean(eta) - y; }
  // Polya-Gamma weight E[omega | eta] = tanh(eta / 2) / (2 eta). Near zero the
  // ratio loses precision, so a Taylor series is used there:
  // tanh(u)/(4u) with u = eta/2 is 1/4 - u^2/12 + u^4/30 - ...
  static double em_curvature(double, double eta) {
    const double u = 0.5 * eta;
    if (std::fabs(u) < 1e-3) {
      const double u2 = u * u;
      return 0.25 - u2 / 12.0 + u2 * u2 / 30.0;
    }
    return std::tanh(u) / (4.0 * u);
  }
  static double newton_curvature(double, double eta) {
    const double p = mean(eta);
    return p * (1.0 - p);
  }
};

// The same loss with Bohning's fixed bound omega = 1/4 >= the Polya-Gamma
// weight: a looser majorizer, but X' Omega X is then the same at every
// iteration.
struct BinomialBohning : Binomial {
  static constexpr bool constant_curvature = true;
  static double em_curvature(double, double) { return 0.25; }
};

}  // namespace smem

#endif
