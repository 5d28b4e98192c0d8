#' Control the SM-EM iteration
#'
#' @param tol Convergence tolerance: the fit stops when the largest violation
#'   of the optimality (KKT) conditions, on the scale of the gradient of the
#'   objective with standardized columns, is at most `tol` (for the gaussian
#'   family, `tol` times the standard deviation of `y`, so that the answer
#'   does not depend on the units of `y`). The objective gap to the optimum
#'   is then of the order of `tol^2`.
#' @param maxit Maximum number of iterations for one value of `lambda`.
#' @param polish Logical. Once the support and the signs of the coefficients
#'   have stopped changing, try a Newton step on the smooth restriction of the
#'   objective to that support; the step is kept only if it keeps every sign
#'   and lowers the objective, so the objective still never increases. With
#'   `polish = FALSE` every iteration is an SM-EM step.
#' @param drop_tol A penalized coefficient smaller than this (standardized
#'   scale) whose zero value satisfies the optimality condition is set to
#'   exactly zero, provided the objective does not rise.
#' @param curvature Observation curvature of the EM step for the binomial
#'   family: `"pg"`, the Polya-Gamma weight `tanh(eta/2)/(2 eta)` (a tight
#'   majorizer whose Gram matrix is rebuilt every iteration), or `"bohning"`,
#'   the fixed bound 1/4 (a looser majorizer whose Gram matrix is formed once
#'   and reused along the whole path). `"auto"` (the default) takes
#'   `"bohning"` when `polish = TRUE`, where the EM steps mostly settle the
#'   support and the polish does the rest (measured faster on every case of
#'   `bench/path-bench.R`), and `"pg"` for plain SM-EM (`polish = FALSE`),
#'   where the tighter majorizer needs fewer iterations.
#' @param screen Logical. At the start of each fit, let the zero coefficients
#'   that violate the optimality conditions at the starting values enter at
#'   once (at their one-coordinate soft-threshold values), instead of waiting
#'   for the check at convergence. Along a path these are the members of the
#'   sequential strong set that can move. The answer does not depend on it.
#' @return A list of class `"smem_control"`.
#' @examples
#' smem_control(tol = 1e-8)
#' @export
smem_control <- function(tol = 1e-7, maxit = 10000L, polish = TRUE,
                         drop_tol = 1e-8, curvature = c("auto", "pg", "bohning"),
                         screen = TRUE) {
  call <- rlang::current_env()
  tol <- check_number(tol, "tol", call, lower = 0, lower_open = TRUE)
  maxit <- check_count(maxit, "maxit", call)
  polish <- check_flag(polish, "polish", call)
  drop_tol <- check_number(drop_tol, "drop_tol", call, lower = 0)
  curvature <- rlang::arg_match(curvature)
  if (curvature == "auto") {
    curvature <- if (polish) "bohning" else "pg"
  }
  screen <- check_flag(screen, "screen", call)
  structure(
    list(
      tol = tol, maxit = as.integer(maxit), polish = polish,
      drop_tol = drop_tol, curvature = curvature, screen = screen
    ),
    class = "smem_control"
  )
}

check_control <- function(control, call) {
  if (!inherits(control, "smem_control")) {
    abort_input(
      c(
        "{.arg control} must be made by {.fn smem_control}.",
        x = "It is {.obj_type_friendly {control}}."
      ),
      call = call
    )
  }
  control
}

