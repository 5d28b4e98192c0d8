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

#include <vector>

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

// Solves (X_A' diag(c) X_A + diag(d)) out = rhs through an n x n system,
// for active sets A wider than the number of observations n. Columns with
// d_j > 0 (the penalized ones, P) go through the Woodbury identity
//   (D + Z'Z)^{-1} = D^{-1} - D^{-1} Z' (I + Z D^{-1} Z')^{-1} Z D^{-1},
// Z = diag(sqrt(c)) X_P; the few with d_j = 0 (the intercept, unpenalized
// columns: U) are eliminated through their Schur complement. The cost is
// O(n^2 |A|) instead of the O(n |A|^2 + |A|^3) of the primal system.
// Returns false when |U| is too large for this route or a factorization
// fails (the caller then solves the primal system).
inline bool solve_dual(const Eigen::Map<const Eigen::MatrixXd>& x,
                       const std::vector<int>& columns, const Eigen::VectorXd& c,
                       const Eigen::VectorXd& d, const Eigen::VectorXd& rhs,
                       Eigen::VectorXd& out) {
  const Eigen::Index n = x.rows();
  std::vector<Eigen::Index> pen, free;
  for (std::size_t a = 0; a < columns.size(); ++a) {
    if (d[a] > 0.0) pen.push_back(static_cast<Eigen::Index>(a));
    else free.push_back(static_cast<Eigen::Index>(a));
  }
  if (free.size() > 50 || pen.empty()) return false;
  const Eigen::Index kp = static_cast<Eigen::Index>(pen.size());
  const Eigen::Index ku = static_cast<Eigen::Index>(free.size());
  const Eigen::VectorXd root = c.cwiseSqrt();
  Eigen::MatrixXd z(n, kp);
  Eigen::VectorXd dp(kp);
  for (Eigen::Index a = 0; a < kp; ++a) {
    z.col(a) = x.col(columns[pen[a]]).cwiseProduct(root);
    dp[a] = d[pen[a]];
  }
  // K = I + Z D^{-1} Z' (lower triangle)
  Eigen::MatrixXd scaled = z * dp.cwiseInverse().cwiseSqrt().asDiagonal();
  Eigen::MatrixXd k = Eigen::MatrixXd::Identity(n, n);
  k.selfadjointView<Eigen::Lower>().rankUpdate(scaled);
  Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt(k);
  if (llt.info() != Eigen::Success) return false;
  // v -> (D + Z'Z)^{-1} v over P
  auto apply_inverse = [&](const Eigen::VectorXd& v) {
    const Eigen::VectorXd w = v.cwiseQuotient(dp);
    const Eigen::VectorXd t = llt.solve(z * w);
    return Eigen::VectorXd(w - (z.transpose() * t).cwiseQuotient(dp));
  };
  Eigen::VectorXd rhs_p(kp);
  for (Eigen::Index a = 0; a < kp; ++a) rhs_p[a] = rhs[pen[a]];
  out.resize(static_cast<Eigen::Index>(columns.size()));
  if (ku == 0) {
    const Eigen::VectorXd sol = apply_inverse(rhs_p);
    for (Eigen::Index a = 0; a < kp; ++a) out[pen[a]] = sol[a];
    return out.allFinite();
  }
  // Blocks with the unpenalized columns: B = X_P' C X_U, E = X_U' C X_U
  Eigen::MatrixXd zu(n, ku);
  Eigen::VectorXd rhs_u(ku);
  for (Eigen::Index b = 0; b < ku; ++b) {
    zu.col(b) = x.col(columns[free[b]]).cwiseProduct(root);
    rhs_u[b] = rhs[free[b]];
  }
  const Eigen::MatrixXd block = z.transpose() * zu;
  Eigen::MatrixXd solved(kp, ku);
  for (Eigen::Index b = 0; b < ku; ++b) solved.col(b) = apply_inverse(block.col(b));
  Eigen::MatrixXd schur = zu.transpose() * zu - block.transpose() * solved;
  const Eigen::VectorXd base = apply_inverse(rhs_p);
  Eigen::VectorXd delta_u;
  if (!solve_symmetric(schur, rhs_u - block.transpose() * base, delta_u)) return false;
  const Eigen::VectorXd delta_p = base - solved * delta_u;
  for (Eigen::Index a = 0; a < kp; ++a) out[pen[a]] = delta_p[a];
  for (Eigen::Index b = 0; b < ku; ++b) out[free[b]] = delta_u[b];
  return out.allFinite();
}

}  // namespace smem

#endif
