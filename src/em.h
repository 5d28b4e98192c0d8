// One penalized fit by Scale Mixture EM, warm-startable, for the path driver.
//
// Objective (multiplied by n; R reports it divided by n, glmnet's scale):
//
//   n F(b) = sum_i w_i loss(y_i, eta_i) + sum_j s_j P(|b_j|),
//   eta    = offset + X b,
//
// where X already holds the intercept as a column of ones (s = 0 there), the
// weights w sum to n and s_j = n * lambda * v_j. The caller (R) has validated
// and standardized everything; this code assumes finite input of matching
// sizes and never prints.
//
// One SM-EM iteration from b, over the active set A:
//   E-step   omega_i = w_i em_curvature(y_i, eta_i),  d_j = s_j weight(|b_j|)
//   M-step   (X_A' Omega X_A + diag(d)) delta = -grad F(b),  b <- b + delta
// i.e. exactly one preconditioned gradient step whose matrix is the curvature
// of the majorizer; the objective cannot increase.
//
// Around it:
//   * Nesterov extrapolation (acceleration.h), restarted (a plain step
//     taken instead) whenever the extrapolated step would raise the
//     objective, so the objective trace is non-increasing with or without
//     acceleration;
//   * an active set: a penalized coefficient below drop_tol whose zero value
//     satisfies the optimality condition is set to exactly zero (only when
//     this does not raise the objective); at convergence every zero
//     coefficient's optimality condition is checked, and violators enter at
//     their one-coordinate soft-threshold value;
//   * an optional support polish: once the support and signs have stopped
//     changing, a Newton step on the smooth restriction of F to that support
//     is tried and kept only if it keeps every sign and lowers F;
//   * stopping on the largest optimality violation (gradient scale, divided
//     by n), never on a small change of the objective.
#ifndef SMEM_EM_H
#define SMEM_EM_H

#include <RcppEigen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "acceleration.h"
#include "losses.h"
#include "penalties.h"
#include "solver.h"

namespace smem {

struct Data {
  Eigen::Map<const Eigen::MatrixXd> x;
  Eigen::Map<const Eigen::VectorXd> y;
  Eigen::Map<const Eigen::VectorXd> weights;
  Eigen::Map<const Eigen::VectorXd> offset;
};

struct Control {
  double tol = 1e-7;         // largest optimality violation at convergence
  int maxit = 10000;         // iterations per fit
  bool accelerate = true;    // Nesterov extrapolation with restart
  bool polish = true;        // Newton polish on a settled support
  double drop_tol = 1e-8;    // |b_j| below which a coefficient may be zeroed
  int gram_cache_max = 4000; // cache X'WX for constant curvature up to this width
  bool screen = true;        // admit warm-start violators before iterating
  // Measure each column's optimality violation per unit of the column's
  // root mean square (for columns not standardized to unit spread: the
  // rounding level of a gradient entry grows with its column's scale).
  bool column_units = false;
};

// How one fit ended.
struct FitSummary {
  int iterations = 0;
  bool converged = false;
  double violation = 0.0;     // largest optimality violation at the end
  int restarts = 0;           // rejected extrapolations
  int newton_steps = 0;       // accepted polish steps
  bool stalled = false;       // stopped because no step could lower F
  bool failed_solve = false;  // stopped because the M-step system was singular
  std::vector<double> trace;  // objective / n: start, then after each iteration
  double seconds_gram = 0.0;  // forming X' Omega X
  double seconds_solve = 0.0; // factorizations and solves
};

template <class Family, class Penalty>
class EmFit {
 public:
  EmFit(const Data& data, Family family, Penalty penalty, Control control)
      : data_(data),
        family_(family),
        penalty_(penalty),
        control_(control),
        n_(data.x.rows()),
        m_(data.x.cols()),
        cache_gram_(Family::constant_curvature && data.x.cols() <= control.gram_cache_max) {
    if (cache_gram_) gram_ready_.assign(static_cast<std::size_t>(m_), false);
    unit_ = Eigen::VectorXd::Ones(m_);
    if (control_.column_units) {
      for (Eigen::Index j = 0; j < m_; ++j) {
        const double rms = std::sqrt(data_.x.col(j).cwiseAbs2().dot(data_.weights) / n_);
        if (rms > 0.0 && std::isfinite(rms)) unit_[j] = rms;
      }
    }
    set_beta(Eigen::VectorXd::Zero(m_));
  }

  const Eigen::VectorXd& beta() const { return beta_; }
  const Eigen::VectorXd& eta() const { return eta_; }

  void set_beta(const Eigen::VectorXd& beta) {
    Trial start;
    start.beta = beta;
    start.eta = data_.offset + data_.x * beta;
    start.loss = loss_and_working_gradient(start.eta, start.r);
    accept(start);
  }

