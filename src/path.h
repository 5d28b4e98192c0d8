// The path driver: a sequence of penalty levels fitted from largest to
// smallest, each warm-started from the previous solution (its coefficients,
// and through them its linear predictor and observation weights). For a
// family of constant curvature the Gram matrix X' W X is cached inside EmFit
// and so shared by every lambda of the path.
#ifndef SMEM_PATH_H
#define SMEM_PATH_H

#include <RcppEigen.h>

#include <functional>
#include <vector>

#include "em.h"

namespace smem {

// Early stop of the path once the deviance explained saturates (glmnet's
// rule): after `min_lambdas` fits, stop when the fraction of deviance
// explained exceeds `max_ratio` or grows by less than `min_gain` times itself.
struct PathStop {
  bool enabled = false;
  double null_loss = 0.0;       // sum w_i loss at the null model
  double saturated_loss = 0.0;  // sum w_i loss at the saturated model
  int min_lambdas = 5;
  double max_ratio = 0.999;
  double min_gain = 1e-5;
};

struct PathResult {
  Eigen::MatrixXd beta;            // m x L, on the scale of the columns given
  std::vector<FitSummary> fits;    // one per lambda
  std::vector<double> loss_sums;   // sum_i w_i loss(y_i, eta_i) per lambda
  int completed = 0;               // lambdas fitted (fewer when interrupted)
};

// lambda: penalty levels in the order to fit them; factors: v_j (0 for the
// intercept column). on_lambda(k) is called after each lambda, for progress
// and interrupts; returning false stops the path early.
template <class Family, class Penalty>
PathResult fit_path(const Data& data, const Family& family, const Penalty& penalty,
                    const Control& control,
                    const Eigen::VectorXd& lambda, const Eigen::VectorXd& factors,
                    const Eigen::VectorXd& start, const PathStop& stop,
                    const std::function<bool(int)>& on_lambda) {
  const double n = static_cast<double>(data.x.rows());
  EmFit<Family, Penalty> fit(data, family, penalty, control);
  fit.set_beta(start);
  PathResult out;
  out.beta = Eigen::MatrixXd::Zero(data.x.cols(), lambda.size());
  double last_ratio = 0.0;
  for (Eigen::Index k = 0; k < lambda.size(); ++k) {
    out.fits.push_back(fit.fit(n * lambda[k] * factors));
    out.beta.col(k) = fit.beta();
    out.loss_sums.push_back(fit.loss_sum());
    out.completed = static_cast<int>(k) + 1;
    if (!on_lambda(static_cast<int>(k))) break;
    if (stop.enabled) {
      const double ratio = 1.0 - (out.loss_sums.back() - stop.saturated_loss) /
                                     (stop.null_loss - stop.saturated_loss);
      // (a deviance explained at rounding level, that of null fits, is no
      // saturation)
      const bool explained = ratio > 1e-10;
      if (k + 1 >= stop.min_lambdas &&
          (ratio > stop.max_ratio || (explained && ratio - last_ratio < stop.min_gain * ratio)))
        break;
      last_ratio = ratio;
    }
  }
  out.beta.conservativeResize(Eigen::NoChange, out.completed);
  return out;
}

}  // namespace smem

#endif
