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

struct PathResult {
  Eigen::MatrixXd beta;            // m x L, on the scale of the columns given
  std::vector<FitSummary> fits;    // one per lambda
  int completed = 0;               // lambdas fitted (fewer when interrupted)
};

// lambda: penalty levels in the order to fit them; factors: v_j (0 for the
// intercept column). on_lambda(k) is called after each lambda, for progress
// and interrupts; returning false stops the path early.
template <class Family, class Penalty>
PathResult fit_path(const Data& data, const Penalty& penalty, const Control& control,
                    const Eigen::VectorXd& lambda, const Eigen::VectorXd& factors,
                    const Eigen::VectorXd& start,
                    const std::function<bool(int)>& on_lambda) {
  const double n = static_cast<double>(data.x.rows());
  EmFit<Family, Penalty> fit(data, penalty, control);
  fit.set_beta(start);
  PathResult out;
  out.beta = Eigen::MatrixXd::Zero(data.x.cols(), lambda.size());
  for (Eigen::Index k = 0; k < lambda.size(); ++k) {
    out.fits.push_back(fit.fit(n * lambda[k] * factors));
    out.beta.col(k) = fit.beta();
    out.completed = static_cast<int>(k) + 1;
    if (!on_lambda(static_cast<int>(k))) break;
  }
  return out;
}

}  // namespace smem

#endif
