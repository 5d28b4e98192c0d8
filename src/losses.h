// Loss functions (families) of the SM-EM engine.
//
// Each family is a small policy type, built once at the R/C++ boundary with
// its parameters (a quantile level, a negative binomial size) and never
// inspected by name inside the iteration:
//
//   loss(y, eta)             the per-observation loss, before the weight w_i
//   gradient(y, eta)         d loss / d eta
//   loss_and_gradient(y, eta, g)
//                            both at once (the logistic types share one
//                            exponential between them)
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
//
// The hinge and check losses have a kink. Their scale-mixture majorizer
// |u| <= u^2 / (2 |u0|) + |u0| / 2 has an infinite curvature at u0 = 0, so
// |u0| is floored at a band half-width `band`; the iteration is then exactly
// the EM algorithm of the loss with |u| replaced, inside the band, by the
// quadratic u^2 / (2 band) + band / 2 (SmoothAbs below). That loss is
// continuously differentiable and exceeds the original by at most band / 4
// per observation (loss units), and it is what `loss` returns.
#ifndef SMEM_LOSSES_H
#define SMEM_LOSSES_H

#include <algorithm>
#include <cmath>

namespace smem {

struct Gaussian {
  static constexpr bool constant_curvature = true;
  static constexpr bool constant_newton = true;
  double loss(double y, double eta) const {
    const double r = y - eta;
    return 0.5 * r * r;
  }
  double gradient(double y, double eta) const { return eta - y; }
  double loss_and_gradient(double y, double eta, double& g) const {
    g = eta - y;
    return 0.5 * g * g;
  }
  double em_curvature(double, double) const { return 1.0; }
  double newton_curvature(double, double) const { return 1.0; }
};

// Pieces shared by the logistic-type losses.
namespace logistic {
inline double log1p_exp(double eta) {
  return eta > 0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta));
}
inline double mean(double eta) {
  return eta >= 0 ? 1.0 / (1.0 + std::exp(-eta)) : std::exp(eta) / (1.0 + std::exp(eta));
}
// Polya-Gamma weight E[omega | eta] = tanh(eta / 2) / (2 eta). Near zero the
// ratio loses precision, so a Taylor series is used there:
// tanh(u)/(4u) with u = eta/2 is 1/4 - u^2/12 + u^4/30 - ...
inline double polya_gamma(double eta) {
  const double u = 0.5 * eta;
  if (std::fabs(u) < 1e-3) {
    const double u2 = u * u;
    return 0.25 - u2 / 12.0 + u2 * u2 / 30.0;
  }
  return std::tanh(u) / (4.0 * u);
}
}  // namespace logistic

// Logistic loss log(1 + exp(eta)) - y * eta, y in [0, 1] (a proportion when
// the observation weight carries the number of trials).
struct Binomial {
  static constexpr bool constant_curvature = false;
  static constexpr bool constant_newton = false;
  double loss(double y, double eta) const { return logistic::log1p_exp(eta) - y * eta; }
  double gradient(double y, double eta) const { return logistic::mean(eta) - y; }
  double loss_and_gradient(double y, double eta, double& g) const {
    const double e = std::exp(-std::fabs(eta));
    g = (eta >= 0 ? 1.0 : e) / (1.0 + e) - y;
    return (eta > 0 ? eta : 0.0) + std::log1p(e) - y * eta;
  }
  double em_curvature(double, double eta) const { return logistic::polya_gamma(eta); }
  double newton_curvature(double, double eta) const {
    const double p = logistic::mean(eta);
    return p * (1.0 - p);
  }
};

// The same loss with Bohning's fixed bound omega = 1/4 >= the Polya-Gamma
// weight: a looser majorizer, but X' Omega X is then the same at every
// iteration.
struct BinomialBohning : Binomial {
  static constexpr bool constant_curvature = true;
  double em_curvature(double, double) const { return 0.25; }
};

