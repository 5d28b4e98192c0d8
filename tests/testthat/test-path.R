# smem_path() against glmnet along whole paths, and the path's own promises.

compare_paths <- function(x, y, family, alpha, nlambda = 100) {
  reference <- glmnet_reference(x, y, family = family, alpha = alpha, nlambda = nlambda)
  path <- smem_path(x, y,
    family = family, penalty = "enet", alpha = alpha,
    lambda = reference$lambda, early.stop = FALSE
  )
  expect_equal(path$lambda, reference$lambda)
  expect_true(all(path$converged))
  # deviance explained: against the deviance of the path's own coefficients
  # written out in R, and against glmnet's (whose coefficients differ within
  # the two tolerances; glmnet reports its first ridge solution as the null
  # model)
  yy <- if (family == "binomial") binary_response(y) else y
  eta <- sweep(as.matrix(x %*% path$beta), 2, path$a0, "+")
  deviance <- if (family == "binomial") {
    -2 * colSums(yy * eta - log1p(exp(eta)))
  } else {
    colSums((yy - eta)^2)
  }
  expect_equal(path$dev.ratio, unname(1 - deviance / path$nulldev), tolerance = 1e-10)
  expect_equal(path$nulldev, reference$nulldev, tolerance = 1e-10)
  first <- if (alpha == 0) 2 else 1
  expect_equal(path$dev.ratio[-seq_len(first - 1)], reference$dev.ratio[-seq_len(first - 1)],
               tolerance = 1e-5)
  worst <- 0
  for (k in seq_along(reference$lambda)) {
    lambda <- reference$lambda[k]
    ours <- reference_objective(path$a0[k], path$beta[, k], x, yy, lambda, alpha, family)
    theirs <- reference_objective(
      reference$a0[k], reference$beta[, k], x, yy, lambda, alpha, family
    )
    gap <- (ours - theirs) / abs(theirs)
    worst <- max(worst, gap)
    expect_lte(gap, 1e-7)
    differ <- support_differences(path$beta[, k], reference$beta[, k], x)
    if (length(differ) > 0) {
      # Allowed only where glmnet stopped short of the optimum: smem's
      # objective is no higher and its optimality conditions hold, checked
      # here from the gradient in R.
      expect_lte(ours, theirs)
      expect_lte(reference_kkt(path$a0[k], path$beta[, k], x, yy, lambda, alpha, family), 1e-6)
    }
  }
  invisible(worst)
}

test_that("binomial lasso and elastic-net paths match glmnet on Pima, biopsy and Sonar", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  skip_if_not_installed("mlbench")
  for (name in c("pima", "biopsy", "sonar")) {
    data <- real_data(name)
    for (alpha in c(1, 0.5)) compare_paths(data$x, data$y, "binomial", alpha)
  }
})

test_that("gaussian lasso and elastic-net paths match glmnet on birthwt, Boston and Sonar", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  skip_if_not_installed("mlbench")
  sonar <- real_data("sonar")
  sets <- list(real_data("birthwt"), real_data("boston"), list(x = sonar$x[, -1], y = sonar$x[, 1]))
  for (data in sets) {
    for (alpha in c(1, 0.5)) compare_paths(data$x, unit_scale(data$y), "gaussian", alpha)
  }
})

test_that("a design with p = 2000 > n = 200 gives glmnet's path", {
  skip_if_not_installed("glmnet")
  set.seed(1)
  x <- matrix(stats::rnorm(200 * 2000), 200, 2000)
  y <- stats::rbinom(200, 1, stats::plogis(drop(x[, 1:10] %*% rep(0.5, 10))))
  compare_paths(x, y, "binomial", 1)
  compare_paths(x, unit_scale(drop(x[, 1:10] %*% rep(1, 10)) + stats::rnorm(200)), "gaussian", 1, nlambda = 50)
})

