# The EM map is one preconditioned gradient step b - A^{-1} grad F(b), with A
# the matrix of the M-step, written out here in R from the design notes and
# the gradient taken by finite differences of an R objective.

em_reference_step <- function(x, y, b, lambda, alpha, family, w, offset) {
  n <- nrow(x)
  x1 <- cbind(1, x)
  objective <- function(b) {
    eta <- drop(x1 %*% b) + offset
    loss <- switch(family,
      gaussian = (y - eta)^2 / 2,
      binomial = log(1 + exp(eta)) - y * eta
    )
    slopes <- b[-1]
    sum(w * loss) + n * lambda * sum(alpha * abs(slopes) + (1 - alpha) / 2 * slopes^2)
  }
  h <- 1e-6
  gradient <- vapply(seq_along(b), function(j) {
    e <- replace(numeric(length(b)), j, h)
    (objective(b + e) - objective(b - e)) / (2 * h)
  }, numeric(1))
  eta <- drop(x1 %*% b) + offset
  omega <- switch(family,
    gaussian = rep(1, n),
    binomial = tanh(eta / 2) / (2 * eta)
  )
  d <- c(0, n * lambda * (alpha / abs(b[-1]) + (1 - alpha)))
  a <- crossprod(x1, w * omega * x1) + diag(d)
  unname(drop(b - solve(a, gradient)))
}

core_step <- function(x, y, b, lambda, alpha, family, w, offset) {
  out <- smem:::smem_em_step_cpp(
    cbind(1, x), y, w, offset, lambda, c(0, rep(1, ncol(x))), b,
    family, "enet", alpha,
    list(
      tol = 1e-7, maxit = 1L, accelerate = FALSE, polish = FALSE,
      drop_tol = 0, screen = FALSE
    )
  )
  out$beta
}

test_that("the binomial EM step is a preconditioned gradient step", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  x <- scale(data$x)
  y <- binary_response(data$y)
  set.seed(1)
  w <- stats::runif(nrow(x), 0.5, 1.5)
  w <- w * nrow(x) / sum(w)
  offset <- stats::rnorm(nrow(x), sd = 0.2)
  b <- c(-0.4, stats::rnorm(ncol(x), sd = 0.3))
  for (alpha in c(1, 0.3, 0)) {
    expected <- em_reference_step(x, y, b, 0.02, alpha, "binomial", w, offset)
    got <- core_step(x, y, b, 0.02, alpha, "binomial", w, offset)
    expect_equal(got, expected, tolerance = 1e-6)
  }
})

test_that("the gaussian EM step is a preconditioned gradient step", {
  skip_if_not_installed("MASS")
  data <- real_data("boston")
  x <- scale(data$x)
  y <- data$y / 10
  w <- rep(1, nrow(x))
  offset <- rep(0, nrow(x))
  set.seed(2)
  b <- c(2, stats::rnorm(ncol(x), sd = 0.2))
  for (alpha in c(1, 0.5)) {
    expected <- em_reference_step(x, y, b, 0.05, alpha, "gaussian", w, offset)
    got <- core_step(x, y, b, 0.05, alpha, "gaussian", w, offset)
    expect_equal(got, expected, tolerance = 1e-6)
  }
})

test_that("the Polya-Gamma weight is accurate near eta = 0", {
  # the series branch of the core against the closed form just outside it
  x <- matrix(c(-1, 1), 2, 1)
  for (eta in c(1e-9, 1e-4, 1.9e-3, 2.1e-3, 0.5)) {
    b <- c(0, eta)
    expected <- em_reference_step(x, c(0, 1), b, 0, 0, "binomial", c(1, 1), c(0, 0))
    got <- core_step(x, c(0, 1), b, 0, 0, "binomial", c(1, 1), c(0, 0))
    expect_equal(got, expected, tolerance = 1e-6)
  }
})

# Every family with every penalty. The references (helper-pairs.R) are the
# documented formulas written out in R; the shape parameters are not the
# defaults, the penalty factors differ by column and the point meets MCP and
# SCAD in each of their pieces.

test_that("the reference exponential integral matches known values", {
  # e E1(1) is the Gompertz constant; e^x E1(x) ~ -euler - log(x) + x as x
  # goes to 0 and ~ (1 - 1/x + 2/x^2 - 6/x^3 + 24/x^4) / x for large x
  expect_equal(reference_scaled_e1(1), 0.596347362323194074341, tolerance = 1e-13)
  expect_equal(reference_scaled_e1(1e-30), -0.5772156649015329 - log(1e-30), tolerance = 1e-13)
  x <- 1e4
  expect_equal(reference_scaled_e1(x), (1 - 1 / x + 2 / x^2 - 6 / x^3 + 24 / x^4) / x,
    tolerance = 1e-13
  )
})