// Negative binomial with known size h and log link, mean mu = exp(eta):
// minus the log-likelihood up to terms free of eta is
//   (y + h) log(1 + exp(psi)) - y psi,   psi = eta - log(h),
// a logistic loss with y + h trials, hence the Polya-Gamma weight
// (y + h) tanh(psi / 2) / (2 psi).
struct NegativeBinomial {
  static constexpr bool constant_curvature = false;
  static constexpr bool constant_newton = false;
  double size;
  double log_size;
  explicit NegativeBinomial(double h) : size(h), log_size(std::log(h)) {}
  // (y + h) log(1 + e^psi) - y psi, written for psi > 0 as
  // h psi + (y + h) log(1 + e^-psi): large counts would otherwise make each
  // term the difference of two numbers of order y psi.
  double loss(double y, double eta) const {
    const double psi = eta - log_size;
    if (psi > 0) return size * psi + (y + size) * std::log1p(std::exp(-psi));
    return (y + size) * std::log1p(std::exp(psi)) - y * psi;
  }
  // (y + h) p - y with p = 1/(1 + e^-psi), written for psi >= 0 as
  // h - (y + h)(1 - p): for large counts p rounds to 1 and the first form
  // would lose the score entirely.
  double gradient(double y, double eta) const {
    double g;
    loss_and_gradient(y, eta, g);
    return g;
  }
  double loss_and_gradient(double y, double eta, double& g) const {
    const double psi = eta - log_size;
    const double e = std::exp(-std::fabs(psi));
    const double tail = e / (1.0 + e);  // min(p, 1 - p)
    if (psi >= 0) {
      g = size - (y + size) * tail;
      return size * psi + (y + size) * std::log1p(e);
    }
    g = (y + size) * tail - y;
    return (y + size) * std::log1p(e) - y * psi;
  }
  double em_curvature(double y, double eta) const {
    return (y + size) * logistic::polya_gamma(eta - log_size);
  }
  double newton_curvature(double y, double eta) const {
    const double e = std::exp(-std::fabs(eta - log_size));
    return (y + size) * e / ((1.0 + e) * (1.0 + e));
  }
};

// Bohning's bound (y + h) / 4 for the negative binomial: free of eta.
struct NegativeBinomialBohning : NegativeBinomial {
  static constexpr bool constant_curvature = true;
  using NegativeBinomial::NegativeBinomial;
  double em_curvature(double y, double) const { return 0.25 * (y + size); }
};

// |u| with the kink rounded inside |u| < band (see the header comment).
struct SmoothAbs {
  double band;
  double value(double u) const {
    const double a = std::fabs(u);
    return a >= band ? a : 0.5 * (u * u / band + band);
  }
  double slope(double u) const {
    if (u >= band) return 1.0;
    if (u <= -band) return -1.0;
    return u / band;
  }
  // Curvature of the majorizer touching at u: 1 / max(|u|, band).
  double majorizer_curvature(double u) const { return 1.0 / std::max(std::fabs(u), band); }
  double curvature(double u) const { return std::fabs(u) < band ? 1.0 / band : 0.0; }
};

// Hinge loss max(0, 1 - y eta) = (|u| + u) / 2 with u = 1 - y eta, y = +-1.
struct Hinge {
  static constexpr bool constant_curvature = false;
  static constexpr bool constant_newton = false;
  SmoothAbs kink;
  explicit Hinge(double band) : kink{band} {}
  double loss(double y, double eta) const {
    const double u = 1.0 - y * eta;
    return 0.5 * (kink.value(u) + u);
  }
  double gradient(double y, double eta) const {
    return -0.5 * y * (kink.slope(1.0 - y * eta) + 1.0);
  }
  double loss_and_gradient(double y, double eta, double& g) const {
    g = gradient(y, eta);
    return loss(y, eta);
  }
  double em_curvature(double y, double eta) const {
    return 0.5 * kink.majorizer_curvature(1.0 - y * eta);
  }
  double newton_curvature(double y, double eta) const {
    return 0.5 * kink.curvature(1.0 - y * eta);
  }
};

// Check loss of level tau: r (tau - 1{r < 0}) = |r| / 2 + (tau - 1/2) r with
// r = y - eta.
struct Quantile {
  static constexpr bool constant_curvature = false;
  static constexpr bool constant_newton = false;
  double tau;
  SmoothAbs kink;
  Quantile(double level, double band) : tau(level), kink{band} {}
  double loss(double y, double eta) const {
    const double r = y - eta;
    return 0.5 * kink.value(r) + (tau - 0.5) * r;
  }
  double gradient(double y, double eta) const {
    return -(0.5 * kink.slope(y - eta) + tau - 0.5);
  }
  double loss_and_gradient(double y, double eta, double& g) const {
    g = gradient(y, eta);
    return loss(y, eta);
  }
  double em_curvature(double y, double eta) const {
    return 0.5 * kink.majorizer_curvature(y - eta);
  }
  double newton_curvature(double y, double eta) const { return 0.5 * kink.curvature(y - eta); }
};

}  // namespace smem

#endif