test_that("ridge and elastic-net paths wider than n (the dual M-step) match glmnet", {
  skip_if_not_installed("glmnet")
  # 1000 columns, 150 rows: every ridge coefficient is active, so the EM
  # and polish steps go through the n x n system
  set.seed(3)
  x <- matrix(stats::rnorm(150 * 1000), 150, 1000)
  y <- stats::rbinom(150, 1, stats::plogis(drop(x[, 1:10] %*% rep(0.5, 10))))
  ridge <- smem_path(x, y, family = "binomial", penalty = "ridge", nlambda = 5)
  expect_true(all(ridge$df > nrow(x)))
  compare_paths(x, y, "binomial", 0, nlambda = 20)
  compare_paths(x, y, "binomial", 0.05, nlambda = 20)
  z <- unit_scale(drop(x[, 1:10] %*% rep(1, 10)) + stats::rnorm(150))
  compare_paths(x, z, "gaussian", 0, nlambda = 20)
})

test_that("wide ridge paths with unequal and zero penalty factors match glmnet", {
  skip_if_not_installed("glmnet")
  # the dual system keeps X_P diag(q) X_P' across steps and lambdas, with
  # q the ratios of the penalty factors; unpenalized columns go through the
  # Schur complement
  set.seed(5)
  x <- matrix(stats::rnorm(120 * 600), 120, 600)
  y <- stats::rbinom(120, 1, stats::plogis(drop(x[, 1:8] %*% rep(0.6, 8))))
  factors <- rep(c(0.5, 1, 2), length.out = 600)
  factors[c(3, 7, 11)] <- 0
  reference <- glmnet_reference(x, y,
    family = "binomial", alpha = 0, penalty.factor = factors, nlambda = 10
  )
  path <- smem_path(x, y,
    family = "binomial", penalty = "ridge", penalty.factor = factors,
    lambda = reference$lambda, early.stop = FALSE
  )
  expect_true(all(path$converged))
  expect_true(all(path$df > nrow(x)))
  for (k in seq_along(reference$lambda)) {
    excess <- objective_excess(path$a0[k], path$beta[, k], reference, k, x, y,
      reference$lambda[k], 0, "binomial",
      penalty.factor = factors
    )
    expect_lte(excess, 1e-9)
  }
})

test_that("screening never changes the answer", {
  skip_if_not_installed("mlbench")
  data <- real_data("sonar")
  # A tolerance tighter than the default: on this nearly separable data set
  # (coefficients in the hundreds at the end of the path, curvature near
  # zero) the default tol = 1e-7 leaves the two fits up to 3e-4 apart in
  # their coefficients and 2e-8 in their objectives, both within tolerance.
  with_screen <- smem_path(data$x, data$y,
    family = "binomial", early.stop = FALSE,
    control = smem_control(tol = 1e-8)
  )
  without <- smem_path(data$x, data$y,
    family = "binomial", early.stop = FALSE,
    control = smem_control(screen = FALSE, tol = 1e-8)
  )
  expect_equal(with_screen$lambda, without$lambda)
  expect_true(all(with_screen$converged) && all(without$converged))
  # Same optimum: the objectives agree to rounding, the supports agree, and
  # the coefficients agree to what the tolerance pins down.
  expect_equal(with_screen$objective, without$objective, tolerance = 1e-10)
  for (k in seq_along(with_screen$lambda)) {
    expect_length(support_differences(with_screen$beta[, k], without$beta[, k], data$x), 0)
  }
  expect_equal(as.matrix(with_screen$beta), as.matrix(without$beta), tolerance = 1e-4)
})

test_that("the default grid starts where every penalized coefficient is zero", {
  skip_if_not_installed("MASS")
  data <- real_data("biopsy")
  factors <- c(0, rep(1, 8))
  path <- smem_path(data$x, data$y,
    family = "binomial", penalty.factor = factors, nlambda = 20,
    early.stop = FALSE
  )
  expect_true(all(path$beta[-1, 1] == 0))
  expect_true(path$beta[1, 1] != 0)
  # just below lambda_max a penalized coefficient enters
  below <- smem(data$x, data$y,
    family = "binomial", lambda = path$lambda[1] * 0.999,
    penalty.factor = factors
  )
  expect_gt(sum(below$beta[-1] != 0), 0)
  expect_equal(path$lambda[20] / path$lambda[1], 1e-4, tolerance = 1e-10)
})

