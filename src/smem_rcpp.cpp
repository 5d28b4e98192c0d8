// The R/C++ boundary: converts arguments, picks the family and penalty types
// once, calls the core and returns a named list. No numerical work here.
// [[Rcpp::depends(RcppEigen)]]
#include <RcppEigen.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>

#include "design.h"
#include "path.h"

namespace {

using smem::Control;
using smem::Data;

Control read_control(const Rcpp::List& control) {
  Control out;
  out.tol = Rcpp::as<double>(control["tol"]);
  out.maxit = Rcpp::as<int>(control["maxit"]);
  out.accelerate = Rcpp::as<bool>(control["accelerate"]);
  out.polish = Rcpp::as<bool>(control["polish"]);
  out.drop_tol = Rcpp::as<double>(control["drop_tol"]);
  out.screen = Rcpp::as<bool>(control["screen"]);
  if (control.containsElementNamed("column_units"))
    out.column_units = Rcpp::as<bool>(control["column_units"]);
  return out;
}

Data make_data(const Eigen::Map<Eigen::MatrixXd>& x, const Eigen::Map<Eigen::VectorXd>& y,
               const Eigen::Map<Eigen::VectorXd>& weights,
               const Eigen::Map<Eigen::VectorXd>& offset) {
  return Data{Eigen::Map<const Eigen::MatrixXd>(x.data(), x.rows(), x.cols()),
              Eigen::Map<const Eigen::VectorXd>(y.data(), y.size()),
              Eigen::Map<const Eigen::VectorXd>(weights.data(), weights.size()),
              Eigen::Map<const Eigen::VectorXd>(offset.data(), offset.size())};
}

// Calls visit(family, penalty) with the types named by the strings and the
// shape parameters in `control` (tau, size, band, gamma, q).
template <class Visitor>
Rcpp::List with_penalty(const std::string& penalty, double alpha, const Rcpp::List& control,
                        Visitor&& visit) {
  if (penalty == "enet") return visit(smem::ElasticNet{alpha});
  const double gamma = Rcpp::as<double>(control["gamma"]);
  if (penalty == "mcp") return visit(smem::Mcp(alpha, gamma));
  if (penalty == "scad") return visit(smem::Scad(alpha, gamma));
  if (penalty == "log") return visit(smem::LogPenalty(alpha, gamma));
  if (penalty == "bridge") return visit(smem::Bridge(alpha, Rcpp::as<double>(control["q"])));
  if (penalty == "horseshoe") return visit(smem::Horseshoe(alpha));
  throw std::invalid_argument("unknown penalty '" + penalty + "'");
}

template <class Visitor>
Rcpp::List dispatch(const std::string& family, const std::string& penalty, double alpha,
                    const Rcpp::List& control, Visitor&& visit) {
  static const char* known[] = {"gaussian", "binomial", "binomial_bohning", "hinge",
                                "quantile", "negbin", "negbin_bohning"};
  if (std::find(std::begin(known), std::end(known), family) == std::end(known))
    throw std::invalid_argument("unknown family '" + family + "'");
  return with_penalty(penalty, alpha, control, [&](auto pen) {
    if (family == "gaussian") return visit(smem::Gaussian{}, pen);
    if (family == "binomial") return visit(smem::Binomial{}, pen);
    if (family == "binomial_bohning") return visit(smem::BinomialBohning{}, pen);
    const double band = Rcpp::as<double>(control["band"]);
    if (family == "hinge") return visit(smem::Hinge(band), pen);
    if (family == "quantile")
      return visit(smem::Quantile(Rcpp::as<double>(control["tau"]), band), pen);
    const double size = Rcpp::as<double>(control["size"]);
    if (family == "negbin") return visit(smem::NegativeBinomial(size), pen);
    if (family == "negbin_bohning") return visit(smem::NegativeBinomialBohning(size), pen);
    throw std::invalid_argument("unknown family '" + family + "'");
  });
}

// The fits' summaries as one vector per field (one element per lambda),
// and their objective traces.
Rcpp::List summary_columns(const std::vector<smem::FitSummary>& fits) {
  const std::size_t count = fits.size();
  Rcpp::IntegerVector iterations(count), restarts(count), newton_steps(count);
  Rcpp::LogicalVector converged(count), stalled(count), failed_solve(count);
  Rcpp::NumericVector violation(count), objective(count), seconds_gram(count),
      seconds_solve(count);
  for (std::size_t k = 0; k < count; ++k) {
    const smem::FitSummary& fit = fits[k];
    iterations[k] = fit.iterations;
    restarts[k] = fit.restarts;
    newton_steps[k] = fit.newton_steps;
    converged[k] = fit.converged;
    stalled[k] = fit.stalled;
    failed_solve[k] = fit.failed_solve;
    violation[k] = fit.violation;
    objective[k] = fit.trace.back();
    seconds_gram[k] = fit.seconds_gram;
    seconds_solve[k] = fit.seconds_solve;
  }
  return Rcpp::List::create(
      Rcpp::_["iterations"] = iterations, Rcpp::_["converged"] = converged,
      Rcpp::_["violation"] = violation, Rcpp::_["restarts"] = restarts,
      Rcpp::_["newton_steps"] = newton_steps, Rcpp::_["stalled"] = stalled,
      Rcpp::_["failed_solve"] = failed_solve, Rcpp::_["objective"] = objective,
      Rcpp::_["seconds_gram"] = seconds_gram, Rcpp::_["seconds_solve"] = seconds_solve);
}

Rcpp::List traces(const std::vector<smem::FitSummary>& fits) {
  Rcpp::List out(fits.size());
  for (std::size_t k = 0; k < fits.size(); ++k) out[k] = Rcpp::wrap(fits[k].trace);
  return out;
}

Rcpp::List error_list(const std::exception& e) {
  return Rcpp::List::create(Rcpp::_["error"] = std::string(e.what()));
}

}  // namespace

