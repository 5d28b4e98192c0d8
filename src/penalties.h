// Penalties of the SM-EM engine.
//
// The objective's penalty is  sum_j n * l_j * P(|b_j|; l_j)  with l_j =
// lambda * v_j the penalty level of coefficient j (v_j the rescaled penalty
// factor; l_j = 0 for an unpenalized column, which is never passed here).
// The engine holds s_j = n * l_j and calls, over a = |b| >= 0:
//
//   value(a, l)          P(a; l)  (the non-convex penalties change shape with
//                        the level: MCP and SCAD bend at multiples of l)
//   derivative(a, l)     P'(a; l) for a > 0
//   weight(a, l)         P'(a; l) / a: the E-step parameter weight, so that
//                        the majorizer of s_j P(|b|) at b0 is
//                        s_j weight(|b0|) b^2 / 2 plus a constant (valid
//                        because P is concave in b^2)
//   slope_at_zero()      P'(0+): a zero coefficient is optimal when the loss
//                        gradient is at most s_j * slope_at_zero() in size
//                        (infinite for bridge and horseshoe: zero is then
//                        always a local minimum)
//   curvature(a, l)      P''(a; l) for a > 0, used by the support polish
//   sparse()             true when P'(0+) > 0, i.e. exact zeros are expected
//   unbounded_at_zero    true when P(a) -> -infinity as a -> 0 (horseshoe);
//                        a coefficient at exactly zero then leaves the model
//                        and its term is not counted (value(0) is 0)
//
// Every penalty mixes its shape with the ridge through alpha:
//   P = alpha * shape(a; alpha * l) + (1 - alpha) * a^2 / 2,
// which for MCP and SCAD is ncvreg's scale (lambda_1 = alpha * lambda).
#ifndef SMEM_PENALTIES_H
#define SMEM_PENALTIES_H

#include <cmath>
#include <limits>