  // Fits at penalty scales s (length m, s_j = n lambda v_j), starting from the
  // current coefficients.
  FitSummary fit(const Eigen::VectorXd& scales) {
    s_ = scales;
    FitSummary out;
    start_active_set();
    // the loss at the warm start is known; only the penalty changed
    double f = loss_ + penalty_value(beta_);
    // Screening: at a warm start the zero coefficients that already violate
    // the optimality conditions at the new penalty enter now, at their
    // soft-threshold values. (These are the part of the sequential strong
    // set that can move: under the 1/|b| weight a coefficient at exactly
    // zero stays there.)
    if (control_.screen && penalty_.sparse()) admit_violators(f);
    out.trace.push_back(f / n_);

    Eigen::VectorXd previous = beta_;  // for the extrapolation
    Nesterov nesterov(control_.accelerate);
    // Iterations with unchanged support and signs; a warm start counts as
    // settled, so the polish may be the first step.
    int settled = 1;
    // A polish matrix that needed many steps at the previous penalty level
    // is refreshed now rather than after another slow fit.
    if (last_polish_steps_ > 4) refresh_polish_ = true;
    int polish_pause = 0;              // iterations to wait after a refused polish
    std::vector<int> signs = current_signs();

    double violation = active_violation();
    int stalled = 0;  // iterations in a row in which no step lowered f
    for (int iter = 1; iter <= control_.maxit; ++iter) {
      const double f_start = f;
      out.iterations = iter;
      bool moved = false;
      bool polished = false;

      // 1. A Newton polish when the support has settled.
      if (control_.polish && settled >= 1 && polish_pause == 0) {
        if (newton_step(f, out)) {
          moved = true;
          polished = true;
          previous = beta_;
          nesterov.restart();
          ++out.newton_steps;
        } else {
          polish_pause = 2;
        }
      } else if (polish_pause > 0) {
        --polish_pause;
      }

      // 2. Otherwise an EM step, extrapolated when accelerating.
      if (!moved) {
        Trial candidate;
        bool have = false;
        if (nesterov.momentum() > 0.0) {
          if (em_step(nesterov.extrapolate(beta_, previous), candidate.beta, out)) {
            const double fc = evaluate(candidate);
            if (fc <= f) {
              previous = beta_;
              accept(candidate);
              f = fc;
              nesterov.advance();
              have = true;
            }
          }
          if (!have) {
            ++out.restarts;
            nesterov.restart();
          }
        }
        if (!have) {
          if (!em_step(beta_, candidate.beta, out)) {  // no factorization worked
            out.failed_solve = true;
            out.violation = active_violation();
            break;
          }
          const double fc = evaluate(candidate);
          previous = beta_;
          // A plain step that does not lower f (rounding at the optimum) is
          // not taken, so the recorded objective never rises.
          if (fc <= f) {
            accept(candidate);
            f = fc;
          }
          nesterov.advance();
        }
      }

      // 3. Zero the negligible coefficients.
      if (drop_negligible(f)) {
        previous = beta_;
        nesterov.restart();
      }
      out.trace.push_back(f / n_);
      stalled = (f < f_start) ? 0 : stalled + 1;

      // 4. Stop on the optimality conditions.
      const std::vector<int> now = current_signs();
      settled = (now == signs) ? settled + 1 : 0;
      signs = now;
      const double previous_violation = violation;
      violation = active_violation();
      out.violation = violation;
      // A polish that did not cut the violation to a third refreshes its
      // frozen curvature next time. (A refresh costs a Gram matrix, O(n k^2),
      // a step with the frozen one O(n k); measured on the benchmark's
      // paths, a threshold of 1/4 refreshed too often on wide ridge paths
      // and 1/2 cost more steps on the lasso's.)
      if (polished && violation > 0.35 * previous_violation) refresh_polish_ = true;
      // After violators entered, the iteration starts afresh from the new
      // point (no momentum, support not settled).
      auto after_entry = [&]() {
        previous = beta_;
        nesterov.restart();
        settled = 0;
        signs = current_signs();
        violation = active_violation();
        out.trace.back() = f / n_;
        stalled = 0;
      };
      if (violation <= control_.tol) {
        if (admit_violators(f) == 0) {
          out.converged = true;
          break;
        }
        after_entry();
      }
      // No step has lowered the objective for a while: the iterate is at
      // the optimum over the active set to rounding, short of `tol`. A zero
      // coefficient that violates its optimality condition may still enter
      // (its move is far larger than rounding); otherwise stop (not
      // converged).
      if (stalled >= 20) {
        if (admit_violators(f) > 0) {
          after_entry();
          continue;
        }
        out.stalled = true;
        break;
      }
    }
    last_polish_steps_ = out.newton_steps;
    return out;
  }

  // One plain EM step from the current coefficients, without any of the
  // machinery around it: used to test the gradient-step identity.
  bool single_em_step(const Eigen::VectorXd& scales, Eigen::VectorXd& out) {
    s_ = scales;
    start_active_set();
    FitSummary unused;
    return em_step(beta_, out, unused);
  }

  // Largest optimality violation over all coefficients at the current point.
  double kkt_violation(const Eigen::VectorXd& scales) {
    s_ = scales;
    start_active_set();
    double worst = active_violation();
    const Eigen::VectorXd g = full_loss_gradient();
    for (Eigen::Index j = 0; j < m_; ++j) {
      if (in_active_[j]) continue;
      worst = std::max(worst, (std::fabs(g[j]) - s_[j] * penalty_.slope_at_zero()) / (n_ * unit_[j]));
    }
    return worst;
  }