#' Fit a penalized regression by Scale Mixture EM
#'
#' Minimizes, at one penalty level `lambda`,
#' \deqn{\frac{1}{n}\sum_i w_i\,\ell(y_i, \eta_i) + \lambda \sum_j v_j
#'   \{\alpha |\beta_j| + \frac{1-\alpha}{2}\beta_j^2\},
#'   \qquad \eta = \mathrm{offset} + \beta_0 + X\beta,}{(1/n) sum_i w_i
#'   loss(y_i, eta_i) + lambda sum_j v_j (alpha |b_j| + (1 - alpha) b_j^2 / 2),
#'   eta = offset + b_0 + X b,}
#' the objective of glmnet, so that `lambda` values and solutions compare one
#' to one. The loss \eqn{\ell} is \eqn{(y - \eta)^2/2} for `"gaussian"` and
#' \eqn{\log(1 + e^\eta) - y\eta} for `"binomial"`. Weights are rescaled to sum
#' to `n`, penalty factors to sum to the number of columns of `x`, the
#' intercept is never penalized, and with `standardize = TRUE` the penalty
#' acts on columns scaled to unit variance while coefficients are reported on
#' the original scale.
#'
#' Each SM-EM iteration is one weighted least-squares solve: the E-step gives
#' every observation a curvature weight (Polya-Gamma for the binomial family,
#' 1 for the gaussian) and every coefficient a shrinkage weight
#' (\eqn{\lambda v_j \alpha / |\beta_j|} plus the ridge part), and the M-step
#' solves the resulting linear system over the active coefficients. The step
#' equals one preconditioned gradient step \eqn{\beta - A^{-1}\nabla F(\beta)}
#' and never increases the objective. With `accelerate = TRUE`, Nesterov
#' extrapolation is used and restarted whenever it would raise the objective,
#' so the recorded objective never increases in either mode.
#'
#' Coefficients that reach zero are set to exactly zero and kept out of the
#' system; at convergence the optimality conditions of every zero coefficient
#' are checked and violators re-enter. Convergence is declared on those
#' conditions (see [smem_control()]), and a fit that stops at `maxit` is
#' flagged and reported with a warning.
#'
#' Columns of `x` that are constant get a zero coefficient. Sparse matrices
#' from the Matrix package are accepted but converted to dense storage.
#'
#' @param x Numeric matrix of predictors, one row per observation.
#' @param y Response. For `"gaussian"`, a numeric vector. For `"binomial"`, a
#'   0/1 numeric vector, a logical vector, or a factor with two levels whose
#'   second level is the event modelled.
#' @param family `"gaussian"` or `"binomial"`.
#' @param penalty `"lasso"`, `"ridge"` or `"enet"` (the lasso mixed with the
#'   ridge penalty through `alpha`).
#' @param lambda A single non-negative penalty level.
#' @param alpha Mixing between the lasso (`alpha = 1`) and the ridge
#'   (`alpha = 0`) penalty, in \[0, 1\]. Defaults to 1 for `"lasso"` and 0.5
#'   for `"enet"`; must be 0 or left out for `"ridge"`.
#' @param weights Non-negative observation weights; default all 1.
#' @param offset Optional offset added to the linear predictor.
#' @param intercept Fit an (unpenalized) intercept?
#' @param standardize Penalize the coefficients of standardized columns?
#' @param penalty.factor Non-negative multiplier of the penalty for each
#'   column; 0 leaves a column unpenalized.
#' @param accelerate Use Nesterov extrapolation with restart?
#' @param control Iteration settings from [smem_control()].
#' @param init Starting values: a previous `smem` fit, or a numeric vector
#'   `c(intercept, coefficients)` on the original scale (without the
#'   intercept when `intercept = FALSE`). Default: all zero.
#' @return An object of class `"smem"`: `a0`, `beta` (named), `lambda`,
#'   `alpha`, `family`, `penalty`, `objective` (the objective at the start and
#'   after every iteration), `iter`, `converged`, `violation` (largest
#'   optimality violation at the end), `separation` (binomial fits whose
#'   coefficients diverge), `df`, `dev.ratio`, `nulldev`, `deviance`, `nobs`,
#'   `classes` (binomial), `call`.
#' @seealso [smem_path()] for a path of penalty levels.
#' @examples
#' data(Pima.tr, package = "MASS")
#' x <- as.matrix(Pima.tr[, 1:7])
#' fit <- smem(x, Pima.tr$type, family = "binomial", lambda = 0.01)
#' fit
#' coef(fit)
#' plot(fit)
#' @export
smem <- function(x, y, family = c("gaussian", "binomial"),
                 penalty = c("lasso", "ridge", "enet"), lambda, alpha = NULL,
                 weights = NULL, offset = NULL, intercept = TRUE,
                 standardize = TRUE, penalty.factor = NULL, accelerate = TRUE,
                 control = smem_control(), init = NULL) {
  call <- rlang::current_env()
  this_call <- match.call()

  # check
  if (missing(family)) family <- "gaussian"
  if (missing(penalty)) penalty <- "lasso"
  if (missing(lambda)) {
    abort_input(
      c(
        "{.arg lambda} is missing.",
        i = "Give a single penalty level, or use {.fn smem_path} for a whole path."
      ),
      call = call
    )
  }
  lambda <- check_lambda(lambda, "lambda", call, single = TRUE)
  accelerate <- check_flag(accelerate, "accelerate", call)
  control <- check_control(control, call)
  problem <- new_problem(
    x, y, family, penalty, alpha, weights, offset, intercept, standardize,
    penalty.factor, call
  )
  start <- initial_values(problem, init, call)

  # fit
  core <- run_core(problem, lambda, start, control, accelerate)
  summary <- core$fits[[1]]

  # report
  new_smem_fit(problem, core$beta[, 1], lambda, summary, control, this_call)
}

