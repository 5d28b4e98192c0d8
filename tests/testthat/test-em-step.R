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