test_that("the reference penalty slopes are the derivatives of the reference penalties", {
  a <- c(0.03, 0.2, 0.45, 0.9)
  for (penalty in pair_penalties) {
    for (alpha in pair_alphas(penalty)) {
      value <- function(a) {
        reference_penalty(penalty, a, 0.1, alpha,
          gamma = pair_shape$gamma[penalty], q = pair_shape$q
        )
      }
      h <- 1e-6
      numeric_slope <- (value(a + h) - value(a - h)) / (2 * h)
      slope <- reference_penalty_slope(
        penalty, a, 0.1, alpha,
        gamma = pair_shape$gamma[penalty], q = pair_shape$q
      )
      expect_equal(slope, numeric_slope, tolerance = 1e-7, label = paste(penalty, alpha))
    }
  }
})

test_that("the EM step is a preconditioned gradient step for every family and penalty", {
  skip_if_not_installed("MASS")
  checked <- 0
  for (data in c("gaussian", "binomial", "proportions", "negbin", "hinge", "quantile")) {
    problem <- pair_core_problem(data)
    for (penalty in pair_penalties) {
      for (alpha in pair_alphas(penalty)) {
        label <- paste(data, penalty, alpha)
        b <- pair_point(problem, alpha)
        # the losses are differentiable at b: no residual within the band,
        # nor within reach of the finite differences (steps of 1e-5)
        expect_gt(pair_kink_distance(b, problem), 2 * 1e-5 * max(abs(problem$x1)))
        out <- pair_core_step(b, problem, penalty, problem$lambda, alpha)
        expected <- reference_em_step(b, problem, penalty, problem$lambda, alpha)
        expect_equal(out$beta, expected, tolerance = 1e-6, label = label)
        objective <- reference_core_objective(b, problem, penalty, problem$lambda, alpha) /
          nrow(problem$x1)
        expect_equal(out$objective, objective, tolerance = 1e-12, label = label)
        checked <- checked + 1
      }
    }
  }
  expect_equal(checked, 6 * 13)
})

test_that("with Bohning's fixed curvature the step is a preconditioned gradient step", {
  skip_if_not_installed("MASS")
  for (data in c("binomial", "proportions", "negbin")) {
    problem <- pair_core_problem(data)
    problem$family <- paste0(problem$family, "_bohning")
    for (penalty in pair_penalties) {
      alpha <- pair_alphas(penalty)[1]
      b <- pair_point(problem, alpha)
      out <- pair_core_step(b, problem, penalty, problem$lambda, alpha)
      expected <- reference_em_step(b, problem, penalty, problem$lambda, alpha)
      expect_equal(out$beta, expected, tolerance = 1e-6, label = paste(problem$family, penalty))
    }
  }
})

test_that("inside the rounding band the hinge and check steps are preconditioned gradient steps", {
  skip_if_not_installed("MASS")
  # a band wide enough to hold many residuals, so that the rounded part of
  # the loss (and its curvature 1 / band) is what is tested
  band <- 0.2
  for (data in c("hinge", "quantile")) {
    problem <- pair_core_problem(data)
    for (penalty in c("lasso", "ridge", "mcp", "bridge", "horseshoe")) {
      alpha <- pair_alphas(penalty)[1]
      b <- pair_point(problem, alpha)
      # larger slopes spread the margins y eta of the hinge loss past 1
      if (data == "hinge") b[-1] <- 2 * b[-1]
      eta <- drop(problem$x1 %*% b) + problem$offset
      residual <- if (data == "hinge") 1 - problem$y * eta else problem$y - eta
      expect_gte(sum(abs(residual) < band), 10)
      out <- pair_core_step(b, problem, penalty, problem$lambda, alpha, band = band)
      expected <- reference_em_step(b, problem, penalty, problem$lambda, alpha, band = band)
      expect_equal(out$beta, expected, tolerance = 1e-6, label = paste(data, penalty))
      objective <- reference_core_objective(b, problem, penalty, problem$lambda, alpha, band) /
        nrow(problem$x1)
      expect_equal(out$objective, objective, tolerance = 1e-12, label = paste(data, penalty))
    }
  }
})

test_that("a horseshoe step from a coefficient too small to square stays finite", {
  skip_if_not_installed("MASS")
  # |b| = 1e-170: b^2 / (2 t^2) underflows to zero. The step must still be
  # taken (the huge weight pins the coefficient near zero) and the objective
  # at the start must be a number.
  problem <- pair_core_problem("binomial")
  b <- pair_point(problem, 1)
  b[3] <- 1e-170
  out <- smem:::smem_em_step_cpp(
    problem$x1, problem$y, problem$w, problem$offset, problem$lambda, problem$factors, b,
    "binomial", "horseshoe", 1, pair_core_control("horseshoe")
  )
  expect_null(out$error)
  expect_true(isTRUE(is.finite(out$objective)))
  step <- if (is.null(out$beta)) rep(NA_real_, length(b)) else out$beta
  expect_true(all(is.finite(step)))
  expect_true(isTRUE(abs(step[3]) <= 1e-170))
})
