// The M-step's linear algebra: symmetric positive (semi)definite solves.
//
// The SM-EM M-step and the support polish both solve  A delta = -g  with A a
// symmetric matrix built over the active set (a Gram matrix plus a diagonal).
// A Cholesky factorization is tried first; when A is numerically singular
// (unpenalized collinear columns, say) a pivoted LDL' factorization takes
// over, and as a last resort a tiny ridge relative to A's trace is added.
#ifndef SMEM_SOLVER_H
#define SMEM_SOLVER_H

#include <RcppEigen.h>

namespace smem {

// Solves A x = rhs for symmetric A (only the lower triangle is read).
// Returns false when no factorization gave a finite answer.
inline bool solve_symmetric(const Eigen::MatrixXd& a, const Eigen::VectorXd& rhs,
                            Eigen::VectorXd& out) {
  Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt(a);
  if (llt.info() == Eigen::Success) {
    out = llt.solve(rhs);
    if (out.allFinite()) return true;
  }
  Eigen::LDLT<Eigen::MatrixXd, Eigen::Lower> ldlt(a);
  if (ldlt.info() == Eigen::Success && ldlt.isPositive()) {
    out = ldlt.solve(rhs);
    if (out.allFinite()) return true;
  }
  const double jitter = 1e-10 * std::max(1.0, a.diagonal().cwiseAbs().maxCoeff());
  Eigen::MatrixXd shifted = a;
  shifted.diagonal().array() += jitter;
  Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> retry(shifted);
  if (retry.info() != Eigen::Success) return false;
  out = retry.solve(rhs);
  return out.allFinite();
}

// Lower triangle of Z'Z for Z = diag(sqrt(c)) * X[, columns], c >= 0: the
// weighted Gram matrix X_A' diag(c) X_A as one symmetric rank-k update.
inline Eigen::MatrixXd weighted_gram(const Eigen::Map<const Eigen::MatrixXd>& x,
                                     const std::vector<int>& columns,
                                     const Eigen::VectorXd& c) {
  const Eigen::Index n = x.rows();
  const Eigen::Index k = static_cast<Eigen::Index>(columns.size());
  const Eigen::VectorXd root = c.cwiseSqrt();
  Eigen::MatrixXd z(n, k);
  for (Eigen::Index a = 0; a < k; ++a) z.col(a) = x.col(columns[a]).cwiseProduct(root);
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(k, k);
  gram.selfadjointView<Eigen::Lower>().rankUpdate(z.transpose());
  return gram;
}

}  // namespace smem

#endif
