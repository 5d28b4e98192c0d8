# The fitting problem shared by smem() and smem_path(): checked data,
# standardized design with the intercept as its first column, rescaled
# weights and penalty factors, and the calls into the C++ core.

penalties <- c("lasso", "ridge", "enet", "mcp", "scad", "bridge", "log", "horseshoe")

# The penalty spec: list(penalty, core, alpha, gamma, q) with core the name
# of the C++ penalty type ("enet" for the lasso, ridge and elastic net).
check_penalty <- function(penalty, alpha, gamma, q, call) {
  if (!is.character(penalty) || length(penalty) != 1 || is.na(penalty) ||
    !penalty %in% penalties) {
    shown <- if (is.character(penalty) && length(penalty) == 1) penalty else
      cli::format_inline("{.obj_type_friendly {penalty}}")
    abort_input(
      c(
        "{.arg penalty} must be one of {.or {.val {penalties}}}.",
        x = "It is {.val {shown}}."
      ),
      call = call
    )
  }
  check_unused(gamma, "gamma", !penalty %in% c("mcp", "scad", "log"), "penalty", penalty, call)
  check_unused(q, "q", penalty != "bridge", "penalty", penalty, call)
  spec <- list(penalty = penalty, core = penalty, alpha = 1, gamma = NA_real_, q = NA_real_)
  if (penalty %in% c("lasso", "ridge", "enet")) {
    spec$core <- "enet"
  }
  if (penalty == "lasso" && !is.null(alpha) && !identical(as.double(alpha), 1)) {
    abort_input(
      c(
        "{.arg alpha} must be 1 (or left out) with {.code penalty = \"lasso\"}.",
        x = "It is {format(alpha)}.",
        i = "Use {.code penalty = \"enet\"} to mix the lasso and ridge penalties."
      ),
      call = call
    )
  }
  if (penalty == "ridge") {
    if (!is.null(alpha) && !identical(as.double(alpha), 0)) {
      abort_input(
        c(
          "{.arg alpha} must be 0 (or left out) with {.code penalty = \"ridge\"}.",
          x = "It is {format(alpha)}.",
          i = "Use {.code penalty = \"enet\"} to mix the lasso and ridge penalties."
        ),
        call = call
      )
    }
    spec$alpha <- 0
    return(spec)
  }
  if (is.null(alpha)) {
    alpha <- if (penalty == "enet") 0.5 else 1
  }
  # the non-convex penalties bend at multiples of alpha * lambda, so alpha = 0
  # would leave them undefined: the ridge alone is penalty = "ridge"
  if (!penalty %in% c("lasso", "enet") && identical(as.double(alpha), 0)) {
    abort_input(
      c(
        "{.arg alpha} must be positive with {.code penalty = \"{penalty}\"}.",
        x = "It is 0, which would leave only the ridge part.",
        i = "Use {.code penalty = \"ridge\"} for the ridge alone."
      ),
      call = call
    )
  }
  spec$alpha <- check_number(alpha, "alpha", call,
    lower = 0, upper = 1,
    lower_open = !penalty %in% c("lasso", "enet")
  )
  if (penalty %in% c("mcp", "scad", "log")) {
    lowest <- c(mcp = 1, scad = 2, log = 0)[[penalty]]
    if (is.null(gamma)) {
      gamma <- c(mcp = 3, scad = 3.7, log = 1)[[penalty]]
    }
    spec$gamma <- check_number(gamma, "gamma", call, lower = lowest, lower_open = TRUE)
  }
  if (penalty == "bridge") {
    spec$q <- if (is.null(q)) 0.5 else
      check_number(q, "q", call, lower = 0, upper = 1, lower_open = TRUE, upper_open = TRUE)
  }
  spec
}

# P'(0+) / alpha of the penalty's shape: the lambda grid divides by it. The
# bridge and horseshoe have an infinite slope at zero (zero is always a local
# minimum); their grid is the lasso's.
penalty_slope_at_zero <- function(spec) {
  if (spec$penalty == "log") 1 / spec$gamma else 1
}

# Penalties under which a coefficient at zero never re-enters (an infinite
# slope at zero), so that their paths are fitted from the smallest lambda up.
grows_from_dense <- function(spec) {
  spec$penalty %in% c("bridge", "horseshoe") && spec$alpha > 0
}