namespace smem {

constexpr double infinite_slope = std::numeric_limits<double>::infinity();

// alpha * |b| + (1 - alpha) * b^2 / 2: lasso (alpha = 1), ridge (alpha = 0)
// and the elastic net in between, on glmnet's scale.
struct ElasticNet {
  static constexpr bool unbounded_at_zero = false;
  double alpha;
  double value(double a, double) const { return alpha * a + 0.5 * (1.0 - alpha) * a * a; }
  double derivative(double a, double) const { return alpha + (1.0 - alpha) * a; }
  double weight(double a, double) const { return alpha / a + (1.0 - alpha); }
  double slope_at_zero() const { return alpha; }
  double curvature(double, double) const { return 1.0 - alpha; }
  bool sparse() const { return alpha > 0.0; }
};

// The ridge part shared by the penalties below.
struct RidgeMix {
  double alpha;
  double value(double a) const { return 0.5 * (1.0 - alpha) * a * a; }
  double derivative(double a) const { return (1.0 - alpha) * a; }
  double weight() const { return 1.0 - alpha; }
  double curvature() const { return 1.0 - alpha; }
};

// Minimax concave penalty, per unit level t = alpha * l:
//   a - a^2 / (2 gamma t) for a <= gamma t, gamma t / 2 beyond.
struct Mcp {
  static constexpr bool unbounded_at_zero = false;
  double alpha, gamma;
  RidgeMix ridge{alpha};
  Mcp(double alpha_, double gamma_) : alpha(alpha_), gamma(gamma_), ridge{alpha_} {}
  double value(double a, double l) const {
    const double knee = gamma * alpha * l;
    const double shape = a <= knee ? a - a * a / (2.0 * knee) : 0.5 * knee;
    return alpha * shape + ridge.value(a);
  }
  double derivative(double a, double l) const {
    const double knee = gamma * alpha * l;
    return alpha * (a < knee ? 1.0 - a / knee : 0.0) + ridge.derivative(a);
  }
  double weight(double a, double l) const {
    const double knee = gamma * alpha * l;
    return alpha * (a < knee ? 1.0 / a - 1.0 / knee : 0.0) + ridge.weight();
  }
  double slope_at_zero() const { return alpha; }
  double curvature(double a, double l) const {
    const double knee = gamma * alpha * l;
    return alpha * (a < knee ? -1.0 / knee : 0.0) + ridge.curvature();
  }
  bool sparse() const { return alpha > 0.0; }
};

// Smoothly clipped absolute deviation, per unit level t = alpha * l:
//   a for a <= t; (2 gamma t a - a^2 - t^2) / (2 (gamma - 1) t) up to
//   gamma t; (gamma + 1) t / 2 beyond.
struct Scad {
  static constexpr bool unbounded_at_zero = false;
  double alpha, gamma;
  RidgeMix ridge{alpha};
  Scad(double alpha_, double gamma_) : alpha(alpha_), gamma(gamma_), ridge{alpha_} {}
  double shape(double a, double t) const {
    if (a <= t) return a;
    if (a <= gamma * t) return (2.0 * gamma * t * a - a * a - t * t) / (2.0 * (gamma - 1.0) * t);
    return 0.5 * (gamma + 1.0) * t;
  }
  double shape_slope(double a, double t) const {
    if (a <= t) return 1.0;
    if (a < gamma * t) return (gamma * t - a) / ((gamma - 1.0) * t);
    return 0.0;
  }
  double value(double a, double l) const { return alpha * shape(a, alpha * l) + ridge.value(a); }
  double derivative(double a, double l) const {
    return alpha * shape_slope(a, alpha * l) + ridge.derivative(a);
  }
  double weight(double a, double l) const {
    return alpha * shape_slope(a, alpha * l) / a + ridge.weight();
  }
  double slope_at_zero() const { return alpha; }
  double curvature(double a, double l) const {
    const double t = alpha * l;
    const double bend = (a > t && a < gamma * t) ? -1.0 / ((gamma - 1.0) * t) : 0.0;
    return alpha * bend + ridge.curvature();
  }
  bool sparse() const { return alpha > 0.0; }
};

// Bridge: a^q with 0 < q < 1.
struct Bridge {
  static constexpr bool unbounded_at_zero = false;
  double alpha, q;
  RidgeMix ridge{alpha};
  Bridge(double alpha_, double q_) : alpha(alpha_), q(q_), ridge{alpha_} {}
  double value(double a, double) const { return alpha * std::pow(a, q) + ridge.value(a); }
  double derivative(double a, double) const {
    return alpha * q * std::pow(a, q - 1.0) + ridge.derivative(a);
  }
  double weight(double a, double) const {
    return alpha * q * std::pow(a, q - 2.0) + ridge.weight();
  }
  double slope_at_zero() const { return alpha > 0.0 ? infinite_slope : 0.0; }
  double curvature(double a, double) const {
    return alpha * q * (q - 1.0) * std::pow(a, q - 2.0) + ridge.curvature();
  }
  bool sparse() const { return alpha > 0.0; }
};

// Log penalty log(1 + a / gamma).
struct LogPenalty {
  static constexpr bool unbounded_at_zero = false;
  double alpha, gamma;
  RidgeMix ridge{alpha};
  LogPenalty(double alpha_, double gamma_) : alpha(alpha_), gamma(gamma_), ridge{alpha_} {}
  double value(double a, double) const { return alpha * std::log1p(a / gamma) + ridge.value(a); }
  double derivative(double a, double) const { return alpha / (gamma + a) + ridge.derivative(a); }
  double weight(double a, double) const { return alpha / (a * (gamma + a)) + ridge.weight(); }
  double slope_at_zero() const { return alpha / gamma; }
  double curvature(double a, double) const {
    return -alpha / ((gamma + a) * (gamma + a)) + ridge.curvature();
  }
  bool sparse() const { return alpha > 0.0; }
};

// g(x) = x e^x E1(x) for x > 0, with E1 the exponential integral; g rises
// from 0 to 1. Also returns 1 - g, computed without cancellation for large x.
struct ScaledExpIntegral {
  double g;
  double one_minus_g;
};

inline ScaledExpIntegral scaled_exp_integral(double x) {
  if (x > 1e4) {
    // Asymptotic series: 1 - g = 1/x - 2/x^2 + 6/x^3 - 24/x^4 + ...
    const double u = 1.0 / x;
    const double tail = u * (1.0 - u * (2.0 - u * (6.0 - 24.0 * u)));
    return {1.0 - tail, tail};
  }
  double scaled;  // e^x E1(x)
  if (x <= 1.0) {
    // E1(x) = -euler - log(x) + sum_k (-1)^(k+1) x^k / (k k!)
    const double euler = 0.57721566490153286061;
    double term = 1.0, sum = 0.0;
    for (int k = 1; k < 60; ++k) {
      term *= -x / k;
      const double add = -term / k;
      sum += add;
      if (std::fabs(add) < 1e-17 * std::fabs(sum)) break;
    }
    scaled = std::exp(x) * (-euler - std::log(x) + sum);
  } else {
    // Continued fraction e^x E1(x) = 1/(x+1- 1/(x+3- 4/(x+5- 9/(x+7- ...)))),
    // evaluated forward (modified Lentz).
    const double tiny = 1e-300;
    double b = x + 1.0;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < 1000; ++i) {
      const double an = -static_cast<double>(i) * i;
      b += 2.0;
      d = 1.0 / (an * d + b);
      c = b + an / c;
      const double delta = c * d;
      h *= delta;
      if (std::fabs(delta - 1.0) < 1e-16) break;
    }
    scaled = h;
  }
  const double g = x * scaled;
  return {g, 1.0 - g};
}

