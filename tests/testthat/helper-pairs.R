# Independent references for the tests that run every family with every
# penalty: each loss, penalty, slope and observation weight written out in R
# from the formulas of smem()'s documentation (sections Families and
# Penalties), smem_control()'s description of the rounded kink and the design
# notes' table of loss weights. Nothing here calls smem's own R code.

pair_families <- c("gaussian", "binomial", "negbin", "hinge", "quantile")
pair_penalties <- c("lasso", "ridge", "enet", "mcp", "scad", "bridge", "log", "horseshoe")

# Shape parameters used throughout (not the defaults, so that a default
# silently used in place of the value given would show).
pair_shape <- list(gamma = c(mcp = 2.5, scad = 3.2, log = 0.7), q = 0.6, tau = 0.3, size = 1.3)

# The alphas to try with each penalty: the convex ones at their fixed or
# default mixing, the others pure and mixed with the ridge.
pair_alphas <- function(penalty) {
  switch(penalty,
    lasso = 1,
    ridge = 0,
    enet = 0.5,
    c(1, 0.6)
  )
}

# The name of the C++ penalty type.
pair_core_penalty <- function(penalty) {
  if (penalty %in% c("lasso", "ridge", "enet")) "enet" else penalty
}

# e^x E1(x) for x > 0, with E1 the exponential integral, by quadrature of
# its integral form e^x E1(x) = integral over u > 0 of exp(-u) / (x + u).
# With u = e^v the integrand exp(v - e^v) / (x + e^v) is smooth, about e^v / x
# below v = log(x), about 1 up to v = 0, and negligible beyond v = 4, so the
# range is cut there; 40 below the corner the rest is below 1e-17 of the value.
reference_scaled_e1 <- function(x) {
  vapply(x, function(value) {
    integrand <- function(v) exp(v - exp(v)) / (value + exp(v))
    corner <- min(log(value), 0)
    breaks <- unique(c(corner - 40, corner, 0, 4))
    pieces <- vapply(seq_len(length(breaks) - 1), function(k) {
      stats::integrate(integrand, breaks[k], breaks[k + 1], rel.tol = 1e-13, abs.tol = 0)$value
    }, numeric(1))
    sum(pieces)
  }, numeric(1))
}

# The shape S(a; t) of each penalty, a = |b| > 0, t = alpha * lambda * v.
reference_shape <- function(penalty, a, t, gamma = NA, q = NA) {
  switch(penalty,
    lasso = ,
    ridge = ,
    enet = a,
    mcp = ifelse(a <= gamma * t, a - a^2 / (2 * gamma * t), gamma * t / 2),
    scad = ifelse(a <= t, a,
      ifelse(a <= gamma * t,
        (2 * gamma * t * a - a^2 - t^2) / (2 * (gamma - 1) * t),
        (gamma + 1) * t / 2
      )
    ),
    bridge = a^q,
    log = log(1 + a / gamma),
    horseshoe = {
      # x = a^2 / (2 t^2) through its logarithm: below 1e-260 (where x may
      # underflow) e^x E1(x) = -euler - log(x) + O(x log x) to full precision
      log_x <- 2 * (log(a) - log(t)) - log(2)
      tiny <- log_x < -600
      scaled <- numeric(length(a))
      scaled[tiny] <- -0.5772156649015329 - log_x[tiny]
      scaled[!tiny] <- reference_scaled_e1(exp(log_x[!tiny]))
      -log(scaled)
    }
  )
}

# dS/da for a > 0: written out for the closed forms; for the horseshoe
# (whose value is itself a quadrature) central differences with relative
# steps 1e-3 and 5e-4, combined by Richardson extrapolation.
reference_shape_slope <- function(penalty, a, t, gamma = NA, q = NA) {
  switch(penalty,
    lasso = ,
    ridge = ,
    enet = rep(1, length(a)),
    mcp = pmax(0, 1 - a / (gamma * t)),
    scad = ifelse(a <= t, 1, pmax(0, gamma * t - a) / ((gamma - 1) * t)),
    bridge = q * a^(q - 1),
    log = 1 / (gamma + a),
    horseshoe = {
      central <- function(h) {
        (reference_shape(penalty, a + h, t) - reference_shape(penalty, a - h, t)) / (2 * h)
      }
      (4 * central(5e-4 * a) - central(1e-3 * a)) / 3
    }
  )
}