# Builds the problem from user input. `call` is the exported function's frame.
new_problem <- function(x, y, family, penalty, alpha, weights, offset,
                        intercept, standardize, penalty.factor, call,
                        gamma = NULL, q = NULL, tau = NULL, size = NULL) {
  # coerce and check
  x <- check_x(x, "x", call)
  n <- nrow(x)
  p <- ncol(x)
  family <- check_family(family, tau, size, call)
  response <- prepare_response(y, family, n, call)
  shape <- check_penalty(penalty, alpha, gamma, q, call)
  weights <- check_weights(weights, n, "weights", call)
  if (!is.null(response$trials)) {
    weights <- weights * response$trials
  }
  offset <- check_offset(offset, n, "offset", call)
  intercept <- check_flag(intercept, "intercept", call)
  standardize <- check_flag(standardize, "standardize", call)
  penalty.factor <- check_penalty_factor(penalty.factor, p, "penalty.factor", call)
  if (sum(weights > 0) < 2) {
    abort_input(
      c(
        "{.arg weights} must give at least two observations a positive weight.",
        x = "Only {sum(weights > 0)} {?is/are} positive."
      ),
      call = call
    )
  }
  if (family$name %in% c("binomial", "hinge")) {
    used <- response$y[weights > 0]
    if (all(used == min(used)) && min(used) %in% c(-1, 0, 1)) {
      abort_input(
        c(
          "{.arg y} must have both classes among the observations with positive weight.",
          x = "Only class {.val {response$classes[(used[1] > 0) + 1]}} has positive weight."
        ),
        call = call
      )
    }
  }

  # standardize: weighted moments with the weights rescaled to sum to n;
  # the spread is always about the mean (as in glmnet), the centering only
  # happens with an intercept. A column is constant when its spread is at
  # the rounding level of its values.
  w <- weights * n / sum(weights)
  moments <- column_moments_cpp(x, w)
  means <- moments$mean
  spread <- moments$spread
  if (!all(is.finite(c(w, means, spread)))) {
    abort_input(
      c(
        "{.arg x} and {.arg weights} must be small enough to be summed.",
        x = "Their weighted means or spreads overflow to infinity.",
        i = "Rescale the columns of {.arg x} (or the weights) to moderate values."
      ),
      call = call
    )
  }
  constant <- spread <= 100 * .Machine$double.eps * moments$largest
  if (all(constant)) {
    abort_input(
      c(
        "{.arg x} must have at least one column that is not constant.",
        x = "All {p} column{?s} {?is/are} constant.",
        i = if (max(w) > (1 - 1e-12) * n) "The {.arg weights} put (almost) all the weight on one observation."
      ),
      call = call
    )
  }
  # a spread below the smallest normal number would put the column's
  # coefficient beyond the largest one
  tiny <- which(!constant & spread < .Machine$double.xmin)
  if (length(tiny) > 0) {
    tiny <- as.character(tiny)  # counted, not read as a quantity, by cli
    abort_input(
      c(
        "{.arg x} must not have columns whose values vary by less than {signif(.Machine$double.xmin, 3)}.",
        x = "Column{?s} {tiny} {?has/have} a smaller spread, and a coefficient would overflow.",
        i = "Rescale such columns to moderate values."
      ),
      call = call
    )
  }
  center <- if (intercept) means else rep(0, p)
  scale <- if (standardize) spread else rep(1, p)
  scale[constant] <- 1
  keep <- which(!constant)
  xs <- standardized_design_cpp(x, center, scale, keep, intercept)

  # a constant response is refused for every family (the two-class ones
  # were checked for both classes above)
  y_spread <- column_moments_cpp(as.matrix(as.double(response$y)), w)$spread
  if (y_spread == 0) {
    constant <- response$y[weights > 0][1]
    abort_input(
      c(
        "{.arg y} must not be constant for family {.val {family$name}}.",
        x = "All observations with positive weight have y = {constant}.",
        i = "The fit would be the intercept alone{if (family$name == 'negbin' && constant == 0) ', and it diverges' else ''}."
      ),
      call = call
    )
  }

  # scale of the response, to make the convergence tolerance relative: the
  # gradient of the gaussian loss grows with the spread of y, and gaussian
  # and quantile coefficients (hence drop_tol) and the rounded kink of the
  # check loss are in the units of y
  y_scale <- 1
  coef_scale <- 1
  if (family$name %in% c("gaussian", "quantile")) {
    if (y_spread > 1e100 || y_spread < 1e-100) {
      abort_input(
        c(
          "{.arg y} must be on a scale that its squares can be computed on.",
          x = "Its standard deviation is {signif(y_spread, 3)}.",
          i = "Rescale {.arg y} (and the coefficients afterwards) to moderate units."
        ),
        call = call
      )
    }
    coef_scale <- y_spread
    if (family$name == "gaussian") y_scale <- y_spread
  }
  if (family$name %in% c("hinge", "quantile")) {
    family$band <- coef_scale
  }
  if (family$name == "negbin") {
    # the score (y + h) mu / (mu + h) - y = h (mu - y) / (mu + h) is of the
    # order of the counts' spread while mu is small against the size h, and
    # of h once mu is large: the tolerance is relative to the smaller
    y_scale <- min(y_spread, family$size)
  }

  # with an intercept the gaussian fit is equivariant under shifts of y:
  # the core fits y minus its weighted mean (a large mean would otherwise
  # cost the slopes digits: 1e-4 of them at a mean of 1e12), added back to
  # the intercept
  y_shift <- 0
  if (family$name == "gaussian" && intercept) {
    y_shift <- sum(weights * response$y) / sum(weights)
    response$y <- response$y - y_shift
  }

  # penalty factors summing to the number of columns, as in glmnet
  factors <- penalty.factor * p / sum(penalty.factor)
  factors_used <- c(if (intercept) 0, factors[keep])

  variables <- colnames(x)
  if (is.null(variables)) {
    variables <- paste0("V", seq_len(p))
  }

  list(
    x = xs, y = response$y, classes = response$classes, weights = weights,
    w = w, offset = offset, offset_used = if (is.null(offset)) rep(0, n) else offset,
    family = family$name, family_spec = family, penalty = shape$penalty,
    penalty_spec = shape, alpha = shape$alpha, trials = response$trials,
    intercept = intercept, standardize = standardize, center = center,
    scale = scale, keep = keep, factors = factors, factors_used = factors_used,
    n = n, p = p, variables = variables, y_scale = y_scale, coef_scale = coef_scale,
    y_shift = y_shift
  )
}

