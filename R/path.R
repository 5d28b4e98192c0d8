#' Fit a regularization path by Scale Mixture EM
#'
#' Fits [smem()]'s objective at a sequence of penalty levels, from the
#' largest to the smallest, each fit warm-started from the previous solution
#' (coefficients, and with them the observation weights). For the gaussian
#' family, and for the binomial family with `curvature = "bohning"`, the Gram
#' matrix \eqn{X'WX} is formed once, column by column as variables become
#' active, and shared by every iteration and every `lambda`.
#'
#' The default grid is glmnet's: `lambda_max` is the smallest penalty at
#' which every penalized coefficient is zero (computed from the gradient at
#' the fit with only the unpenalized terms, penalty factors and `alpha`
#' included; for `alpha = 0` it is computed as if `alpha = 0.001`), and
#' `nlambda` values are spaced evenly on the log scale down to
#' `lambda.min.ratio * lambda_max`.
#'
#' With `early.stop = TRUE` (the default, as in glmnet) a path on the
#' default grid ends once the fraction of deviance explained exceeds 0.999
#' or, after five values, grows by less than a relative 1e-5 from one
#' `lambda` to the next; the result then has fewer than `nlambda` columns.
#' A grid given in `lambda` is always fitted whole, as in glmnet. The rule applies to the lasso,
#' ridge and elastic net with the gaussian, binomial and negative binomial
#' families only: along the path of a non-convex penalty, or of the hinge
#' and check losses, the deviance explained can stall for a few values of
#' `lambda` and then grow again, so those paths always run to the end of the
#' grid.
#'
#' @inheritParams smem
#' @param nlambda Number of penalty levels in the default grid.
#' @param lambda.min.ratio Smallest `lambda` of the default grid as a
#'   fraction of `lambda_max`: default 0.01 when there are fewer observations
#'   than columns, 1e-4 otherwise.
#' @param lambda Optional user grid, in any order; it is fitted, and returned,
#'   in decreasing order.
#' @param early.stop Stop the path when the deviance explained saturates?
#' @param trace Show a progress bar over the path?
#' @return An object of class `"smem_path"`: `a0` (intercepts), `beta` (a
#'   sparse `dgCMatrix`, one row per variable and one column per `lambda`),
#'   `lambda` (decreasing), `df` (nonzero coefficients), `dev.ratio`,
#'   `nulldev`, `objective` (final objective per `lambda`), `iter`,
#'   `converged` and `violation` per `lambda`, `family`, `penalty`, `alpha`,
#'   `classes`, `nobs`, `call`. All per-`lambda` components have the same
#'   length.
#' @seealso [smem()] for one penalty level, [smem_cv()] to choose one.
#' @examples
#' data(Pima.tr, package = "MASS")
#' x <- as.matrix(Pima.tr[, 1:7])
#' path <- smem_path(x, Pima.tr$type, family = "binomial")
#' path
#' plot(path, label = TRUE)
#' coef(path, s = 0.02)
#' @export
smem_path <- function(x, y, family = c("gaussian", "binomial", "negbin", "hinge", "quantile"),
                      penalty = c("lasso", "ridge", "enet", "mcp", "scad", "bridge", "log", "horseshoe"),
                      nlambda = 100, lambda.min.ratio = NULL, lambda = NULL,
                      alpha = NULL, gamma = NULL, q = NULL, tau = NULL, size = NULL,
                      weights = NULL, offset = NULL, intercept = TRUE,
                      standardize = TRUE, penalty.factor = NULL,
                      accelerate = TRUE, control = smem_control(),
                      early.stop = TRUE, trace = FALSE) {
  call <- rlang::current_env()
  this_call <- match.call()

  # check
  if (missing(family)) family <- "gaussian"
  if (missing(penalty)) penalty <- "lasso"
  accelerate <- check_flag(accelerate, "accelerate", call)
  early.stop <- check_flag(early.stop, "early.stop", call)
  trace <- check_flag(trace, "trace", call)
  control <- check_control(control, call)
  problem <- new_problem(
    x, y, family, penalty, alpha, weights, offset, intercept, standardize,
    penalty.factor, call,
    gamma = gamma, q = q, tau = tau, size = size
  )

  # set up: the null fit, the grid, the early-stop rule
  base <- base_fit(problem, control)
  nulldev <- base$nulldev
  # a grid the user gives is fitted whole (as in glmnet): the early stop is
  # for the default grid only
  user_grid <- !is.null(lambda)
  if (is.null(lambda)) {
    nlambda <- check_count(nlambda, "nlambda", call)
    if (is.null(lambda.min.ratio)) {
      lambda.min.ratio <- if (problem$n < problem$p) 0.01 else 1e-4
    }
    lambda.min.ratio <- check_number(
      lambda.min.ratio, "lambda.min.ratio", call, lower = 0, upper = 1,
      lower_open = TRUE, upper_open = TRUE
    )
    lambda_max <- max_lambda(problem, base$eta, control)
    lambda <- exp(seq(log(lambda_max), log(lambda_max * lambda.min.ratio),
      length.out = as.integer(nlambda)
    ))
  } else {
    lambda <- sort(check_lambda(lambda, "lambda", call), decreasing = TRUE)
  }
  # the core sums w * loss with the weights rescaled to sum to n; the
  # deviance is 2 * sum(weights * (loss - saturated loss))
  to_core <- problem$n / sum(problem$weights)
  dense <- grows_from_dense(problem$penalty_spec)
  # the deviance explained can stall and grow again along the path of a
  # non-convex penalty, so the early stop applies to the convex ones only
  # and along the lasso paths of the hinge and check losses, whose solutions
  # stay put over stretches of lambda
  convex <- problem$penalty %in% c("lasso", "ridge", "enet")
  smooth <- !problem$family %in% c("hinge", "quantile")
  stop <- if (early.stop && !user_grid && convex && smooth) {
    saturated <- sum(problem$weights * family_saturated_loss(problem$family_spec, problem$y))
    list(
      null_loss = (nulldev / 2 + saturated) * to_core,
      saturated_loss = saturated * to_core
    )
  }

  # fit: from the unpenalized fit (the solution at lambda_max) down the grid;
  # under the bridge and horseshoe, where a zero coefficient never
  # re-enters, from the ridge fit at the smallest lambda up the grid
  progress <- progress_bar(length(lambda), trace, "Fitting the path", call)
  if (dense) {
    order <- rev(seq_along(lambda))
    start <- dense_start(problem, lambda[order[1]], control)
    core <- run_core(problem, lambda[order], start, control, accelerate, progress)
    core$beta <- core$beta[, rev(seq_len(ncol(core$beta))), drop = FALSE]
    core$fits <- lapply(core$fits, rev)
    core$traces <- rev(core$traces)
    core$loss_sums <- rev(core$loss_sums)
  } else {
    start <- rep(0, ncol(problem$x))
    start[base$columns] <- base$coefficients
    core <- run_core(problem, lambda, start, control, accelerate, progress, stop)
  }

  # clean the path and un-standardize
  new_smem_path(problem, core, lambda, nulldev, this_call)
}