  // Sum of w_i loss(y_i, eta_i) at the current coefficients.
  double loss_sum() const { return loss_; }

  double objective_value(const Eigen::VectorXd& scales) {
    s_ = scales;
    start_active_set();
    return (loss_ + penalty_value(beta_)) / n_;
  }

 private:
  const Data& data_;
  Family family_;
  Penalty penalty_;
  Control control_;
  Eigen::Index n_, m_;
  // The current point: coefficients, linear predictor, sum of w_i loss and
  // working gradient r_i = w_i d loss / d eta_i.
  Eigen::VectorXd beta_, eta_, r_;
  double loss_ = 0.0;
  Eigen::VectorXd s_;
  RowGram row_gram_;      // for the n x n dual systems of wide active sets
  Eigen::VectorXd unit_;  // the unit of each column's violation (Control)
  std::vector<int> active_;
  std::vector<bool> in_active_;
  bool cache_gram_;
  Eigen::MatrixXd gram_;  // lower triangle of X' W X * omega when cached
  std::vector<bool> gram_ready_;
  // Frozen polish curvature: weights, the columns of the kept matrix, and
  // the matrix (lower triangle).
  Eigen::VectorXd frozen_h_;
  std::vector<int> frozen_columns_;
  Eigen::MatrixXd frozen_gram_;
  bool refresh_polish_ = true;
  int last_polish_steps_ = 0;  // accepted polish steps of the last fit
  long polish_version_ = 0;  // changes whenever the polish matrix may change
  // The last polish factorization, reused while its matrix is unchanged
  // (the same loss matrix, columns and penalty curvature).
  struct {
    long version = -1;
    std::vector<int> columns;
    Eigen::VectorXd diagonal;
    Eigen::LLT<Eigen::MatrixXd, Eigen::Lower> llt;
  } polish_factor_;
  // The gradient of n F over the active set at the current point, and its
  // loss part X_A' r: kept until the point or the active set change (the
  // loss part also across penalty levels).
  Eigen::VectorXd gradient_, loss_gradient_;
  bool gradient_ready_ = false;
  bool loss_gradient_ready_ = false;

  // Secant pairs of the polish: steps over the active set `secant_columns_`
  // and the changes of the loss gradient they caused. They correct the
  // frozen matrix of the polish (limited-memory BFGS with that matrix as the
  // initial one) between refreshes. `pending_` is the last step, waiting for
  // the gradient at its end point.
  struct SecantPair {
    Eigen::VectorXd step, change, end;
  };
  static constexpr std::size_t max_secant_pairs_ = 5;
  std::vector<SecantPair> secant_;
  std::vector<int> secant_columns_;
  SecantPair pending_;
  bool secant_pending_ = false;

  // A trial point: coefficients, then (from evaluate) the linear predictor,
  // the sum of w_i loss and the working gradient.
  struct Trial {
    Eigen::VectorXd beta, eta, r;
    double loss = 0.0;
  };

  using Clock = std::chrono::steady_clock;
  static double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  bool penalized(Eigen::Index j) const { return s_[j] > 0.0; }
  // lambda * v_j, the level that shapes the non-convex penalties
  double level(Eigen::Index j) const { return s_[j] / static_cast<double>(n_); }
  bool can_be_zero(Eigen::Index j) const { return penalized(j) && penalty_.sparse(); }

  // The active set at the start of a fit: the unpenalized and non-zero
  // coefficients. (The penalty scales have just changed, so the gradient's
  // penalty part is recomputed; its loss part is kept if the set is the
  // same.)
  void start_active_set() {
    const std::vector<int> before = active_;
    gradient_ready_ = false;
    active_.clear();
    in_active_.assign(static_cast<std::size_t>(m_), false);
    for (Eigen::Index j = 0; j < m_; ++j) {
      if (!can_be_zero(j) || beta_[j] != 0.0) {
        active_.push_back(static_cast<int>(j));
        in_active_[j] = true;
      }
    }
    if (active_ != before) loss_gradient_ready_ = false;
  }

  void rebuild_active_list() {
    forget_gradient();
    active_.clear();
    for (Eigen::Index j = 0; j < m_; ++j)
      if (in_active_[j]) active_.push_back(static_cast<int>(j));
  }

  // The support and the signs of the coefficients that can be zero (the
  // polish keeps them); a coefficient under a penalty smooth at zero may
  // change sign freely.
  std::vector<int> current_signs() const {
    std::vector<int> signs(active_.size(), 0);
    for (std::size_t a = 0; a < active_.size(); ++a) {
      const int j = active_[a];
      if (!can_be_zero(j)) continue;
      const double b = beta_[j];
      signs[a] = (b > 0) - (b < 0);
    }
    signs.push_back(static_cast<int>(active_.size()));
    return signs;
  }