# Name of the C++ family for the problem and control.
core_family <- function(problem, control) {
  name <- problem$family
  curvature <- control$curvature
  if (curvature == "auto") {
    curvature <- if (name == "binomial" && control$polish) "bohning" else "pg"
  }
  if (name %in% c("binomial", "negbin") && curvature == "bohning") {
    return(paste0(name, "_bohning"))
  }
  name
}

# The core's control list. The band of the hinge and check losses is the
# family's unit (1, or the spread of y) times control$smoothing.
core_control <- function(control, accelerate, problem, stop = NULL) {
  spec <- problem$family_spec
  shape <- problem$penalty_spec
  # the rounded kink of the hinge and check losses has a curvature of
  # 1 / (2 band): below a violation of about 1e-6 (measured on spam and
  # Boston) the objective no longer resolves the improvement of a step, so
  # their tolerance is a hundred times wider
  kinked <- problem$family %in% c("hinge", "quantile")
  list(
    tol = control$tol * problem$y_scale * (if (kinked) 100 else 1), maxit = control$maxit,
    accelerate = accelerate, polish = control$polish,
    drop_tol = control$drop_tol * problem$coef_scale * (if (kinked) 100 else 1),
    screen = control$screen,
    # columns not centred and scaled to unit spread: violations per unit of
    # each column's root mean square
    column_units = !(problem$standardize && problem$intercept),
    path_stop = !is.null(stop),
    null_loss = if (is.null(stop)) 0 else stop$null_loss,
    saturated_loss = if (is.null(stop)) 0 else stop$saturated_loss,
    tau = spec$tau, size = spec$size, band = spec$band * control$smoothing,
    gamma = shape$gamma, q = shape$q
  )
}

# Fits `lambda` (in the order given) with warm starts; `start` is on the
# standardized scale, with the intercept first. Returns the core's list:
# `beta` (one column per lambda), `fits` (one vector per field of the fits'
# summaries: iterations, converged, violation, restarts, newton_steps,
# stalled, failed_solve, objective, seconds_gram, seconds_solve), `traces`
# (the objective trace of each fit), `loss_sums` and `completed`.
run_core <- function(problem, lambda, start, control, accelerate,
                     progress = NULL, stop = NULL) {
  out <- smem_path_cpp(
    problem$x, problem$y, problem$w, problem$offset_used, lambda,
    problem$factors_used, start, core_family(problem, control),
    problem$penalty_spec$core, problem$alpha,
    core_control(control, accelerate, problem, stop), progress
  )
  if (!is.null(out$error)) {
    cli::cli_abort(
      c("The SM-EM core failed.", x = out$error),
      class = c("smem_error_core", "smem_error")
    )
  }
  out$fits$violation <- out$fits$violation / problem$y_scale
  if (!all(is.finite(out$beta)) || !all(is.finite(out$fits$objective))) {
    cli::cli_abort(
      c(
        "The fit overflowed: some coefficients or the objective are not finite.",
        x = "The data or offset are too large for double precision.",
        i = "Rescale {.arg x}, {.arg y} or {.arg offset} to moderate values."
      ),
      class = c("smem_error_numerical", "smem_error")
    )
  }
  out
}