initial_values <- function(problem, init, call) {
  width <- ncol(problem$x)
  if (is.null(init)) {
    return(rep(0, width))
  }
  if (inherits(init, "smem")) {
    if (length(init$beta) != problem$p) {
      abort_input(
        c(
          "{.arg init} must be a fit to the same columns.",
          x = "It has {length(init$beta)} coefficient{?s}; {.arg x} has {problem$p} column{?s}."
        ),
        call = call
      )
    }
    return(standardize_coefficients(problem, unname(init$a0), unname(init$beta)))
  }
  expected <- problem$p + problem$intercept
  if (!is.numeric(init) || length(init) != expected) {
    abort_input(
      c(
        "{.arg init} must be an {.cls smem} fit or a numeric vector of length {expected}.",
        x = "It is {.obj_type_friendly {init}} of length {length(init)}.",
        i = if (problem$intercept) "Put the intercept first."
      ),
      call = call
    )
  }
  check_finite(init, "init", call)
  init <- as.double(init)
  if (problem$intercept) {
    standardize_coefficients(problem, init[1], init[-1])
  } else {
    standardize_coefficients(problem, 0, init)
  }
}

# Assembles the "smem" object, with the warnings a user must see.
new_smem_fit <- function(problem, coefs, lambda, summary, control, call) {
  original <- unstandardize(problem, coefs)
  beta <- original$beta[, 1]
  eta <- drop(linear_predictor(problem, coefs))
  nulldev <- null_deviance(problem, control)
  deviance <- family_deviance(problem$family, problem$y, eta, problem$weights)

  separation <- looks_separated(problem, eta, summary$converged)
  if (separation || !summary$converged) {
    warn_not_converged(lambda, summary, separation)
  }

  structure(
    list(
      a0 = c("(Intercept)" = original$a0[1]),
      beta = beta,
      lambda = lambda,
      alpha = problem$alpha,
      family = problem$family,
      penalty = problem$penalty,
      objective = summary$objective,
      iter = summary$iterations,
      converged = summary$converged,
      violation = summary$violation,
      separation = separation,
      df = sum(beta != 0),
      dev.ratio = 1 - deviance / nulldev,
      nulldev = nulldev,
      deviance = deviance,
      nobs = problem$n,
      classes = problem$classes,
      intercept = problem$intercept,
      has_offset = !is.null(problem$offset),
      weights = problem$weights,
      call = call
    ),
    class = "smem"
  )
}

# A binomial fit that separates the classes perfectly with a huge linear
# predictor (|eta| > 20, probabilities within 2e-9 of 0 or 1): the
# likelihood alone has no finite maximum, and the coefficients are held only
# by the penalty, or not at all.
looks_separated <- function(problem, eta, converged) {
  if (problem$family != "binomial" || max(abs(eta)) <= 20) {
    return(FALSE)
  }
  used <- problem$weights > 0
  all((eta[used] > 0) == (problem$y[used] > 0.5))
}

warn_not_converged <- function(lambda, summary, separation) {
  if (separation) {
    status <- if (summary$converged) {
      "The fit at lambda = {signif(lambda, 4)} has fitted probabilities of 0 or 1 and very large coefficients."
    } else {
      "The fit at lambda = {signif(lambda, 4)} did not converge: the coefficients grow without bound."
    }
    cli::cli_warn(
      c(
        status,
        x = "The classes look (quasi-)separable, so the likelihood alone has no finite maximum.",
        i = "Use a larger {.arg lambda} or a ridge component ({.arg alpha} < 1); the result is flagged with {.field separation = TRUE}."
      ),
      class = c("smem_warning_separation", "smem_warning")
    )
  } else if (isTRUE(summary$stalled)) {
    cli::cli_warn(
      c(
        "The fit at lambda = {signif(lambda, 4)} stopped short of {.arg tol}: no step could lower the objective any further.",
        x = "The largest optimality violation is {signif(summary$violation, 3)}, at the limit of double precision for this problem.",
        i = "Use a larger {.arg tol} in {.fn smem_control}; the result is flagged with {.field converged = FALSE}."
      ),
      class = c("smem_warning_convergence", "smem_warning")
    )
  } else {
    cli::cli_warn(
      c(
        "The fit at lambda = {signif(lambda, 4)} stopped after {summary$iterations} iteration{?s} without converging.",
        x = "The largest optimality violation is {signif(summary$violation, 3)}.",
        i = "Raise {.arg maxit} or {.arg tol} in {.fn smem_control}; the result is flagged with {.field converged = FALSE}."
      ),
      class = c("smem_warning_convergence", "smem_warning")
    )
  }
}