# P(a) = alpha S(a; alpha * level) + (1 - alpha) a^2 / 2, with level =
# lambda * v; and its slope. (For the lasso, ridge and elastic net alpha
# only mixes; S = a does not depend on t.)
reference_penalty <- function(penalty, a, level, alpha, gamma = NA, q = NA) {
  shape <- if (alpha > 0) reference_shape(penalty, a, alpha * level, gamma, q) else 0
  alpha * shape + (1 - alpha) * a^2 / 2
}

reference_penalty_slope <- function(penalty, a, level, alpha, gamma = NA, q = NA) {
  slope <- if (alpha > 0) reference_shape_slope(penalty, a, alpha * level, gamma, q) else 0
  alpha * slope + (1 - alpha) * a
}

# |u| with the kink rounded inside |u| < band: u^2 / (2 band) + band / 2
# there (smem_control(), argument smoothing); band = 0 is |u| itself.
reference_rounded_abs <- function(u, band) {
  if (band == 0) abs(u) else ifelse(abs(u) >= band, abs(u), u^2 / (2 * band) + band / 2)
}

# Per-observation loss at linear predictor eta (y coded as the family's
# documentation says: 0/1 or a proportion, counts, -1/1). band > 0 gives the
# rounded hinge and check losses.
reference_loss <- function(family, y, eta, tau = NA, size = NA, band = 0) {
  switch(family,
    gaussian = (y - eta)^2 / 2,
    binomial = ifelse(eta > 0, eta + log1p(exp(-eta)), log1p(exp(eta))) - y * eta,
    negbin = {
      mu <- exp(eta)
      (y + size) * log(1 + mu / size) - y * log(mu / size)
    },
    hinge = if (band == 0) {
      pmax(0, 1 - y * eta)
    } else {
      u <- 1 - y * eta
      (reference_rounded_abs(u, band) + u) / 2
    },
    quantile = {
      r <- y - eta
      if (band == 0) {
        r * (tau - (r < 0))
      } else {
        reference_rounded_abs(r, band) / 2 + (tau - 1 / 2) * r
      }
    }
  )
}

# The EM curvature omega of each loss at eta (the design notes' table), and
# Bohning's fixed bounds. With band > 0 the hinge and check losses are the
# rounded ones: inside the band the rounded |u| is a quadratic of curvature
# 1 / band, its own majorizer, so |u| in the weight is floored at band.
reference_omega <- function(family, y, eta, size = NA, band = 0) {
  switch(family,
    gaussian = rep(1, length(eta)),
    binomial = tanh(eta / 2) / (2 * eta),
    binomial_bohning = rep(1 / 4, length(eta)),
    negbin = {
      psi <- eta - log(size)
      (y + size) * tanh(psi / 2) / (2 * psi)
    },
    negbin_bohning = (y + size) / 4,
    hinge = 1 / (2 * pmax(abs(1 - y * eta), band)),
    quantile = 1 / (2 * pmax(abs(y - eta), band))
  )
}

# The loss family of a core family name ("binomial_bohning" -> "binomial").
pair_loss_family <- function(family) sub("_bohning$", "", family)

# n F(b) on the core's scale: x1 holds the intercept column, `factors` the
# penalty factor of every column (0: unpenalized), so that the penalty of
# column j is n * lambda * v_j * P(|b_j|) at level lambda * v_j.
reference_core_objective <- function(b, problem, penalty, lambda, alpha, band = 0) {
  eta <- drop(problem$x1 %*% b) + problem$offset
  loss <- reference_loss(
    pair_loss_family(problem$family), problem$y, eta,
    tau = pair_shape$tau, size = pair_shape$size, band = band
  )
  penalized <- problem$factors > 0
  level <- lambda * problem$factors[penalized]
  terms <- reference_penalty(
    penalty, abs(b[penalized]), level, alpha,
    gamma = pair_shape$gamma[penalty], q = pair_shape$q
  )
  n <- nrow(problem$x1)
  sum(problem$w * loss) + n * sum(level * terms)
}

# The core's control list for the shape parameters above.
pair_core_control <- function(penalty, band = 1e-6) {
  list(
    tol = 1e-7, maxit = 1L, accelerate = FALSE, polish = FALSE,
    drop_tol = 0, screen = FALSE,
    tau = pair_shape$tau, size = pair_shape$size, band = band,
    gamma = if (penalty %in% names(pair_shape$gamma)) pair_shape$gamma[[penalty]] else NA_real_,
    q = pair_shape$q
  )
}

