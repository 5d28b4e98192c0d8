// The design's set-up: column moments and the standardized matrix the core
// fits, in one or two passes over x (the R versions made several full
// copies of x, a visible share of a path's time on large designs).
#ifndef SMEM_DESIGN_H
#define SMEM_DESIGN_H

#include <RcppEigen.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace smem {

// Weighted column moments of x; the weights w sum to n.
struct ColumnMoments {
  Eigen::VectorXd mean;     // sum_i w_i x_ij / n
  Eigen::VectorXd spread;   // sqrt(sum_i w_i (x_ij - mean_j)^2 / n)
  Eigen::VectorXd largest;  // max_i |x_ij|
};

// The spread is computed without overflow or underflow of the squares:
// each centred column is divided by its largest size first. A column whose
// mean overflows gets a non-finite mean and spread (the caller reports it).
inline ColumnMoments column_moments(const Eigen::Map<const Eigen::MatrixXd>& x,
                                    const Eigen::Map<const Eigen::VectorXd>& w) {
  const Eigen::Index n = x.rows(), p = x.cols();
  const double count = static_cast<double>(n);
  ColumnMoments out{Eigen::VectorXd(p), Eigen::VectorXd(p), Eigen::VectorXd(p)};
  for (Eigen::Index j = 0; j < p; ++j) {
    const auto column = x.col(j).array();
    const double mean = x.col(j).dot(w) / count;
    out.mean[j] = mean;
    const double low = column.minCoeff(), high = column.maxCoeff();
    out.largest[j] = std::max(std::fabs(low), std::fabs(high));
    const double size = std::max(std::fabs(high - mean), std::fabs(low - mean));
    if (!std::isfinite(size) || size == 0.0) {
      out.spread[j] = size;
      continue;
    }
    const double sum = ((column - mean) / size).square().matrix().dot(w);
    out.spread[j] = size * std::sqrt(sum / count);
  }
  return out;
}

// The core's design, written into `out` (n rows, one column per kept column
// plus one with an intercept): a column of ones (with an intercept), then
// the kept columns of x, centred at `center` and divided by `scale`.
inline void standardized_design(const Eigen::Map<const Eigen::MatrixXd>& x,
                                const Eigen::Map<const Eigen::VectorXd>& center,
                                const Eigen::Map<const Eigen::VectorXd>& scale,
                                const std::vector<int>& keep, bool intercept,
                                Eigen::Map<Eigen::MatrixXd> out) {
  const Eigen::Index first = intercept ? 1 : 0;
  if (intercept) out.col(0).setOnes();
  for (std::size_t a = 0; a < keep.size(); ++a) {
    const int j = keep[a];
    out.col(first + static_cast<Eigen::Index>(a)) =
        (x.col(j).array() - center[j]) / scale[j];
  }
}

// True when every value is finite (no NA, NaN or infinity).
inline bool all_finite(const double* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i)
    if (!std::isfinite(values[i])) return false;
  return true;
}

}  // namespace smem

#endif