// Fits the penalty levels `lambda` in the given order, warm-starting each
// from the last. `factors` holds the rescaled penalty factor of every column
// of x (0 for the intercept column and unpenalized columns). `progress` is an
// R function of the lambda index returning TRUE to go on, or NULL.
// [[Rcpp::export(name = "smem_path_cpp")]]
Rcpp::List smem_path_cpp(const Eigen::Map<Eigen::MatrixXd> x,
                         const Eigen::Map<Eigen::VectorXd> y,
                         const Eigen::Map<Eigen::VectorXd> weights,
                         const Eigen::Map<Eigen::VectorXd> offset,
                         const Eigen::Map<Eigen::VectorXd> lambda,
                         const Eigen::Map<Eigen::VectorXd> factors,
                         const Eigen::Map<Eigen::VectorXd> start, std::string family,
                         std::string penalty, double alpha, Rcpp::List control,
                         Rcpp::Nullable<Rcpp::Function> progress) {
  try {
    const Data data = make_data(x, y, weights, offset);
    const Control ctl = read_control(control);
    smem::PathStop stop;
    stop.enabled = Rcpp::as<bool>(control["path_stop"]);
    stop.null_loss = Rcpp::as<double>(control["null_loss"]);
    stop.saturated_loss = Rcpp::as<double>(control["saturated_loss"]);
    std::function<bool(int)> on_lambda = [&](int k) {
      Rcpp::checkUserInterrupt();
      if (progress.isNull()) return true;
      Rcpp::Function f(progress.get());
      return Rcpp::as<bool>(f(k + 1));
    };
    return dispatch(family, penalty, alpha, control, [&](auto fam, auto pen) {
      using Family = decltype(fam);
      using Penalty = decltype(pen);
      const smem::PathResult res = smem::fit_path<Family, Penalty>(
          data, fam, pen, ctl, lambda, factors, start, stop, on_lambda);
      return Rcpp::List::create(Rcpp::_["beta"] = res.beta,
                                Rcpp::_["fits"] = summary_columns(res.fits),
                                Rcpp::_["traces"] = traces(res.fits),
                                Rcpp::_["loss_sums"] = Rcpp::wrap(res.loss_sums),
                                Rcpp::_["completed"] = res.completed);
    });
  } catch (const std::exception& e) {
    return error_list(e);
  }
}