# One plain EM step of the core from b.
pair_core_step <- function(b, problem, penalty, lambda, alpha, band = 1e-6) {
  out <- smem:::smem_em_step_cpp(
    problem$x1, problem$y, problem$w, problem$offset, lambda, problem$factors, b,
    problem$family, pair_core_penalty(penalty), alpha, pair_core_control(penalty, band)
  )
  if (!is.null(out$error)) stop(out$error)
  out
}

# Problems on the core's scale (standardized columns, intercept column
# first) for every family, from real data: list(family, x1, y, w, offset,
# factors, lambda, intercept), with y coded for the loss and w the
# observation weights (the trials for binomial proportions).
pair_core_problem <- function(family) {
  set.seed(switch(family, gaussian = 11, binomial = 12, proportions = 13, negbin = 14,
    hinge = 15, quantile = 16
  ))
  data <- pair_data(family)
  x <- scale(data$x)
  n <- nrow(x)
  p <- ncol(x)
  w <- if (is.null(data$weights)) stats::runif(n, 0.5, 1.5) else data$weights
  list(
    family = if (family == "proportions") "binomial" else family,
    x1 = cbind(1, x), y = data$y, w = w,
    offset = stats::rnorm(n, sd = 0.05),
    factors = c(0, seq(0.5, 1.5, length.out = p)),
    lambda = data$lambda, intercept = data$intercept
  )
}

# Real data for every family, with y coded as the loss takes it, a penalty
# level that makes the penalty matter, and a central intercept.
#   gaussian     Boston housing, median value in units of $10,000
#   binomial     Pima diabetes (0/1)
#   proportions  oesophageal cancer case-control counts (esoph): the
#                proportion of cases with the group size as weight
#   negbin       days absent from school (MASS quine)
#   hinge        Pima diabetes coded -1/1
#   quantile     birth weight in kg (MASS birthwt)
pair_data <- function(family) {
  switch(family,
    gaussian = {
      d <- real_data("boston")
      list(x = d$x, y = d$y / 10, lambda = 0.1, intercept = mean(d$y / 10))
    },
    binomial = {
      d <- real_data("pima")
      y <- binary_response(d$y)
      list(x = d$x, y = y, lambda = 0.06, intercept = stats::qlogis(mean(y)))
    },
    proportions = {
      counts <- esoph_counts()
      trials <- counts$y[, 1] + counts$y[, 2]
      y <- counts$y[, 1] / trials
      list(
        x = counts$x, y = y, weights = trials, lambda = 0.06,
        intercept = stats::qlogis(sum(counts$y[, 1]) / sum(trials))
      )
    },
    negbin = {
      d <- quine_counts()
      list(x = d$x, y = d$y, lambda = 0.1, intercept = log(mean(d$y)))
    },
    hinge = {
      d <- real_data("pima")
      list(x = d$x, y = 2 * binary_response(d$y) - 1, lambda = 0.06, intercept = -0.3)
    },
    quantile = {
      d <- real_data("birthwt")
      y <- d$y / 1000
      list(x = d$x, y = y, lambda = 0.06, intercept = unname(stats::quantile(y, 0.3)))
    }
  )
}

# Days absent from school (MASS quine) against ethnicity, sex, age group and
# learner status, as dummy columns.
quine_counts <- function() {
  data("quine", package = "MASS", envir = environment())
  x <- stats::model.matrix(~ Eth + Sex + Age + Lrn, quine)[, -1]
  list(x = x, y = as.double(quine$Days))
}

# Oesophageal cancer cases and controls by age, alcohol and tobacco group
# (datasets esoph): a two-column matrix of successes and failures.
esoph_counts <- function() {
  x <- stats::model.matrix(~ agegp + alcgp + tobgp, datasets::esoph)[, -1]
  list(x = x, y = cbind(datasets::esoph$ncases, datasets::esoph$ncontrols))
}

# A point with every coefficient non-zero, for the step tests: the slope of
# column j is +-m * t_j with t_j = alpha * lambda * v_j (lambda * v_j for the
# ridge) and m cycling over 0.4, 1.7 and 5.2, so that MCP and SCAD are met
# in each of their pieces and never within a finite-difference step of a
# bend.
pair_point <- function(problem, alpha) {
  p <- ncol(problem$x1) - 1
  level <- problem$lambda * problem$factors[-1] * (if (alpha > 0) alpha else 1)
  multiple <- rep(c(0.4, 1.7, 5.2), length.out = p)
  sign <- rep(c(1, -1, -1, 1), length.out = p)
  c(problem$intercept, sign * multiple * level)
}