// Marginal horseshoe penalty: minus the log density of the horseshoe prior
// with global scale tau, up to a constant,
//   -log(e^x E1(x)),   x = a^2 / (2 tau^2),
// with tau tied to the penalty level: tau = alpha * l. It tends to -infinity
// at zero (the prior has a pole there) and grows like log(a^2) for large a,
// so large coefficients are barely shrunk. Its E-step weight is
//   (1 / g(x) - 1) / tau^2.
struct Horseshoe {
  static constexpr bool unbounded_at_zero = true;
  double alpha;
  RidgeMix ridge{alpha};
  explicit Horseshoe(double alpha_) : alpha(alpha_), ridge{alpha_} {}
  static double ratio(double x) {  // 1 / g(x) - 1
    const ScaledExpIntegral e = scaled_exp_integral(x);
    return e.one_minus_g / e.g;
  }
  // For x below 1e-250 (a coefficient below about 1e-125 tau, whose square
  // may underflow), E1(x) = -euler - log(x) to full precision, and the
  // formulas are evaluated through log(x) = 2 log(a / tau) - log(2).
  static constexpr double log_tiny = -575.6;  // log(1e-250)
  static double log_x(double a, double tau) {
    return 2.0 * (std::log(a) - std::log(tau)) - std::log(2.0);
  }
  static double tiny_e1(double lx) { return -0.57721566490153286061 - lx; }
  double value(double a, double l) const {
    if (a == 0.0) return 0.0;  // the coefficient is out of the model
    const double tau = alpha * l;
    const double lx = log_x(a, tau);
    if (lx < log_tiny) return alpha * -std::log(tiny_e1(lx)) + ridge.value(a);
    const double x = std::exp(lx);
    const ScaledExpIntegral e = scaled_exp_integral(x);
    return alpha * -std::log(e.g / x) + ridge.value(a);
  }
  double weight(double a, double l) const {
    const double tau = alpha * l;
    const double lx = log_x(a, tau);
    if (lx < log_tiny) {
      // ratio / tau^2 = 2 / (a^2 E1): capped, the engine caps it anyway
      const double log_w = std::log(2.0) - 2.0 * std::log(a) - std::log(tiny_e1(lx));
      return log_w > 690.0 ? 1e300 : alpha * std::exp(log_w) + ridge.weight();
    }
    return alpha * ratio(std::exp(lx)) / (tau * tau) + ridge.weight();
  }
  double derivative(double a, double l) const {
    const double tau = alpha * l;
    const double lx = log_x(a, tau);
    if (lx < log_tiny) return alpha * 2.0 / (a * tiny_e1(lx)) + ridge.derivative(a);
    return alpha * ratio(std::exp(lx)) * a / (tau * tau) + ridge.derivative(a);
  }
  double slope_at_zero() const { return alpha > 0.0 ? infinite_slope : 0.0; }
  double curvature(double a, double l) const {
    const double tau = alpha * l;
    const double lx = log_x(a, tau);
    if (lx < log_tiny) {
      const double e1 = tiny_e1(lx);
      return alpha * 2.0 / (a * a * e1) * (2.0 / e1 - 1.0) + ridge.curvature();
    }
    const double x = std::exp(lx);
    const ScaledExpIntegral e = scaled_exp_integral(x);
    const double g = e.g;
    const double r = e.one_minus_g / g;
    // r'(x) = -g'(x) / g^2 with g' = g / x + g - 1
    const double r_prime = -(g / x - e.one_minus_g) / (g * g);
    return alpha * (r + 2.0 * x * r_prime) / (tau * tau) + ridge.curvature();
  }
  bool sparse() const { return alpha > 0.0; }
};

}  // namespace smem

#endif