  // eta = offset + X_A beta_A (over the non-zero coefficients).
  void eta_of(const Eigen::VectorXd& beta, Eigen::VectorXd& eta) const {
    std::vector<int> used;
    used.reserve(active_.size());
    for (int j : active_)
      if (beta[j] != 0.0) used.push_back(j);
    Eigen::VectorXd values(static_cast<Eigen::Index>(used.size()));
    for (std::size_t a = 0; a < used.size(); ++a) values[static_cast<Eigen::Index>(a)] = beta[used[a]];
    eta = data_.offset;
    add_columns(data_.x, used, values, eta);
  }

  void forget_gradient() {
    gradient_ready_ = false;
    loss_gradient_ready_ = false;
  }

  // Makes an evaluated trial the current point.
  void accept(const Trial& trial) {
    beta_ = trial.beta;
    eta_ = trial.eta;
    r_ = trial.r;
    loss_ = trial.loss;
    forget_gradient();
  }

  // Fills the trial's linear predictor, loss and working gradient from its
  // coefficients; returns its objective n F.
  double evaluate(Trial& trial) const {
    eta_of(trial.beta, trial.eta);
    trial.loss = loss_and_working_gradient(trial.eta, trial.r);
    return trial.loss + penalty_value(trial.beta);
  }

  double penalty_value(const Eigen::VectorXd& beta) const {
    double total = 0.0;
    for (int j : active_)
      if (s_[j] > 0.0 && beta[j] != 0.0) total += s_[j] * penalty_.value(std::fabs(beta[j]), level(j));
    return total;
  }

  // Sum of w_i loss at eta; r gets the working gradient there.
  double loss_and_working_gradient(const Eigen::VectorXd& eta, Eigen::VectorXd& r) const {
    r.resize(n_);
    double total = 0.0;
    for (Eigen::Index i = 0; i < n_; ++i) {
      double g;
      total += data_.weights[i] * family_.loss_and_gradient(data_.y[i], eta[i], g);
      r[i] = data_.weights[i] * g;
    }
    return total;
  }

  // w_i * d loss / d eta_i at eta.
  Eigen::VectorXd working_gradient(const Eigen::VectorXd& eta) const {
    Eigen::VectorXd r(n_);
    for (Eigen::Index i = 0; i < n_; ++i)
      r[i] = data_.weights[i] * family_.gradient(data_.y[i], eta[i]);
    return r;
  }

  Eigen::VectorXd full_loss_gradient() const { return data_.x.transpose() * r_; }

  // Gradient of n F restricted to the active set at the current point
  // (penalty part: s_j P'(|b_j|) sign(b_j) = d_j b_j).
  const Eigen::VectorXd& active_gradient() {
    if (!gradient_ready_) {
      gradient_ = active_loss_gradient();
      add_penalty_gradient(beta_, active_, gradient_);
      gradient_ready_ = true;
    }
    return gradient_;
  }

  // Its loss part X_A' r.
  const Eigen::VectorXd& active_loss_gradient() {
    if (!loss_gradient_ready_) {
      loss_gradient_ = columns_times(data_.x, active_, r_);
      loss_gradient_ready_ = true;
      complete_secant_pair();
    }
    return loss_gradient_;
  }

  // The pending polish step gets its gradient change if the point is still
  // its end point and the active set the same.
  void complete_secant_pair() {
    if (!secant_pending_) return;
    secant_pending_ = false;
    if (active_ != secant_columns_) return;
    for (std::size_t a = 0; a < active_.size(); ++a)
      if (beta_[active_[a]] != pending_.end[static_cast<Eigen::Index>(a)]) return;
    pending_.change = loss_gradient_ - pending_.change;
    if (secant_.size() == max_secant_pairs_) secant_.erase(secant_.begin());
    secant_.push_back(pending_);
  }

  // Adds the penalty's part of the gradient, s_j P'(|b_j|) sign(b_j).
  void add_penalty_gradient(const Eigen::VectorXd& beta, const std::vector<int>& columns,
                            Eigen::VectorXd& g) const {
    for (std::size_t a = 0; a < columns.size(); ++a) {
      const int j = columns[a];
      if (s_[j] > 0.0 && beta[j] != 0.0)
        g[a] += s_[j] * penalty_.derivative(std::fabs(beta[j]), level(j)) * (beta[j] > 0 ? 1.0 : -1.0);
    }
  }

  double active_violation() {
    const Eigen::VectorXd& g = active_gradient();
    double worst = 0.0;
    for (std::size_t a = 0; a < active_.size(); ++a) {
      const int j = active_[a];
      double v = std::fabs(g[a]);
      if (can_be_zero(j) && beta_[j] == 0.0)
        v = std::max(0.0, v - s_[j] * penalty_.slope_at_zero());
      worst = std::max(worst, v / unit_[j]);
    }
    return worst / n_;
  }