# The preconditioned gradient step b - A^{-1} grad F(b) written out in R:
# grad F by central differences of the reference objective, A = X1' diag(w
# omega) X1 + diag(0, n lambda v_j P'(|b_j|) / |b_j|). band = 0: the hinge
# and check losses unrounded (no residual may then be near the kink).
reference_em_step <- function(b, problem, penalty, lambda, alpha, band = 0) {
  objective <- function(b) reference_core_objective(b, problem, penalty, lambda, alpha, band)
  h <- 1e-5
  gradient <- vapply(seq_along(b), function(j) {
    e <- replace(numeric(length(b)), j, h)
    (objective(b + e) - objective(b - e)) / (2 * h)
  }, numeric(1))
  eta <- drop(problem$x1 %*% b) + problem$offset
  omega <- reference_omega(problem$family, problem$y, eta, size = pair_shape$size, band = band)
  penalized <- problem$factors > 0
  level <- lambda * problem$factors[penalized]
  a <- abs(b[penalized])
  slope <- reference_penalty_slope(
    penalty, a, level, alpha,
    gamma = pair_shape$gamma[penalty], q = pair_shape$q
  )
  d <- numeric(length(b))
  d[penalized] <- nrow(problem$x1) * level * slope / a
  matrix_a <- crossprod(problem$x1, problem$w * omega * problem$x1) + diag(d)
  unname(drop(b - solve(matrix_a, gradient)))
}

# Distance of the closest residual to the kink of the hinge or check loss
# (Inf for the smooth losses).
pair_kink_distance <- function(b, problem) {
  eta <- drop(problem$x1 %*% b) + problem$offset
  switch(problem$family,
    hinge = min(abs(1 - problem$y * eta)),
    quantile = min(abs(problem$y - eta)),
    Inf
  )
}

# Objective of an smem() fit at its original-scale coefficients, written out
# from the documentation: sum(w loss) / sum(w) + lambda sum_j v_j P(|b_j
# s_j|) with s_j the weighted (1/n) standard deviation of column j, v the
# penalty factors rescaled to sum to ncol(x). A zero coefficient adds
# nothing (for the horseshoe it is out of the model).
reference_fit_objective <- function(fit, x, y, family, penalty, lambda, alpha,
                                    weights = rep(1, nrow(x)),
                                    penalty.factor = rep(1, ncol(x)), band = 0) {
  w <- weights / sum(weights)
  center <- colSums(w * x)
  spread <- sqrt(colSums(w * sweep(x, 2, center)^2))
  v <- penalty.factor * ncol(x) / sum(penalty.factor)
  eta <- drop(fit$a0 + x %*% fit$beta)
  loss <- reference_loss(family, y, eta, tau = pair_shape$tau, size = pair_shape$size, band = band)
  a <- abs(unname(fit$beta)) * spread
  used <- a > 0 & v > 0
  level <- lambda * v[used]
  terms <- reference_penalty(
    penalty, a[used], level, alpha,
    gamma = pair_shape$gamma[penalty], q = pair_shape$q
  )
  sum(w * loss) + sum(level * terms)
}

# The smem() arguments for a pair: shape parameters only where they apply.
pair_arguments <- function(family, penalty, alpha) {
  args <- list(family = family, penalty = penalty)
  if (!penalty %in% c("lasso", "ridge")) args$alpha <- alpha
  if (penalty %in% names(pair_shape$gamma)) args$gamma <- pair_shape$gamma[[penalty]]
  if (penalty == "bridge") args$q <- pair_shape$q
  if (family == "quantile") args$tau <- pair_shape$tau
  if (family == "negbin") args$size <- pair_shape$size
  args
}

# Evaluates `expr`, muffling only smem's convergence warnings (a fit cut
# short by maxit is expected in some tests); returns the value and whether
# such a warning was raised.
with_convergence_warning <- function(expr) {
  warned <- FALSE
  value <- withCallingHandlers(expr, smem_warning_convergence = function(w) {
    warned <<- TRUE
    invokeRestart("muffleWarning")
  })
  list(value = value, warned = warned)
}

