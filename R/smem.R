#' Control the SM-EM iteration
#'
#' @param tol Convergence tolerance: the fit stops when the largest violation
#'   of the optimality (KKT) conditions, on the scale of the gradient of the
#'   objective with standardized columns, is at most `tol` (with
#'   `standardize = FALSE` or `intercept = FALSE`, each column's violation is
#'   divided by the column's root mean square, which makes it independent of
#'   the column's units; for the gaussian
#'   family, `tol` times the standard deviation of `y`, so that the answer
#'   does not depend on the units of `y`; for `"negbin"`, times the smaller
#'   of the standard deviation of the counts and `size`, the scale of its
#'   score; for `"hinge"` and `"quantile"`,
#'   a hundred times `tol`, because the curvature of their rounded kink
#'   leaves improvements below that invisible in double precision). The objective
#'   gap to the optimum is then of the order of `tol^2`.
#' @param maxit Maximum number of iterations for one value of `lambda`.
#' @param polish Logical. Once the support and the signs of the coefficients
#'   have stopped changing, try a Newton step on the smooth restriction of the
#'   objective to that support; the step is kept only if it keeps every sign
#'   and lowers the objective, so the objective still never increases. Its
#'   matrix is the loss curvature frozen at an earlier point (refreshed when
#'   steps stop making fast progress), its factorization is reused while the
#'   matrix is unchanged, and the steps' gradient changes correct it between
#'   refreshes (limited-memory BFGS started from that matrix). With
#'   `polish = FALSE` every iteration is an SM-EM step.
#' @param drop_tol A penalized coefficient smaller than this (standardized
#'   scale) whose zero value satisfies the optimality condition is set to
#'   exactly zero, provided the objective does not rise.
#' @param curvature Observation curvature of the EM step for the binomial
#'   and negative binomial families: `"pg"`, the Polya-Gamma weight
#'   `tanh(eta/2)/(2 eta)` (times `y + size` for the negative binomial; a tight
#'   majorizer whose Gram matrix is rebuilt every iteration), or `"bohning"`,
#'   the fixed bound 1/4 (`(y + size)/4`; a looser majorizer whose Gram matrix is formed once
#'   and reused along the whole path). `"auto"` (the default) takes
#'   `"bohning"` for the binomial family when `polish = TRUE`, where the EM
#'   steps mostly settle the support and the polish does the rest (measured
#'   faster on every case of `bench/path-bench.R`), and `"pg"` otherwise:
#'   for plain SM-EM (`polish = FALSE`), where the tighter majorizer needs
#'   fewer iterations, and for the negative binomial, whose bound
#'   `(y + size)/4` exceeds the actual curvature (about `size` once the mean
#'   is well above `size`) by orders of magnitude when the counts are large.
#' @param smoothing Half-width of the band in which the kink of the hinge
#'   and check (quantile) losses is rounded, relative to the unit of the
#'   residual (1 for the hinge loss, the standard deviation of `y` for the
#'   check loss). SM-EM's weight for these losses is
#'   \eqn{1/(2|u|)} at a residual \eqn{u}, infinite at the kink; inside the
#'   band \eqn{|u|} is replaced by \eqn{u^2/(2 b) + b/2}, so the loss that
#'   is minimized (and reported in `objective`) is continuously
#'   differentiable and exceeds the original by at most \eqn{b/4} per
#'   observation. Deviances are those of the original loss.
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
                         screen = TRUE, smoothing = 1e-6) {
  call <- rlang::current_env()
  tol <- check_number(tol, "tol", call, lower = 0, lower_open = TRUE)
  maxit <- check_count(maxit, "maxit", call)
  polish <- check_flag(polish, "polish", call)
  drop_tol <- check_number(drop_tol, "drop_tol", call, lower = 0)
  curvature <- check_choice(curvature, "curvature", call)
  screen <- check_flag(screen, "screen", call)
  smoothing <- check_number(smoothing, "smoothing", call, lower = 0, upper = 1, lower_open = TRUE)
  structure(
    list(
      tol = tol, maxit = as.integer(maxit), polish = polish,
      drop_tol = drop_tol, curvature = curvature, screen = screen,
      smoothing = smoothing
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
#'   P(|\beta_j|),
#'   \qquad \eta = \mathrm{offset} + \beta_0 + X\beta,}{(1/n) sum_i w_i
#'   loss(y_i, eta_i) + lambda sum_j v_j P(|b_j|),
#'   eta = offset + b_0 + X b,}
#' with \eqn{P(a) = \alpha a + (1-\alpha) a^2/2} for the lasso, ridge and
#' elastic net: the objective of glmnet, so that `lambda` values and
#' solutions compare one to one. Weights are rescaled to sum to `n`, penalty
#' factors to sum to the number of columns of `x`, the intercept is never
#' penalized, and with `standardize = TRUE` the penalty acts on columns
#' scaled to unit variance while coefficients are reported on the original
#' scale.
#'
#' @section Families (losses):
#' \describe{
#'   \item{`"gaussian"`}{\eqn{(y - \eta)^2/2}.}
#'   \item{`"binomial"`}{\eqn{\log(1 + e^\eta) - y\eta}: logistic
#'     regression. `y` is a two-class vector, proportions in \[0, 1\] with
#'     the numbers of trials as `weights`, or a two-column matrix of
#'     successes and failures (as for [glm()]).}
#'   \item{`"negbin"`}{Negative binomial regression with log link and known
#'     `size` \eqn{h}: \eqn{(y + h)\log(1 + \mu/h) - y\log(\mu/h)} with
#'     \eqn{\mu = e^\eta}, minus the log-likelihood up to terms free of
#'     \eqn{\eta}.}
#'   \item{`"hinge"`}{\eqn{\max(0, 1 - y\eta)} with \eqn{y = \pm 1}: the
#'     linear support vector machine.}
#'   \item{`"quantile"`}{The check loss \eqn{r(\tau - 1\{r < 0\})},
#'     \eqn{r = y - \eta}: quantile regression at level `tau`.}
#' }
#' The hinge and check losses have a kink where SM-EM's observation weight
#' is infinite; smem rounds it inside a narrow band (see `smoothing` in
#' [smem_control()]), which changes the objective by at most a millionth of
#' the residual's unit per observation by default.
#'
#' @section Penalties:
#' Every penalty is mixed with the ridge through `alpha`:
#' \eqn{P(a) = \alpha S(a; \alpha\lambda v_j) + (1 - \alpha) a^2/2}, with
#' the shape \eqn{S(a; t)} (per unit of penalty level, \eqn{t = \alpha\lambda v_j}):
#' \describe{
#'   \item{`"lasso"`, `"enet"`, `"ridge"`}{\eqn{S = a}.}
#'   \item{`"mcp"`}{\eqn{a - a^2/(2\gamma t)} up to \eqn{a = \gamma t},
#'     then constant; `gamma` > 1, default 3. This is ncvreg's scale.}
#'   \item{`"scad"`}{\eqn{a} up to \eqn{t}, then a quadratic bend to a
#'     constant at \eqn{\gamma t}; `gamma` > 2, default 3.7 (ncvreg's scale).}
#'   \item{`"bridge"`}{\eqn{a^q}, `q` in (0, 1), default 0.5.}
#'   \item{`"log"`}{\eqn{\log(1 + a/\gamma)}, `gamma` > 0, default 1.}
#'   \item{`"horseshoe"`}{Minus the log of the marginal density of the
#'     horseshoe prior with global scale \eqn{\tau = t}:
#'     \eqn{-\log(e^x E_1(x))}, \eqn{x = a^2/(2 t^2)}, with \eqn{E_1} the
#'     exponential integral. Coefficients well below \eqn{t} are shrunk to
#'     zero, those well above it barely at all.}
#' }
#' The lasso, ridge and elastic net are convex and their solution is unique.
#' The others are not: SM-EM then reaches a stationary point (a local
#' minimum in practice) from its starting values, monotonely. The bridge and
#' horseshoe have an infinite slope at zero, so a zero coefficient never
#' becomes non-zero: a fit with them starts from the ridge fit (all
#' coefficients non-zero) unless `init` is given, and [smem_path()] fits
#' their path from the smallest `lambda` up. The horseshoe penalty tends to
#' minus infinity at zero; a coefficient set to zero leaves the model and
#' its penalty term is no longer counted, so the recorded objective can rise
#' at the iteration where a coefficient is dropped (and only there).
#'
#' @section Algorithm:
#' Each SM-EM iteration is one weighted least-squares solve: the E-step gives
#' every observation a curvature weight (Polya-Gamma for the binomial and
#' negative binomial families, 1 for the gaussian, \eqn{1/(2|u|)} at a
#' residual \eqn{u} for the hinge and check losses) and every coefficient a
#' shrinkage weight \eqn{\lambda v_j P'(|\beta_j|)/|\beta_j|}, and the
#' M-step solves the resulting linear system over the active coefficients.
#' The step equals one preconditioned gradient step
#' \eqn{\beta - A^{-1}\nabla F(\beta)} and never increases the objective.
#' With `accelerate = TRUE`, Nesterov extrapolation is used and restarted
#' whenever it would raise the objective, so the recorded objective never
#' increases in either mode.
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
#' @param y Response. For `"gaussian"` and `"quantile"`, a numeric vector;
#'   for `"negbin"`, non-negative counts (non-integer values are accepted:
#'   the loss is the same formula). For `"binomial"`, a 0/1 numeric
#'   vector, a logical vector, or a factor with two levels whose second level
#'   is the event modelled; or proportions with the trials as `weights`; or a
#'   two-column matrix of successes and failures. For `"hinge"`, a -1/1
#'   vector, a logical vector or a two-level factor (the second level is
#'   coded +1).
#' @param family `"gaussian"`, `"binomial"`, `"negbin"`, `"hinge"` or
#'   `"quantile"` (see the section Families).
#' @param penalty `"lasso"`, `"ridge"`, `"enet"` (the lasso mixed with the
#'   ridge penalty through `alpha`), `"mcp"`, `"scad"`, `"bridge"`, `"log"`
#'   or `"horseshoe"` (see the section Penalties).
#' @param lambda A single non-negative penalty level.
#' @param alpha Mixing between the penalty's shape (`alpha = 1`) and the
#'   ridge (`alpha = 0`), in \[0, 1\]. Defaults to 1, and to 0.5 for
#'   `"enet"`; must be 0 or left out for `"ridge"`, 1 or left out for
#'   `"lasso"`, and positive for the non-convex penalties.
#' @param gamma Shape of `"mcp"` (> 1, default 3), `"scad"` (> 2, default
#'   3.7) and `"log"` (> 0, default 1). An error for other penalties.
#' @param q Exponent of `"bridge"`, in (0, 1); default 0.5.
#' @param tau Quantile level of `"quantile"`, in (0, 1); default 0.5.
#' @param size The known size (dispersion) parameter of `"negbin"`: the
#'   variance is \eqn{\mu + \mu^2/\mathrm{size}}. Required for that family.
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
smem <- function(x, y, family = c("gaussian", "binomial", "negbin", "hinge", "quantile"),
                 penalty = c("lasso", "ridge", "enet", "mcp", "scad", "bridge", "log", "horseshoe"),
                 lambda, alpha = NULL, gamma = NULL, q = NULL, tau = NULL, size = NULL,
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
    penalty.factor, call,
    gamma = gamma, q = q, tau = tau, size = size
  )
  start <- initial_values(problem, init, call)
  base <- base_fit(problem, control)
  if (is.null(init) && grows_from_dense(problem$penalty_spec)) {
    # zero is a local minimum of every coefficient under this penalty, so
    # the fit starts from the fit with the ridge part alone
    start <- dense_start(problem, lambda, control)
  } else if (is.null(init)) {
    # from the fit of the unpenalized terms (the intercept at the null
    # model), as a path starts: a zero intercept can be very far from the
    # answer (counts in the millions)
    start[base$columns] <- base$coefficients
  }

  # fit
  core <- run_core(problem, lambda, start, control, accelerate)
  summary <- fit_summary(core, 1)

  # report
  new_smem_fit(problem, core$beta[, 1], lambda, summary, base$nulldev, this_call)
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
new_smem_fit <- function(problem, coefs, lambda, summary, nulldev, call) {
  original <- unstandardize(problem, coefs)
  beta <- original$beta[, 1]
  eta <- drop(linear_predictor(problem, coefs))
  deviance <- family_deviance(problem$family_spec, problem$y, eta, problem$weights)

  separation <- looks_separated(problem, eta, lambda)
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
      family_spec = problem$family_spec,
      penalty_spec = problem$penalty_spec,
      binary = binary_problem(problem),
      objective = summary$objective,
      iter = summary$iterations,
      converged = summary$converged,
      violation = summary$violation,
      separation = separation,
      df = sum(beta != 0),
      dev.ratio = 1 - deviance / nulldev,
      nulldev = nulldev,
      deviance = deviance,
      saturated_loglik = saturated_loglik(problem),
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

# Log-likelihood of the saturated model (mu = y), for logLik() of the
# negative binomial family (NA for the others).
saturated_loglik <- function(problem) {
  if (problem$family != "negbin") {
    return(NA_real_)
  }
  sum(problem$weights * stats::dnbinom(problem$y, size = problem$family_spec$size, mu = problem$y, log = TRUE))
}

# A binomial fit to a 0/1 response (not counts or proportions).
binary_problem <- function(problem) {
  problem$family == "binomial" && is.null(problem$trials) && all(problem$y %in% c(0, 1))
}

# A binomial fit that separates the classes perfectly with a huge linear
# predictor (|eta| > 20, probabilities within 2e-9 of 0 or 1): the
# likelihood alone has no finite maximum, and the coefficients are held only
# by the penalty, or not at all.
looks_separated <- function(problem, eta, lambda) {
  # Without a penalty, a linear predictor that separates the classes proves
  # that no finite maximum likelihood exists, whatever its size; with one,
  # only a separating fit with |eta| > 20 is reported.
  if (!binary_problem(problem) || (lambda > 0 && max(abs(eta)) <= 20)) {
    return(FALSE)
  }
  used <- problem$weights > 0
  all((eta[used] > 0) == (problem$y[used] > 0.5))
}

warn_not_converged <- function(lambda, summary, separation) {
  if (separation) {
    status <- if (summary$converged) {
      "The fit at lambda = {signif(lambda, 4)} has fitted probabilities near 0 or 1 and large coefficients."
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
  } else if (isTRUE(summary$failed_solve)) {
    cli::cli_warn(
      c(
        "The fit at lambda = {signif(lambda, 4)} stopped after {summary$iterations} iteration{?s}: the M-step's linear system could not be solved.",
        x = "The largest optimality violation is {signif(summary$violation, 3)}.",
        i = "Check {.arg x} for duplicated or extreme columns, or add a ridge component ({.arg alpha} < 1); the result is flagged with {.field converged = FALSE}."
      ),
      class = c("smem_warning_convergence", "smem_warning")
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
