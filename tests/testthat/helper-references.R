# Independent references for the tests: the objective written out in R from
# its definition (glmnet's scale), glmnet run to high precision, and the real
# data sets.

# Objective at original-scale coefficients:
#   sum(w * loss) / sum(w) + lambda * sum(v * (alpha |b_s| + (1 - alpha) b_s^2 / 2))
# with b_s = b * sd(x) (weighted, 1/n) and v rescaled to sum to ncol(x).
reference_objective <- function(a0, beta, x, y, lambda, alpha, family,
                                 weights = rep(1, nrow(x)), penalty.factor = rep(1, ncol(x)),
                                 offset = rep(0, nrow(x)), standardize = TRUE) {
  w <- weights / sum(weights)
  center <- colSums(w * x)
  spread <- if (standardize) sqrt(colSums(w * sweep(x, 2, center)^2)) else rep(1, ncol(x))
  v <- penalty.factor * ncol(x) / sum(penalty.factor)
  eta <- drop(a0 + x %*% beta) + offset
  loss <- switch(family,
    gaussian = (y - eta)^2 / 2,
    binomial = log(1 + exp(eta)) - y * eta
  )
  scaled <- as.vector(beta) * spread
  sum(w * loss) + lambda * sum(v * (alpha * abs(scaled) + (1 - alpha) / 2 * scaled^2))
}

# Relative excess of the objective at (a0, beta) over that of column k of a
# reference fit, both written out by reference_objective().
objective_excess <- function(a0, beta, reference, k, x, y, lambda, alpha, family, ...) {
  ours <- reference_objective(a0, beta, x, y, lambda, alpha, family, ...)
  theirs <- reference_objective(reference$a0[k], reference$beta[, k], x, y, lambda, alpha,
    family, ...
  )
  (ours - theirs) / abs(theirs)
}

# glmnet (or cv.glmnet, through `fit`) at a tight threshold, whatever the
# version's way of passing it.
glmnet_reference <- function(x, y, ..., thresh = 1e-12, fit = glmnet::glmnet) {
  args <- list(x = x, y = y, ...)
  if (utils::packageVersion("glmnet") >= "5.0") {
    args$control <- list(thresh = thresh, maxit = 1e6)
  } else {
    args$thresh <- thresh
    args$maxit <- 1e6
  }
  suppressWarnings(do.call(fit, args))
}

# Variables that are nonzero in one fit and exactly zero in the other, apart
# from those whose nonzero value is below `small` on the standardized scale.
support_differences <- function(beta_a, beta_b, x, small = 1e-6) {
  spread <- sqrt(colMeans(sweep(x, 2, colMeans(x))^2))
  a <- as.vector(beta_a) * spread
  b <- as.vector(beta_b) * spread
  which(xor(a != 0, b != 0) & pmax(abs(a), abs(b)) >= small)
}

# Real data sets as (x, y) pairs.
real_data <- function(name) {
  switch(name,
    pima = {
      data("Pima.tr", package = "MASS", envir = environment())
      list(x = as.matrix(Pima.tr[, 1:7]), y = Pima.tr$type)
    },
    biopsy = {
      data("biopsy", package = "MASS", envir = environment())
      b <- stats::na.omit(biopsy)
      list(x = as.matrix(b[, 2:10]), y = b$class)
    },
    sonar = {
      data("Sonar", package = "mlbench", envir = environment())
      list(x = as.matrix(Sonar[, 1:60]), y = Sonar$Class)
    },
    spam = {
      data("spam", package = "kernlab", envir = environment())
      list(x = as.matrix(spam[, 1:57]), y = spam$type)
    },
    birthwt = {
      data("birthwt", package = "MASS", envir = environment())
      x <- as.matrix(birthwt[, c("age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv")])
      list(x = x, y = birthwt$bwt)
    },
    boston = {
      data("Boston", package = "MASS", envir = environment())
      list(x = as.matrix(Boston[, 1:13]), y = Boston$medv)
    }
  )
}

binary_response <- function(y) {
  if (is.factor(y)) as.numeric(y == levels(y)[2]) else as.numeric(y)
}

# Unit (1/n) standard deviation: glmnet rescales a gaussian response
# internally, which changes its ridge term unless sd(y) = 1 already.
unit_scale <- function(y) {
  y / sqrt(mean((y - mean(y))^2))
}

# Design with AR(1)-like equicorrelated columns: pairwise correlation rho.
correlated_design <- function(n, p, rho, seed) {
  set.seed(seed)
  shared <- stats::rnorm(n)
  sqrt(rho) * shared + sqrt(1 - rho) * matrix(stats::rnorm(n * p), n, p)
}

# Largest violation of the optimality conditions at original-scale
# coefficients, computed in R from the objective's gradient: for a nonzero
# coefficient the gradient must be zero, for a zero one at most lambda * v * alpha.
reference_kkt <- function(a0, beta, x, y, lambda, alpha, family) {
  n <- nrow(x)
  center <- colMeans(x)
  spread <- sqrt(colMeans(sweep(x, 2, center)^2))
  eta <- drop(a0 + x %*% beta)
  mu <- if (family == "binomial") stats::plogis(eta) else eta
  gradient <- drop(crossprod(sweep(x, 2, center) %*% diag(1 / spread), mu - y)) / n
  scaled <- as.vector(beta) * spread
  violation <- ifelse(scaled == 0,
    pmax(0, abs(gradient) - lambda * alpha),
    abs(gradient + lambda * (alpha * sign(scaled) + (1 - alpha) * scaled))
  )
  max(violation, abs(mean(mu - y)))
}