# Coefficients on the standardized scale (intercept first when fitted) back
# to the original scale: list(a0, beta) with beta a p x L matrix.
unstandardize <- function(problem, coefs) {
  coefs <- as.matrix(coefs)
  slopes <- if (problem$intercept) coefs[-1, , drop = FALSE] else coefs
  beta <- matrix(0, problem$p, ncol(coefs))
  beta[problem$keep, ] <- slopes / problem$scale[problem$keep]
  a0 <- if (problem$intercept) {
    coefs[1, ] - colSums(beta * problem$center) + problem$y_shift
  } else {
    rep(0, ncol(coefs))
  }
  if (!all(is.finite(beta)) || !all(is.finite(a0))) {
    cli::cli_abort(
      c(
        "The coefficients overflow on the scale of {.arg x}.",
        x = "Some columns of {.arg x} are too small or too large for their coefficients to be represented.",
        i = "Rescale the columns of {.arg x} to moderate values."
      ),
      class = c("smem_error_numerical", "smem_error")
    )
  }
  rownames(beta) <- problem$variables
  list(a0 = a0, beta = beta)
}

# Original-scale coefficients to the standardized scale of the core.
standardize_coefficients <- function(problem, a0, beta) {
  slopes <- beta[problem$keep] * problem$scale[problem$keep]
  if (problem$intercept) {
    c(a0 + sum(beta * problem$center) - problem$y_shift, slopes)
  } else {
    slopes
  }
}

# The unpenalized fit on the columns `columns` of the core's design (none:
# the offset alone): list(coefficients, eta).
unpenalized_fit <- function(problem, columns, control) {
  if (length(columns) == 0) {
    return(list(coefficients = numeric(0), eta = problem$offset_used))
  }
  if (identical(columns, 1L) && problem$intercept && is.null(problem$offset) &&
    problem$family %in% c("gaussian", "binomial", "negbin")) {
    # the intercept alone: the link of the weighted mean of y (for the
    # binomial and negative binomial families the score equation sums
    # w_i (y_i - mu) up to a constant factor)
    mu <- sum(problem$weights * problem$y) / sum(problem$weights)
    a0 <- switch(problem$family,
      gaussian = mu,
      binomial = stats::qlogis(mu),
      negbin = log(mu)
    )
    return(list(coefficients = a0, eta = rep(a0, problem$n)))
  }
  design <- problem$x[, columns, drop = FALSE]
  unpenalized <- problem
  unpenalized$x <- design
  unpenalized$factors_used <- rep(0, length(columns))
  fit <- run_core(unpenalized, 0, rep(0, length(columns)), control, TRUE)
  coefficients <- fit$beta[, 1]
  list(
    coefficients = coefficients,
    eta = drop(design %*% coefficients) + problem$offset_used
  )
}

# Starting values for the penalties under which zero is always a local
# minimum (bridge, horseshoe): the ridge fit at the same level, where every
# coefficient is non-zero.
dense_start <- function(problem, lambda, control) {
  ridge <- problem
  ridge$penalty_spec <- list(penalty = "ridge", core = "enet", alpha = 0, gamma = NA_real_, q = NA_real_)
  ridge$alpha <- 0
  run_core(ridge, lambda, rep(0, ncol(problem$x)), control, TRUE)$beta[, 1]
}

# The summary of the k-th fit of the core, with its objective trace.
fit_summary <- function(core, k) {
  summary <- lapply(core$fits, `[[`, k)
  summary$objective <- core$traces[[k]]
  summary
}

# The fit of the unpenalized columns, where every fit and path starts, and
# the null deviance (of the model with only the intercept and offset), which
# shares that fit when the intercept is the only unpenalized column:
# list(columns, coefficients, eta, nulldev).
base_fit <- function(problem, control) {
  columns <- which(problem$factors_used == 0)
  base <- unpenalized_fit(problem, columns, control)
  null_columns <- if (problem$intercept) 1L else integer(0)
  null_eta <- if (identical(columns, null_columns)) {
    base$eta
  } else {
    unpenalized_fit(problem, null_columns, control)$eta
  }
  base$columns <- columns
  base$nulldev <- family_deviance(problem$family_spec, problem$y, null_eta, problem$weights)
  base
}

# Linear predictor of standardized coefficients (columns of `coefs`).
linear_predictor <- function(problem, coefs) {
  problem$x %*% coefs + problem$offset_used
}