test_that("smem() at a lambda on the path gives the path's solution", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  path <- smem_path(data$x, data$y, family = "binomial", penalty = "enet", alpha = 0.6)
  for (k in c(3, 17, 40)) {
    single <- smem(data$x, data$y,
      family = "binomial", penalty = "enet", alpha = 0.6,
      lambda = path$lambda[k]
    )
    # both stop once the largest optimality violation is below tol = 1e-7;
    # with the curvature of this problem (about 0.05 on the standardized
    # scale) that leaves each fit within about 4e-6 of the optimum, and the
    # objective within about 1e-12 of its minimum
    expect_equal(tail(single$objective, 1), path$objective[k], tolerance = 1e-10)
    expect_equal(unname(single$beta), unname(path$beta[, k]), tolerance = 1e-5)
    expect_equal(unname(single$a0), unname(path$a0[k]), tolerance = 1e-5)
  }
})

test_that("a user grid is fitted and returned in decreasing order", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  grid <- c(0.01, 0.1, 0.001, 0.05)
  path <- smem_path(data$x, data$y, family = "binomial", lambda = grid)
  expect_equal(path$lambda, sort(grid, decreasing = TRUE))
})

test_that("early stopping keeps every per-lambda component the same length", {
  skip_if_not_installed("MASS")
  data <- real_data("birthwt")
  stopped <- smem_path(data$x, data$y)
  full <- smem_path(data$x, data$y, early.stop = FALSE)
  expect_lt(length(stopped$lambda), length(full$lambda))
  expect_equal(length(full$lambda), 100)
  for (path in list(stopped, full)) {
    k <- length(path$lambda)
    for (field in c("a0", "df", "dev.ratio", "objective", "iter", "converged", "violation")) {
      expect_length(path[[field]], k)
    }
    expect_equal(ncol(path$beta), k)
  }
})

test_that("coef() and predict() interpolate linearly between grid points", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  path <- smem_path(data$x, data$y, family = "binomial", nlambda = 30)
  s <- 0.3 * path$lambda[10] + 0.7 * path$lambda[11]
  expected <- 0.3 * coef(path)[, 10] + 0.7 * coef(path)[, 11]
  expect_equal(as.vector(coef(path, s = s)), unname(expected), tolerance = 1e-12)
  link <- predict(path, data$x[1:5, ], s = s)
  expect_equal(as.vector(link), as.vector(cbind(1, data$x[1:5, ]) %*% expected), tolerance = 1e-10)
  expect_equal(as.vector(coef(path, s = path$lambda[4])), as.vector(coef(path)[, 4]))
  expect_equal(as.vector(coef(path, s = 1e6)), as.vector(coef(path)[, 1]))
  classes <- predict(path, data$x[1:5, ], s = c(0.1, 0.01), type = "class")
  expect_true(all(classes %in% levels(data$y)))
  expect_type(predict(path, s = 0.01, type = "nonzero"), "list")
})

test_that("beta is a sparse matrix named by variable and lambda", {
  skip_if_not_installed("MASS")
  data <- real_data("pima")
  path <- smem_path(data$x, data$y, family = "binomial", nlambda = 10, early.stop = FALSE)
  expect_s4_class(path$beta, "dgCMatrix")
  expect_equal(rownames(path$beta), colnames(data$x))
  expect_equal(colnames(path$beta), paste0("s", 0:9))
  expect_output(print(path), "%Dev")
  expect_output(print(summary(path)), "penalty levels")
})

test_that("a lambda that does not converge is named in a warning", {
  skip_if_not_installed("MASS")
  data <- real_data("sonar")
  expect_warning(
    path <- smem_path(data$x, data$y,
      family = "binomial", nlambda = 10,
      control = smem_control(maxit = 2)
    ),
    "did not converge"
  )
  expect_false(all(path$converged))
})

test_that("the Bohning curvature reaches the same path as the Polya-Gamma one", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("MASS")
  data <- real_data("biopsy")
  yy <- binary_response(data$y)
  reference <- glmnet_reference(data$x, data$y, family = "binomial")
  bohning <- smem_path(data$x, data$y,
    family = "binomial", lambda = reference$lambda, early.stop = FALSE,
    control = smem_control(curvature = "bohning")
  )
  for (k in seq_along(reference$lambda)) {
    lambda <- reference$lambda[k]
    ours <- reference_objective(bohning$a0[k], bohning$beta[, k], data$x, yy, lambda, 1, "binomial")
    theirs <- reference_objective(reference$a0[k], reference$beta[, k], data$x, yy, lambda, 1, "binomial")
    expect_lte((ours - theirs) / theirs, 1e-7)
  }
})
