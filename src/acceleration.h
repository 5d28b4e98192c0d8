// Nesterov extrapolation with restart, kept apart from the EM map so that
// plain SM-EM (no extrapolation) can always be run and tested.
//
// With t_1 = 1 and t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2, the EM map is
// applied at  beta + (t_k - 1) / t_{k+1} * (beta - previous)  instead of at
// beta. The caller keeps the step only if the objective does not rise; when
// it would, the caller takes a plain EM step and restarts (t = 1, so the next
// extrapolation has zero momentum).
#ifndef SMEM_ACCELERATION_H
#define SMEM_ACCELERATION_H

#include <RcppEigen.h>

#include <cmath>

namespace smem {

class Nesterov {
 public:
  explicit Nesterov(bool enabled) : enabled_(enabled) {}

  // Weight of (beta - previous) in the next extrapolation; 0 when disabled
  // or just restarted.
  double momentum() const { return enabled_ ? (t_ - 1.0) / next_t() : 0.0; }

  Eigen::VectorXd extrapolate(const Eigen::VectorXd& beta,
                              const Eigen::VectorXd& previous) const {
    return beta + momentum() * (beta - previous);
  }

  // After any step that continues the sequence (extrapolated or plain).
  void advance() { t_ = next_t(); }

  // After a refused extrapolation, or when the active set changes.
  void restart() { t_ = 1.0; }

 private:
  double next_t() const { return 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t_ * t_)); }

  bool enabled_;
  double t_ = 1.0;
};

}  // namespace smem

#endif