# Smallest lambda at which every penalized coefficient is zero (for the
# bridge and horseshoe, whose slope at zero is infinite, the lasso's).
max_lambda <- function(problem, eta, control) {
  # the gradient of the loss the core minimizes (the hinge and check losses
  # rounded inside the band of control$smoothing)
  family <- problem$family_spec
  family$band <- family$band * control$smoothing
  gradient <- drop(crossprod(
    problem$x,
    problem$w * family_gradient(family, problem$y, eta)
  )) / problem$n
  penalized <- problem$factors_used > 0
  if (!any(penalized)) {
    cli::cli_abort(
      c(
        "There is no penalized column to build a grid of {.arg lambda} for.",
        x = "Every non-constant column of {.arg x} has a zero {.arg penalty.factor}.",
        i = "Give {.arg lambda} yourself, or penalize at least one column."
      ),
      class = c("smem_error_input", "smem_error")
    )
  }
  size <- abs(gradient[penalized]) / problem$factors_used[penalized]
  slope <- max(problem$alpha, 1e-3) * penalty_slope_at_zero(problem$penalty_spec)
  value <- max(size) / slope
  if (value <= 0) {
    # the unpenalized fit is already optimal for every lambda (e.g. a
    # perfect fit): any positive grid gives the same zero path
    value <- 1
  }
  value
}