  // X_S' diag(c) X_S over the columns S, from the cache when the curvature
  // is constant.
  Eigen::MatrixXd gram_over(const Eigen::VectorXd& c, bool constant,
                            const std::vector<int>& columns, FitSummary& summary) {
    const auto start = Clock::now();
    const Eigen::Index k = static_cast<Eigen::Index>(columns.size());
    Eigen::MatrixXd gram(k, k);
    if (constant && cache_gram_) {
      // (allocated at its first use: a path that only polishes never needs it)
      if (gram_.size() == 0) gram_ = Eigen::MatrixXd::Zero(m_, m_);
      // the missing columns of the cache, as one matrix product
      std::vector<int> missing;
      for (int j : columns)
        if (!gram_ready_[j]) missing.push_back(j);
      if (!missing.empty()) {
        const Eigen::MatrixXd block = data_.x.transpose() * weighted_columns(c, missing);
        for (Eigen::Index e = 0; e < static_cast<Eigen::Index>(missing.size()); ++e) {
          const int j = missing[e];
          gram_.col(j) = block.col(e);
          gram_.row(j) = block.col(e).transpose();
          gram_ready_[j] = true;
        }
      }
      for (Eigen::Index a = 0; a < k; ++a)
        for (Eigen::Index b = a; b < k; ++b) gram(b, a) = gram_(columns[b], columns[a]);
    } else {
      gram = weighted_gram(data_.x, columns, c);
    }
    summary.seconds_gram += since(start);
    return gram;
  }


  // The EM map: out = from - A^{-1} grad F(from) over the active set.
  bool em_step(const Eigen::VectorXd& from, Eigen::VectorXd& out, FitSummary& summary) {
    // from the current point its linear predictor and gradient are known
    const bool here = (&from == &beta_);
    Eigen::VectorXd eta_from;
    if (!here) eta_of(from, eta_from);
    const Eigen::VectorXd& eta = here ? eta_ : eta_from;
    Eigen::VectorXd omega(n_);
    for (Eigen::Index i = 0; i < n_; ++i)
      omega[i] = data_.weights[i] * family_.em_curvature(data_.y[i], eta[i]);
    // Parameter weights d_j. The penalty's part of the gradient is written
    // d_j b_j (equal to s_j P'(|b_j|) sign(b_j)), with the same d_j as the
    // matrix: the weight is capped at 1e280 (a coefficient far below 1e-100
    // under an infinite-slope penalty), and the step must use the capped
    // value on both sides to pin the coefficient near zero rather than
    // overshoot.
    const Eigen::Index k = static_cast<Eigen::Index>(active_.size());
    Eigen::VectorXd g = here ? active_loss_gradient() : columns_times(data_.x, active_, working_gradient(eta));
    Eigen::VectorXd d = Eigen::VectorXd::Zero(k);
    for (Eigen::Index idx = 0; idx < k; ++idx) {
      const int j = active_[idx];
      if (s_[j] > 0.0) {
        // |b| is floored so that an extrapolated coefficient that lands on
        // zero gets a huge (not infinite) weight and stays near zero.
        const double size = std::max(std::fabs(from[j]), 1e-300);
        d[idx] = std::min(s_[j] * penalty_.weight(size, level(j)), 1e280);
        g[idx] += d[idx] * from[j];
      }
    }
    Eigen::VectorXd delta;
    bool ok = false;
    if (k > n_) {
      // wider than n: the n x n dual system (when every penalized column
      // has a positive weight; otherwise the primal below)
      const auto start = Clock::now();
      // (the n x n matrix of the penalized columns is kept when the
      // penalty's weights keep their ratios: under the ridge; the lasso's
      // change at every step)
      ok = solve_dual(data_.x, active_, omega, d, -g, delta,
                      penalty_.sparse() ? nullptr : &row_gram_);
      summary.seconds_solve += since(start);
    }
    if (!ok) {
      Eigen::MatrixXd a = gram_over(omega, Family::constant_curvature, active_, summary);
      a.diagonal() += d;
      const auto start = Clock::now();
      ok = solve_symmetric(a, -g, delta);
      summary.seconds_solve += since(start);
    }
    if (!ok) return false;
    out = from;
    for (Eigen::Index idx = 0; idx < k; ++idx) out[active_[idx]] += delta[idx];
    return true;
  }