// One plain EM step from `start` at penalty level `lambda`, and the KKT
// violation and objective at `start`: the pieces the tests hold against
// independent references.
// [[Rcpp::export(name = "smem_em_step_cpp")]]
Rcpp::List smem_em_step_cpp(const Eigen::Map<Eigen::MatrixXd> x,
                            const Eigen::Map<Eigen::VectorXd> y,
                            const Eigen::Map<Eigen::VectorXd> weights,
                            const Eigen::Map<Eigen::VectorXd> offset, double lambda,
                            const Eigen::Map<Eigen::VectorXd> factors,
                            const Eigen::Map<Eigen::VectorXd> start, std::string family,
                            std::string penalty, double alpha, Rcpp::List control) {
  try {
    const Data data = make_data(x, y, weights, offset);
    const Control ctl = read_control(control);
    const Eigen::VectorXd scales = static_cast<double>(x.rows()) * lambda * factors;
    return dispatch(family, penalty, alpha, control, [&](auto fam, auto pen) {
      using Family = decltype(fam);
      using Penalty = decltype(pen);
      smem::EmFit<Family, Penalty> fit(data, fam, pen, ctl);
      fit.set_beta(start);
      const double objective = fit.objective_value(scales);
      const double violation = fit.kkt_violation(scales);
      Eigen::VectorXd next;
      if (!fit.single_em_step(scales, next)) throw std::runtime_error("singular M-step");
      return Rcpp::List::create(Rcpp::_["beta"] = next, Rcpp::_["objective"] = objective,
                                Rcpp::_["violation"] = violation);
    });
  } catch (const std::exception& e) {
    return error_list(e);
  }
}

// Weighted column moments of x (weights summing to n): list(mean, spread,
// largest).
// [[Rcpp::export(name = "column_moments_cpp")]]
Rcpp::List column_moments_cpp(const Eigen::Map<Eigen::MatrixXd> x,
                              const Eigen::Map<Eigen::VectorXd> w) {
  const smem::ColumnMoments m = smem::column_moments(
      Eigen::Map<const Eigen::MatrixXd>(x.data(), x.rows(), x.cols()),
      Eigen::Map<const Eigen::VectorXd>(w.data(), w.size()));
  return Rcpp::List::create(Rcpp::_["mean"] = m.mean, Rcpp::_["spread"] = m.spread,
                            Rcpp::_["largest"] = m.largest);
}

// The core's design from x: ones (with an intercept), then the columns
// `keep` (1-based) centred and scaled.
// [[Rcpp::export(name = "standardized_design_cpp")]]
Rcpp::NumericMatrix standardized_design_cpp(const Eigen::Map<Eigen::MatrixXd> x,
                                            const Eigen::Map<Eigen::VectorXd> center,
                                            const Eigen::Map<Eigen::VectorXd> scale,
                                            const Rcpp::IntegerVector keep, bool intercept) {
  std::vector<int> columns(keep.size());
  for (R_xlen_t a = 0; a < keep.size(); ++a) columns[a] = keep[a] - 1;
  const Eigen::Index width = static_cast<Eigen::Index>(columns.size()) + (intercept ? 1 : 0);
  // written in place into R's matrix (an Eigen result would be copied)
  Rcpp::NumericMatrix out(Rcpp::no_init_matrix(static_cast<int>(x.rows()), static_cast<int>(width)));
  smem::standardized_design(
      Eigen::Map<const Eigen::MatrixXd>(x.data(), x.rows(), x.cols()),
      Eigen::Map<const Eigen::VectorXd>(center.data(), center.size()),
      Eigen::Map<const Eigen::VectorXd>(scale.data(), scale.size()), columns, intercept,
      Eigen::Map<Eigen::MatrixXd>(out.begin(), x.rows(), width));
  return out;
}

// TRUE when a double vector or matrix holds only finite values.
// [[Rcpp::export(name = "all_finite_cpp")]]
bool all_finite_cpp(const Rcpp::NumericVector values) {
  return smem::all_finite(values.begin(), static_cast<std::size_t>(values.size()));
}