# A cli progress bar driven from the C++ path (NULL when not shown).
progress_bar <- function(total, show, label, envir) {
  if (!show) {
    return(NULL)
  }
  id <- cli::cli_progress_bar(label, total = total, .envir = envir)
  function(k) {
    cli::cli_progress_update(id = id, set = k, .envir = envir)
    TRUE
  }
}

new_smem_path <- function(problem, core, lambda, nulldev, call) {
  fits <- core$fits
  done <- core$completed
  lambda <- lambda[seq_len(done)]
  coefs <- core$beta[, seq_len(done), drop = FALSE]
  original <- unstandardize(problem, coefs)
  labels <- paste0("s", seq_len(done) - 1)
  deviance <- if (problem$family %in% c("hinge", "quantile")) {
    # the core's loss is the rounded one: the deviance uses the loss itself
    eta <- linear_predictor(problem, coefs)
    path_deviance(problem$family_spec, problem$y, eta, problem$weights)
  } else {
    # the core's sums of w * loss, with the weights rescaled to sum to n
    saturated <- sum(problem$weights * family_saturated_loss(problem$family_spec, problem$y))
    2 * (core$loss_sums[seq_len(done)] * sum(problem$weights) / problem$n - saturated)
  }
  converged <- fits$converged
  if (!all(converged)) {
    bad <- which(!converged)
    stalled <- fits$stalled[bad]
    failed <- fits$failed_solve[bad]
    stalled <- stalled & !failed
    cli::cli_warn(
      c(
        "{length(bad)} of {done} penalty level{?s} did not converge.",
        x = "At lambda = {signif(lambda[bad], 4)} (index {bad}).",
        i = if (any(!stalled & !failed)) "{sum(!stalled & !failed)} reached {.arg maxit}: raise it in {.fn smem_control}.",
        i = if (any(failed)) "{sum(failed)} stopped because the M-step's linear system could not be solved: check {.arg x} for duplicated or extreme columns.",
        i = if (any(stalled)) "{sum(stalled)} stopped because no step could lower the objective before {.arg tol} was met (rounding level): use a larger {.arg tol}.",
        i = "Their coefficients are returned as they stood; see {.field converged}."
      ),
      class = c("smem_warning_convergence", "smem_warning")
    )
  }
  # (a square matrix that happens to be symmetric must still come out general)
  beta <- methods::as(methods::as(original$beta, "CsparseMatrix"), "generalMatrix")
  dimnames(beta) <- list(problem$variables, labels)
  structure(
    list(
      a0 = stats::setNames(original$a0, labels),
      beta = beta,
      lambda = lambda,
      df = as.integer(colSums(original$beta != 0)),
      dev.ratio = 1 - deviance / nulldev,
      nulldev = nulldev,
      objective = fits$objective,
      iter = fits$iterations,
      converged = converged,
      violation = fits$violation,
      restarts = fits$restarts,
      newton_steps = fits$newton_steps,
      seconds_gram = fits$seconds_gram,
      seconds_solve = fits$seconds_solve,
      family = problem$family,
      penalty = problem$penalty,
      family_spec = problem$family_spec,
      penalty_spec = problem$penalty_spec,
      alpha = problem$alpha,
      classes = problem$classes,
      intercept = problem$intercept,
      has_offset = !is.null(problem$offset),
      nobs = problem$n,
      call = call
    ),
    class = "smem_path"
  )
}