  // The loss curvature matrix of the polish over the active set. Exact
  // Newton needs X_A' diag(w h(eta)) X_A at every step, the dominant cost;
  // instead the weights h are frozen at some earlier point and the matrix is
  // kept and extended as columns enter, and refreshed only when a step with
  // it is refused or makes little progress (`refresh`). Any symmetric
  // positive definite matrix gives a descent direction, and every step is
  // checked against the objective, so this changes speed, not the answer.
  const Eigen::MatrixXd& polish_matrix(bool refresh, FitSummary& summary) {
    if (Family::constant_newton) {
      if (frozen_columns_ != active_ || frozen_gram_.rows() != static_cast<Eigen::Index>(active_.size())) {
        Eigen::VectorXd h(n_);
        for (Eigen::Index i = 0; i < n_; ++i)
          h[i] = data_.weights[i] * family_.newton_curvature(data_.y[i], eta_[i]);
        frozen_gram_ = gram_over(h, true, active_, summary);
        frozen_columns_ = active_;
        ++polish_version_;
      }
      return frozen_gram_;
    }
    if (refresh || frozen_h_.size() == 0) {
      frozen_h_.resize(n_);
      for (Eigen::Index i = 0; i < n_; ++i)
        frozen_h_[i] = data_.weights[i] * family_.newton_curvature(data_.y[i], eta_[i]);
      frozen_columns_ = active_;
      frozen_gram_ = gram_over(frozen_h_, false, active_, summary);
      ++polish_version_;
      return frozen_gram_;
    }
    if (frozen_columns_ == active_) return frozen_gram_;
    // Re-index the kept block and compute the entries of entering columns.
    const auto start = Clock::now();
    std::vector<int> position(static_cast<std::size_t>(m_), -1);
    for (std::size_t a = 0; a < frozen_columns_.size(); ++a) position[frozen_columns_[a]] = static_cast<int>(a);
    const Eigen::Index k = static_cast<Eigen::Index>(active_.size());
    Eigen::MatrixXd gram(k, k);
    std::vector<Eigen::Index> entering;
    for (Eigen::Index b = 0; b < k; ++b) {
      const int jb = active_[b];
      if (position[jb] < 0) {
        entering.push_back(b);
        continue;
      }
      for (Eigen::Index a = b; a < k; ++a) {
        const int ja = active_[a];
        if (position[ja] >= 0) gram(a, b) = frozen_gram_(std::max(position[ja], position[jb]),
                                                         std::min(position[ja], position[jb]));
      }
    }
    if (!entering.empty()) {
      const Eigen::MatrixXd cross = cross_products(frozen_h_, active_, entering);
      for (std::size_t e = 0; e < entering.size(); ++e) {
        const Eigen::Index b = entering[e];
        for (Eigen::Index a = 0; a < k; ++a) {
          if (a >= b) gram(a, b) = cross(a, static_cast<Eigen::Index>(e));
          else gram(b, a) = cross(a, static_cast<Eigen::Index>(e));
        }
      }
    }
    summary.seconds_gram += since(start);
    frozen_columns_ = active_;
    frozen_gram_ = std::move(gram);
    ++polish_version_;
    return frozen_gram_;
  }

  // diag(c) X_T for the columns T.
  Eigen::MatrixXd weighted_columns(const Eigen::VectorXd& c, const std::vector<int>& columns) const {
    Eigen::MatrixXd out(n_, static_cast<Eigen::Index>(columns.size()));
    for (std::size_t e = 0; e < columns.size(); ++e)
      out.col(static_cast<Eigen::Index>(e)) = data_.x.col(columns[e]).cwiseProduct(c);
    return out;
  }

  // X_S' diag(c) X_T for the columns S and the columns T = S[picks]: one
  // matrix product over all of X when S covers most of it, otherwise a dot
  // product per entry.
  Eigen::MatrixXd cross_products(const Eigen::VectorXd& c, const std::vector<int>& columns,
                                 const std::vector<Eigen::Index>& picks) const {
    const Eigen::Index k = static_cast<Eigen::Index>(columns.size());
    const Eigen::Index q = static_cast<Eigen::Index>(picks.size());
    std::vector<int> picked(static_cast<std::size_t>(q));
    for (Eigen::Index e = 0; e < q; ++e) picked[e] = columns[picks[e]];
    const Eigen::MatrixXd weighted = weighted_columns(c, picked);
    Eigen::MatrixXd out(k, q);
    if (2 * k >= m_) {
      const Eigen::MatrixXd all = data_.x.transpose() * weighted;
      for (Eigen::Index a = 0; a < k; ++a) out.row(a) = all.row(columns[a]);
    } else {
      for (Eigen::Index e = 0; e < q; ++e)
        for (Eigen::Index a = 0; a < k; ++a) out(a, e) = data_.x.col(columns[a]).dot(weighted.col(e));
    }
    return out;
  }

  // Polish: a Newton step (with the curvature matrix above) on the smooth
  // restriction of F to the current support and signs, tried with the frozen
  // matrix first and, if refused, with a fresh one. The caller sets
  // refresh_polish_ when an accepted step made too little progress.
  bool newton_step(double& f, FitSummary& summary) {
    const bool fresh = refresh_polish_;
    bool accepted = newton_attempt(f, fresh, summary);
    if (!accepted) secant_.clear();
    if (!accepted && !fresh) accepted = newton_attempt(f, true, summary);
    refresh_polish_ = !accepted;
    return accepted;
  }

  // One polish attempt; the step is projected on the current orthant (a
  // penalized coefficient that would change sign is set to exactly zero and
  // leaves the active set) and halved up to eleven times; it is kept only if
  // it lowers F.
  bool newton_attempt(double& f, bool refresh, FitSummary& summary) {
    Eigen::VectorXd delta;
    if (!wide_newton_direction(delta, summary)) {
      if (!primal_newton_direction(refresh, delta, summary)) return false;
    }
    return newton_line_search(delta, f);
  }