# Data for smem() fits of every family, on the original scale: x and y as a
# user gives them, with the response coded for the reference (ref_y), the
# weights the reference applies (ref_weights: the trials for binomial
# counts), penalty factors, a penalty level and the half-width of the
# rounded kink in the units of the residual (0 for the smooth losses).
#   gaussian  Boston housing, with penalty factors (one column unpenalized)
#   binomial  Pima diabetes, the factor as y
#   counts    esoph cases and controls as a two-column matrix
#   negbin    quine days absent
#   hinge     Pima diabetes, the factor as y
#   quantile  birth weight in kg, with observation weights
pair_fit_data <- function(data) {
  set.seed(21)
  out <- switch(data,
    gaussian = {
      d <- real_data("boston")
      list(
        family = "gaussian", x = d$x, y = d$y / 10, ref_y = d$y / 10, lambda = 0.05,
        penalty.factor = c(0, rep(c(0.5, 1, 2), length.out = ncol(d$x) - 1))
      )
    },
    binomial = {
      d <- real_data("pima")
      list(family = "binomial", x = d$x, y = d$y, ref_y = binary_response(d$y), lambda = 0.03)
    },
    counts = {
      d <- esoph_counts()
      trials <- d$y[, 1] + d$y[, 2]
      list(
        family = "binomial", x = d$x, y = d$y, ref_y = d$y[, 1] / trials,
        ref_weights = trials, lambda = 0.03
      )
    },
    negbin = {
      d <- quine_counts()
      list(family = "negbin", x = d$x, y = d$y, ref_y = d$y, lambda = 0.05)
    },
    hinge = {
      d <- real_data("pima")
      list(family = "hinge", x = d$x, y = d$y, ref_y = 2 * binary_response(d$y) - 1, lambda = 0.03)
    },
    quantile = {
      d <- real_data("birthwt")
      weights <- stats::runif(nrow(d$x), 0.5, 2)
      list(
        family = "quantile", x = d$x, y = d$y / 1000, ref_y = d$y / 1000,
        weights = weights, ref_weights = weights, lambda = 0.03
      )
    }
  )
  if (is.null(out$ref_weights)) out$ref_weights <- rep(1, nrow(out$x))
  if (is.null(out$penalty.factor)) out$penalty.factor <- rep(1, ncol(out$x))
  w <- out$ref_weights / sum(out$ref_weights)
  out$band <- switch(out$family,
    hinge = 1e-6,
    quantile = 1e-6 * sqrt(sum(w * (out$ref_y - sum(w * out$ref_y))^2)),
    0
  )
  out
}

pair_fit_names <- c("gaussian", "binomial", "counts", "negbin", "hinge", "quantile")

# The penalty level of a fit: a tenth for the horseshoe, whose penalty grows
# like lambda log(b^2) and would otherwise remove nearly every column.
pair_lambda <- function(d, penalty) {
  if (penalty == "horseshoe") d$lambda / 10 else d$lambda
}

# smem() on pair_fit_data() output, convergence warnings muffled.
pair_fit <- function(d, penalty, alpha, accelerate, control, init = NULL) {
  args <- c(
    list(
      x = d$x, y = d$y, lambda = pair_lambda(d, penalty), weights = d$weights,
      penalty.factor = d$penalty.factor, accelerate = accelerate, control = control,
      init = init
    ),
    pair_arguments(d$family, penalty, alpha)
  )
  with_convergence_warning(do.call(smem, args))$value
}

# The reference objective of a fit to pair_fit_data() output, with the loss
# unrounded.
pair_fit_objective <- function(fit, d, penalty, alpha) {
  reference_fit_objective(
    fit, d$x, d$ref_y, d$family, penalty, pair_lambda(d, penalty), alpha,
    weights = d$ref_weights, penalty.factor = d$penalty.factor
  )
}

# The recorded objective never rises (up to rounding, 1e-12 relative), and
# its last value is the reference objective at the returned coefficients:
# equal for the smooth losses, above by at most band / 4 (the rounded kink)
# for the hinge and check losses.
# (monotone = FALSE: the final value only.)
expect_pair_objective <- function(fit, d, penalty, alpha, label, monotone = TRUE) {
  trace <- fit$objective
  expect_true(all(is.finite(trace)), label = paste(label, "finite"))
  if (monotone) {
    before <- trace[-length(trace)]
    expect_true(all(diff(trace) <= 1e-12 * abs(before)), label = paste(label, "never rises"))
  }
  plain <- pair_fit_objective(fit, d, penalty, alpha)
  excess <- trace[length(trace)] - plain
  slack <- 1e-12 * abs(plain)
  expect_true(excess >= -slack && excess <= d$band / 4 + slack,
    label = paste(label, "final objective", format(excess))
  )
}
