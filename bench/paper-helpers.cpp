// Compiled helpers of bench/paper.R (loaded with Rcpp::sourceCpp; not part
// of the smem package): full-batch Adam, a Newton reference solver and an
// independent plain SM-EM, all on the objective of the paper experiment
//
//   F(b0, b) = (1/n) sum_i [log(1 + exp(eta_i)) - y_i eta_i] + lambda P(b),
//   eta_i    = b0 + x_i' b,
//
// with P(b) = ||b||^2 / 2 (ridge) or ||b||_1 (lasso) and the intercept b0
// never penalized. This is smem's objective with standardize = FALSE and
// glmnet's with standardize = FALSE (binomial family). The coefficient
// vector theta is (b0, b). Objective sums are accumulated in long double so
// that gaps near the optimum are not lost in rounding.

// [[Rcpp::depends(RcppEigen)]]
#include <RcppEigen.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

using Eigen::MatrixXd;
using Eigen::VectorXd;
using MapMatrix = Eigen::Map<MatrixXd>;
using MapVector = Eigen::Map<VectorXd>;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// log(1 + exp(e)) without overflow.
double softplus(double e) {
  return e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e));
}

double sigmoid(double e) {
  if (e >= 0) return 1.0 / (1.0 + std::exp(-e));
  const double z = std::exp(e);
  return z / (1.0 + z);
}

// eta = b0 + X b
void linear_predictor(const MapMatrix& x, const VectorXd& theta, VectorXd& eta) {
  eta.noalias() = x * theta.tail(x.cols());
  eta.array() += theta[0];
}

double penalty(const VectorXd& theta, double lambda, bool lasso) {
  const auto b = theta.tail(theta.size() - 1);
  return lasso ? lambda * b.cwiseAbs().sum() : 0.5 * lambda * b.squaredNorm();
}

double objective(const MapVector& y, const VectorXd& eta, const VectorXd& theta,
                 double lambda, bool lasso) {
  long double total = 0.0L;
  for (Eigen::Index i = 0; i < eta.size(); ++i) total += softplus(eta[i]) - y[i] * eta[i];
  return static_cast<double>(total / eta.size()) + penalty(theta, lambda, lasso);
}

// Gradient of F (for the lasso a subgradient: sign(b_j), 0 at b_j = 0).
void gradient(const MapMatrix& x, const MapVector& y, const VectorXd& eta,
              const VectorXd& theta, double lambda, bool lasso, VectorXd& g) {
  const Eigen::Index n = x.rows();
  VectorXd r(n);
  for (Eigen::Index i = 0; i < n; ++i) r[i] = (sigmoid(eta[i]) - y[i]) / n;
  g[0] = r.sum();
  g.tail(x.cols()).noalias() = x.transpose() * r;
  const auto b = theta.tail(x.cols());
  if (lasso) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const double bj = b[j];
      g[j + 1] += lambda * static_cast<double>((bj > 0) - (bj < 0));
    }
  } else {
    g.tail(x.cols()) += lambda * b;
  }
}

// Polya-Gamma curvature tanh(eta/2) / (2 eta), 1/4 at 0.
double polya_gamma(double eta) {
  const double a = std::fabs(eta);
  if (a < 1e-4) return 0.25 - eta * eta / 48.0;
  return std::tanh(0.5 * a) / (2.0 * a);
}

// [1, X]' diag(c) [1, X], full symmetric.
MatrixXd weighted_gram(const MapMatrix& x, const VectorXd& c) {
  const Eigen::Index n = x.rows(), p = x.cols();
  MatrixXd z(n, p + 1);
  const VectorXd root = c.cwiseSqrt();
  z.col(0) = root;
  for (Eigen::Index j = 0; j < p; ++j) z.col(j + 1) = x.col(j).cwiseProduct(root);
  MatrixXd gram = MatrixXd::Zero(p + 1, p + 1);
  gram.selfadjointView<Eigen::Lower>().rankUpdate(z.transpose());
  return gram.selfadjointView<Eigen::Lower>();
}

}  // namespace