  // Over an active set wider than n with a positive penalty curvature on
  // every penalized column (a ridge part), the Newton system is solved
  // through the n x n dual system with the current loss curvature.
  bool wide_newton_direction(Eigen::VectorXd& delta, FitSummary& summary) {
    const Eigen::Index k = static_cast<Eigen::Index>(active_.size());
    if (k <= n_) return false;
    Eigen::VectorXd d = Eigen::VectorXd::Zero(k);
    for (Eigen::Index idx = 0; idx < k; ++idx) {
      const int j = active_[idx];
      if (s_[j] > 0.0) {
        d[idx] = s_[j] * penalty_.curvature(std::fabs(beta_[j]), level(j));
        if (!(d[idx] > 0.0)) return false;
      }
    }
    Eigen::VectorXd h(n_);
    for (Eigen::Index i = 0; i < n_; ++i)
      h[i] = data_.weights[i] * family_.newton_curvature(data_.y[i], eta_[i]);
    const Eigen::VectorXd& g = active_gradient();
    const auto start = Clock::now();
    const bool ok = solve_dual(data_.x, active_, h, d, -g, delta, &row_gram_);
    summary.seconds_solve += since(start);
    return ok;
  }

  bool primal_newton_direction(bool refresh, Eigen::VectorXd& delta, FitSummary& summary) {
    const Eigen::MatrixXd& loss_part = polish_matrix(refresh, summary);
    const Eigen::VectorXd& g = active_gradient();
    const Eigen::Index k = static_cast<Eigen::Index>(active_.size());
    Eigen::VectorXd diagonal = Eigen::VectorXd::Zero(k);
    bool concave_part = false;
    for (Eigen::Index idx = 0; idx < k; ++idx) {
      const int j = active_[idx];
      if (s_[j] > 0.0) {
        diagonal[idx] = s_[j] * penalty_.curvature(std::fabs(beta_[j]), level(j));
        concave_part = concave_part || diagonal[idx] < 0.0;
      }
    }
    const auto start = Clock::now();
    // The factorization of the last matrix is reused when the matrix is the
    // same (as for the ridge at one lambda, or the lasso on a fixed support).
    auto& cached = polish_factor_;
    bool ok = cached.version == polish_version_ && cached.columns == active_ &&
              cached.diagonal.size() == k && cached.diagonal == diagonal;
    if (!ok) {
      Eigen::MatrixXd hess = loss_part;
      hess.diagonal() += diagonal;
      cached.llt.compute(hess);
      ok = cached.llt.info() == Eigen::Success;
      cached.version = ok ? polish_version_ : -1;
      cached.columns = active_;
      cached.diagonal = diagonal;
    }
    if (ok) {
      delta = secant_direction(g, diagonal, concave_part);
      ok = delta.allFinite();
    }
    if (!ok) {
      cached.version = -1;
      Eigen::MatrixXd hess = loss_part;
      // The penalty's own curvature is negative where a non-convex penalty
      // bends; if the matrix is then not positive definite its Newton
      // direction need not descend, and the negative part is left out (any
      // positive definite matrix gives a descent direction).
      hess.diagonal() += diagonal.cwiseMax(0.0);
      ok = solve_symmetric(hess, -g, delta);
    }
    summary.seconds_solve += since(start);
    return ok;
  }

  // -H g with H the inverse of the factorized polish matrix, corrected by
  // the secant pairs (the two-loop recursion of limited-memory BFGS). A
  // pair's gradient change is its loss part plus the penalty's curvature
  // times the step, at the current penalty level; pairs without positive
  // curvature are skipped, and none is used under a concave penalty part.
  Eigen::VectorXd secant_direction(const Eigen::VectorXd& g, const Eigen::VectorXd& diagonal,
                                   bool concave_part) const {
    const auto& llt = polish_factor_.llt;
    if (concave_part || secant_.empty() || secant_columns_ != active_) return llt.solve(-g);
    std::vector<Eigen::VectorXd> changes;
    std::vector<const Eigen::VectorXd*> steps;
    std::vector<double> rho;
    for (const SecantPair& pair : secant_) {
      Eigen::VectorXd y = pair.change + diagonal.cwiseProduct(pair.step);
      const double sy = pair.step.dot(y);
      if (!(sy > 1e-12 * pair.step.norm() * y.norm())) continue;
      changes.push_back(std::move(y));
      steps.push_back(&pair.step);
      rho.push_back(1.0 / sy);
    }
    Eigen::VectorXd q = -g;
    std::vector<double> alpha(rho.size());
    for (std::size_t i = rho.size(); i-- > 0;) {
      alpha[i] = rho[i] * steps[i]->dot(q);
      q -= alpha[i] * changes[i];
    }
    Eigen::VectorXd r = llt.solve(q);
    for (std::size_t i = 0; i < rho.size(); ++i) {
      const double b = rho[i] * changes[i].dot(r);
      r += (alpha[i] - b) * *steps[i];
    }
    return r;
  }

  // The polish step along delta: projected on the current orthant and
  // halved until it lowers F (see newton_attempt).
  bool newton_line_search(const Eigen::VectorXd& delta, double& f) {
    Trial candidate;
    double step = 1.0;
    for (int tries = 0; tries < 12; ++tries, step *= 0.5) {
      candidate.beta = beta_;
      for (std::size_t idx = 0; idx < active_.size(); ++idx) {
        const int j = active_[idx];
        candidate.beta[j] += step * delta[idx];
        if (can_be_zero(j) && candidate.beta[j] * beta_[j] <= 0.0) candidate.beta[j] = 0.0;
      }
      const double fc = evaluate(candidate);
      // Strictly lower: a step that changes nothing would otherwise be
      // accepted over and over in place of the EM step.
      if (fc < f) {
        remember_step(candidate.beta);
        accept(candidate);
        f = fc;
        bool dropped = false;
        for (int j : active_) {
          if (can_be_zero(j) && beta_[j] == 0.0) {
            in_active_[j] = false;
            dropped = true;
          }
        }
        if (dropped) rebuild_active_list();
        return true;
      }
    }
    return false;
  }

  // Records the polish step to `next` (over the active set) and the loss
  // gradient before it, for a secant pair.
  void remember_step(const Eigen::VectorXd& next) {
    if (secant_columns_ != active_) {
      secant_.clear();
      secant_columns_ = active_;
    }
    const Eigen::Index k = static_cast<Eigen::Index>(active_.size());
    pending_.step.resize(k);
    pending_.end.resize(k);
    for (Eigen::Index a = 0; a < k; ++a) {
      const int j = active_[a];
      pending_.step[a] = next[j] - beta_[j];
      pending_.end[a] = next[j];
    }
    pending_.change = active_loss_gradient();
    secant_pending_ = true;
  }

  // Sets to zero the penalized coefficients below drop_tol whose zero value
  // meets the optimality condition, if that does not raise the objective.
  bool drop_negligible(double& f) {
    std::vector<int> candidates;
    for (int j : active_)
      if (can_be_zero(j) && beta_[j] != 0.0 && std::fabs(beta_[j]) < control_.drop_tol)
        candidates.push_back(j);
    if (candidates.empty()) return false;
    Trial dropped;
    dropped.beta = beta_;
    bool any = false;
    for (int j : candidates) {
      const double g = data_.x.col(j).dot(r_);
      if (std::fabs(g) <= s_[j] * penalty_.slope_at_zero()) {
        dropped.beta[j] = 0.0;
        any = true;
      }
    }
    if (!any) return false;
    const double fc = evaluate(dropped);
    // A penalty that tends to -infinity at zero (horseshoe) counts a zero
    // coefficient as out of the model, so removing it raises the recorded
    // objective by the (finite) penalty it had; the drop is still taken,
    // the coefficient being negligible and zero its limit under EM.
    if (fc > f && !Penalty::unbounded_at_zero) return false;
    accept(dropped);
    f = fc;
    for (int j : candidates)
      if (beta_[j] == 0.0) in_active_[j] = false;
    rebuild_active_list();
    return true;
  }

  // Checks every zero coefficient outside the active set; violators enter at
  // their one-coordinate soft-threshold values (scaled back until the
  // objective falls: the joint move is a descent direction). Returns how many
  // entered.
  int admit_violators(double& f) {
    std::vector<int> outside;
    for (Eigen::Index j = 0; j < m_; ++j)
      if (!in_active_[j]) outside.push_back(static_cast<int>(j));
    if (outside.empty()) return 0;
    const Eigen::VectorXd g = columns_times(data_.x, outside, r_);
    std::vector<int> entering;
    std::vector<double> excess;
    for (std::size_t a = 0; a < outside.size(); ++a) {
      const double e = std::fabs(g[a]) - s_[outside[a]] * penalty_.slope_at_zero();
      if (e / (n_ * unit_[outside[a]]) <= control_.tol) continue;
      entering.push_back(static_cast<int>(a));
      excess.push_back(e);
    }
    if (entering.empty()) return 0;
    Eigen::VectorXd omega(n_);
    for (Eigen::Index i = 0; i < n_; ++i)
      omega[i] = data_.weights[i] * family_.em_curvature(data_.y[i], eta_[i]);
    Eigen::VectorXd move = Eigen::VectorXd::Zero(m_);
    for (std::size_t e = 0; e < entering.size(); ++e) {
      const int a = entering[e];
      const int j = outside[a];
      const double curvature = data_.x.col(j).cwiseAbs2().dot(omega) +
                               s_[j] * std::max(0.0, penalty_.curvature(0.0, level(j)));
      move[j] = -(g[a] > 0 ? 1.0 : -1.0) * excess[e] / std::max(curvature, 1e-300);
      in_active_[j] = true;
      entering[e] = j;
    }
    rebuild_active_list();
    Trial candidate;
    for (int tries = 0; tries < 60; ++tries, move *= 0.5) {
      candidate.beta = beta_ + move;
      const double fc = evaluate(candidate);
      if (fc <= f) {
        accept(candidate);
        f = fc;
        return static_cast<int>(entering.size());
      }
    }
    // No decrease found: the violations are at rounding level, so the
    // violators stay out and the fit counts as converged.
    for (int j : entering) in_active_[j] = false;
    rebuild_active_list();
    return 0;
  }
};

}  // namespace smem

#endif