// Full-batch Adam (Kingma and Ba 2015, with bias correction) from theta = 0.
// It runs while fewer than `maxit` steps were taken OR less than `seconds`
// of wall time have passed, so that one run serves both the iteration and
// the time budget. Returns F after each step (F[0] at the start) and the
// wall time at which each value was known, measured from the start of the
// loop, with the coefficients at step `maxit` and at the last step within
// `seconds`. A run whose objective becomes non-finite is stopped and flagged.
// [[Rcpp::export]]
Rcpp::List adam_fit(MapMatrix x, MapVector y, double lambda, bool lasso,
                    double lr, int maxit, double seconds, double beta1 = 0.9,
                    double beta2 = 0.999, double eps = 1e-8) {
  const Eigen::Index n = x.rows(), m = x.cols() + 1;
  VectorXd theta = VectorXd::Zero(m), first = VectorXd::Zero(m), second = VectorXd::Zero(m);
  VectorXd eta(n), g(m), at_maxit = VectorXd::Zero(m), at_seconds = VectorXd::Zero(m);
  std::vector<double> trace, times;
  const auto start = Clock::now();
  double power1 = 1.0, power2 = 1.0;
  bool diverged = false;
  for (int k = 0;; ++k) {
    linear_predictor(x, theta, eta);
    const double f = objective(y, eta, theta, lambda, lasso);
    const double now = seconds_since(start);
    trace.push_back(f);
    times.push_back(now);
    if (k == maxit) at_maxit = theta;
    if (now <= seconds) at_seconds = theta;
    if (!std::isfinite(f)) {
      diverged = true;
      break;
    }
    if (k >= maxit && now >= seconds) break;
    gradient(x, y, eta, theta, lambda, lasso, g);
    power1 *= beta1;
    power2 *= beta2;
    first = beta1 * first + (1.0 - beta1) * g;
    second = beta2 * second + (1.0 - beta2) * g.cwiseAbs2();
    const double step = lr / (1.0 - power1);
    const double correction2 = 1.0 - power2;
    theta.array() -= step * first.array() / ((second.array() / correction2).sqrt() + eps);
  }
  return Rcpp::List::create(Rcpp::Named("objective") = trace, Rcpp::Named("seconds") = times,
                            Rcpp::Named("theta") = theta, Rcpp::Named("theta_maxit") = at_maxit,
                            Rcpp::Named("theta_seconds") = at_seconds,
                            Rcpp::Named("diverged") = diverged);
}

// Reference optimum of the ridge objective by Newton's method with a
// backtracking line search, from theta = 0, run until no step lowers F any
// more (machine precision). Returns theta, F, the iterations and the largest
// absolute gradient entry at the end.
// [[Rcpp::export]]
Rcpp::List newton_fit(MapMatrix x, MapVector y, double lambda, int maxit = 200) {
  const Eigen::Index n = x.rows(), p = x.cols(), m = p + 1;
  VectorXd theta = VectorXd::Zero(m), eta(n), g(m), candidate(m), candidate_eta(n);
  linear_predictor(x, theta, eta);
  double f = objective(y, eta, theta, lambda, false);
  int iter = 0, refused = 0;
  for (; iter < maxit; ++iter) {
    gradient(x, y, eta, theta, lambda, false, g);
    VectorXd h(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double mu = sigmoid(eta[i]);
      h[i] = mu * (1.0 - mu) / n;
    }
    MatrixXd hess = weighted_gram(x, h);
    hess.diagonal().tail(p).array() += lambda;
    const VectorXd delta = -hess.ldlt().solve(g);
    bool accepted = false;
    for (double step = 1.0; step > 1e-10; step *= 0.5) {
      candidate = theta + step * delta;
      linear_predictor(x, candidate, candidate_eta);
      const double fc = objective(y, candidate_eta, candidate, lambda, false);
      if (fc < f) {
        theta = candidate;
        eta = candidate_eta;
        f = fc;
        accepted = true;
        break;
      }
    }
    // Stop after a few Newton steps in a row that cannot lower F: the
    // iterate is at the optimum to the rounding of F.
    refused = accepted ? 0 : refused + 1;
    if (refused >= 3) break;
  }
  gradient(x, y, eta, theta, lambda, false, g);
  return Rcpp::List::create(Rcpp::Named("theta") = theta, Rcpp::Named("objective") = f,
                            Rcpp::Named("iterations") = iter,
                            Rcpp::Named("gradient") = g.cwiseAbs().maxCoeff());
}

// Plain SM-EM for the ridge objective, written independently of smem and
// with no safeguard: every EM step is taken, so the recorded objective shows
// whether the EM map itself ever raises F. M-step (objective times n):
//   ([1, X]' Omega [1, X] + n lambda diag(0, 1, ..., 1)) theta = [1, X]'(y - 1/2),
// Omega = diag(tanh(eta_i / 2) / (2 eta_i)). Stops after `maxit` steps or
// once F has changed by at most 1e-15 relative in three steps in a row.
// [[Rcpp::export]]
Rcpp::List em_plain_fit(MapMatrix x, MapVector y, double lambda, int maxit) {
  const Eigen::Index n = x.rows(), p = x.cols(), m = p + 1;
  VectorXd theta = VectorXd::Zero(m), eta(n), omega(n), rhs(m);
  VectorXd shifted = y.array() - 0.5;
  rhs[0] = shifted.sum();
  rhs.tail(p).noalias() = x.transpose() * shifted;
  linear_predictor(x, theta, eta);
  std::vector<double> trace{objective(y, eta, theta, lambda, false)};
  int quiet = 0;
  for (int k = 1; k <= maxit; ++k) {
    for (Eigen::Index i = 0; i < n; ++i) omega[i] = polya_gamma(eta[i]);
    MatrixXd a = weighted_gram(x, omega);
    a.diagonal().tail(p).array() += n * lambda;
    theta = a.llt().solve(rhs);
    linear_predictor(x, theta, eta);
    const double f = objective(y, eta, theta, lambda, false);
    quiet = std::fabs(f - trace.back()) <= 1e-15 * std::fabs(f) ? quiet + 1 : 0;
    trace.push_back(f);
    if (quiet >= 3) break;
  }
  return Rcpp::List::create(Rcpp::Named("objective") = trace, Rcpp::Named("theta") = theta);
}
